"""`gdpr deadletters` as an operator uses it: list, refuse bad ids, retry through the case."""

from __future__ import annotations

from temporalio.testing import WorkflowEnvironment

from app.settings import Settings
from tests.support import CaseDriver
from tests.workspace import Workspace, gdpr as run_gdpr
from tests.workflows.support import case_with_a_dead_letter, eventually, query


async def gdpr(env: WorkflowEnvironment, settings: Settings, *args: str, workspace: Workspace | None = None):
    """As the operator Ole Drift, with his personal token."""
    return await run_gdpr(env, settings, *args, person="operator" if workspace else None, workspace=workspace)


async def test_an_operator_lists_a_dead_letter_and_retries_it_through_its_case_once_the_cause_is_fixed(
        env: WorkflowEnvironment, settings: Settings, driver: CaseDriver, workspace: Workspace):
    handle = await case_with_a_dead_letter(settings, driver)
    letter = f"{handle.id}/1"

    listed = await gdpr(env, settings, "deadletters")
    assert listed.returncode == 0, listed.stderr
    assert letter in listed.stdout and "åben" in listed.stdout and "IntegrityError" in listed.stdout

    unknown = await gdpr(env, settings, "deadletters", "retry", "breach-2026-99999999/1", workspace=workspace)
    assert unknown.returncode == 2 and "findes ikke" in unknown.stderr and "Traceback" not in unknown.stderr
    wrong = await gdpr(env, settings, "deadletters", "retry", f"{handle.id}/7", workspace=workspace)
    assert wrong.returncode == 2 and "has no dead letter 7" in wrong.stderr

    query(settings, "DROP TRIGGER refuse")
    retried = await gdpr(env, settings, "deadletters", "retry", letter, workspace=workspace)
    assert retried.returncode == 0 and "gentages nu" in retried.stdout, retried.stderr
    await eventually(lambda: query(settings, "SELECT status, changed_by FROM dead_letters WHERE case_id = ?",
                                   handle.id) == [("resolved", "Ole Drift")], what="the letter resolved")
    assert query(settings, "SELECT state FROM breach_register WHERE case_id = ?", handle.id) == [("containment",)]


async def test_a_letter_whose_case_no_longer_runs_cannot_be_retried_but_is_discarded_with_the_reason_recorded(
        env: WorkflowEnvironment, settings: Settings, driver: CaseDriver, workspace: Workspace):
    handle = await case_with_a_dead_letter(settings, driver)
    await handle.terminate(reason="test: the workflow was ended by hand")
    letter = f"{handle.id}/1"
    retried = await gdpr(env, settings, "deadletters", "retry", letter, workspace=workspace)
    assert retried.returncode == 2 and "kører ikke længere" in retried.stderr
    discarded = await gdpr(env, settings, "deadletters", "discard", letter,
                           "--reason", "Skridtet ført ind i registeret i hånden", workspace=workspace)
    assert discarded.returncode == 0, discarded.stderr
    assert query(settings, "SELECT status, changed_by, reason FROM dead_letters WHERE letter_id = ?", letter) == [
        ("discarded", "Ole Drift", "Skridtet ført ind i registeret i hånden")]
