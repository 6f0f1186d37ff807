"""The command line never prints a traceback: one line naming the problem, exit code 2.

Run as a person would (a subprocess of `starter.py`) against the real dev server. Exit
code 3 is kept for "Temporal cannot be reached".
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from app.mailsink import free_port
from app.settings import Settings
from tests.support import CaseDriver, RequestDriver
from tests.workspace import Workspace, gdpr as run_gdpr



async def gdpr(env: WorkflowEnvironment, settings: Settings, *args: str, workspace: Workspace | None = None,
               address: str | None = None) -> subprocess.CompletedProcess[str]:
    return await run_gdpr(env, settings, *args, person="key_person" if workspace else None, workspace=workspace,
                          address=address)


def one_line_error(run: subprocess.CompletedProcess[str], *expected: str, code: int = 2) -> None:
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == code, (run.returncode, run.stderr)
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    for text in expected:
        assert text in run.stderr, run.stderr


async def test_action_data_that_is_not_a_json_object_is_refused_in_one_line(
        env: WorkflowEnvironment, settings: Settings, driver: CaseDriver, tmp_path: Path):
    handle = await driver.open()
    try:
        await _refuse_wrong_action_data(env, settings, driver, handle.id, tmp_path)
    finally:  # the case would outlive this test's worker on the shared dev server
        await handle.terminate("test over")


async def _refuse_wrong_action_data(env: WorkflowEnvironment, settings: Settings, driver: CaseDriver, case_id: str,
                                    tmp_path: Path) -> None:
    act = ["case", "act", case_id, "assess_breach"]
    for data, kind in (("[1,2]", "list"), ("null", "null"), ('"x"', "str"), ("17", "int")):
        run = await gdpr(env, settings, *act, "--data", data)
        one_line_error(run, "--data must be a JSON object", kind)
    one_line_error(await gdpr(env, settings, *act, "--data", "{not json"), "--data is not valid JSON")

    not_utf8 = tmp_path / "latin1.json"
    not_utf8.write_bytes('{"reason": "Forældre"}'.encode("latin-1"))
    a_list = tmp_path / "list.json"
    a_list.write_text("[1, 2]")
    one_line_error(await gdpr(env, settings, *act, "--data-file", str(tmp_path / "missing.json")), "does not exist")
    one_line_error(await gdpr(env, settings, *act, "--data-file", str(not_utf8)), "is not UTF-8 text")
    one_line_error(await gdpr(env, settings, *act, "--data-file", str(tmp_path)), "is a folder, not a file")
    one_line_error(await gdpr(env, settings, *act, "--data-file", str(a_list)), "must hold a JSON object")
    view = await driver.settle(driver.env.client.get_workflow_handle(case_id))
    assert [e.action for e in view.timeline] == ["report"], "nothing was recorded"


async def test_empty_unknown_and_wrong_kind_ids_are_refused_in_one_line(
        env: WorkflowEnvironment, settings: Settings, driver: CaseDriver, requests: RequestDriver,
        workspace: Workspace):
    case, request = await driver.open(), await requests.open("access")
    try:
        await _refuse_wrong_ids(env, settings, case.id, request.id, workspace)
    finally:  # they would outlive this test's worker on the shared dev server
        await case.terminate("test over")
        await request.terminate("test over")


async def _refuse_wrong_ids(env: WorkflowEnvironment, settings: Settings, case_id: str, request_id: str,
                            workspace: Workspace) -> None:
    unknown_case, unknown_request = "breach-2026-99999999", "dsr-2026-99999999"
    act_breach = ["assess_breach", "--set", "is_breach=true", "--set", "reason=x"]
    expectations = [
        (["case", "show", ""], ["is empty"]),
        (["request", "show", " "], ["is empty"]),
        (["case", "show", request_id], ["er en anmodning", f"gdpr request show {request_id}"]),
        (["case", "drafts", request_id], ["er en anmodning"]),
        (["case", "act", request_id, *act_breach], ["er en anmodning"]),
        (["request", "show", case_id], ["er en brudsag", f"gdpr case show {case_id}"]),
        (["request", "answer", case_id], ["er en brudsag"]),
        (["case", "show", "breach-2026"], ["ikke et gyldigt id"]),
        (["case", "show", unknown_case], [f"sagen {unknown_case} findes ikke"]),
        (["case", "drafts", unknown_case], ["findes ikke"]),
        (["case", "act", unknown_case, *act_breach], ["findes ikke"]),
        (["request", "show", unknown_request], [f"anmodningen {unknown_request} findes ikke"]),
        (["request", "answer", unknown_request], ["findes ikke"]),
        (["request", "act", unknown_request, "extend", "--set", "reasons=x"], ["findes ikke"]),
    ]
    runs = await asyncio.gather(*(gdpr(env, settings, *args, workspace=workspace) for args, _ in expectations))
    for run, (_, expected) in zip(runs, expectations):
        one_line_error(run, *expected)


async def test_only_an_unreachable_temporal_gives_exit_code_3(env: WorkflowEnvironment, settings: Settings):
    run = await gdpr(env, settings, "case", "show", "breach-2026-0001", address=f"127.0.0.1:{free_port()}")
    one_line_error(run, "cannot reach Temporal", code=3)


async def test_times_outside_1990_to_next_year_are_refused_without_a_traceback(
        env: WorkflowEnvironment, settings: Settings, worker):
    report = ["breach", "report", "--what", "w", "--how", "h", "--affected-people", "p", "--affected-data", "d"]
    one_line_error(await gdpr(env, settings, *report, "--aware-at", "1900-01-01T10:00+01:00"),
                   "aware_at: must lie between 1990-01-01")
    one_line_error(await gdpr(env, settings, *report, "--aware-at", "9999-12-31T23:00+00:00"),
                   "aware_at: cannot be in the future")
    one_line_error(await gdpr(env, settings, "deadline", "breach", "--aware", "9999-12-31T23:00+00:00"),
                   "aware: cannot be more than a year in the future")
    one_line_error(await gdpr(env, settings, "deadline", "request", "--received", "9999-12-31"),
                   "more than a year in the future")
