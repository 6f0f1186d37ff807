"""Procedure rules of the breach case in virtual time: a high-risk case is never closed silently, a § 22
postponement is reviewed, a closed case can be reopened and followed up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from domain.breach import commands as c
from app.temporal_client import failure_message
from tests.support import DPO, KEY_PERSON, CaseDriver, MailBox
from workflows.breach import BreachCaseWorkflow


async def _refused(handle: WorkflowHandle, update: str, cmd: c.Command) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(update, cmd)
    return failure_message(failure.value)


async def _notified_high_risk(driver: CaseDriver) -> WorkflowHandle:
    handle = await driver.open(aware_hours_ago=2)
    await driver.to_fact_finding(handle)
    await driver.act(handle, "assess_notification", c.AssessNotification(
        actor=KEY_PERSON, level="high_risk", reasons="CPR-numre på børn videregivet"))
    await driver.act(handle, "submit_notification_draft", c.SubmitNotificationDraft(
        actor=KEY_PERSON, likely_consequences="Identitetsmisbrug", measures_proposed="Undervisning"))
    await driver.act(handle, "review_draft", c.ReviewDraft(actor=DPO, approve=True))
    await driver.act(handle, "record_submission", c.RecordSubmission(actor=DPO, reference="2026-431-0001"))
    return handle


async def _state(handle: WorkflowHandle) -> str:
    return await handle.query(BreachCaseWorkflow.state)


async def test_a_high_risk_case_cannot_reach_closed_without_communication_or_a_documented_ground(
        driver: CaseDriver, env: WorkflowEnvironment):
    handle = await _notified_high_risk(driver)
    silent = c.DecideCommunication(actor=KEY_PERSON, communicate=False, reason="Ikke nødvendigt")
    assert "Art. 34(3) ground" in await _refused(handle, "decide_communication", silent)
    for update, cmd in [("document", c.Document(actor=KEY_PERSON, summary="s")),
                        ("close", c.Close(actor=KEY_PERSON, lessons_learned="l"))]:
        assert "not possible in state 'subject_decision'" in await _refused(handle, update, cmd)

    await env.fast_forward(handle, timedelta(days=40))  # nobody acts for weeks: the case still waits
    assert await _state(handle) == "subject_decision"

    grounded = c.DecideCommunication(actor=KEY_PERSON, communicate=False, reason="Data var krypteret",
                                     exception="unintelligible",
                                     exception_evidence="AES-256 på bærbar; nøglen i skolens nøgleboks")
    await driver.act(handle, "decide_communication", grounded)
    await driver.act(handle, "document", c.Document(actor=KEY_PERSON, summary="Forløb som i tidslinjen"))
    await driver.act(handle, "close", c.Close(actor=KEY_PERSON, lessons_learned="Kryptering virker"))
    details = await handle.query(BreachCaseWorkflow.details)
    assert details.state == "closed" and details.art34_evidence.startswith("AES-256")


async def test_a_section_22_postponement_is_reviewed_on_its_date_and_the_case_waits_for_it(
        driver: CaseDriver, env: WorkflowEnvironment, mailbox: MailBox):
    handle = await _notified_high_risk(driver)
    await driver.act(handle, "decide_communication", c.DecideCommunication(
        actor=KEY_PERSON, communicate=True, reason="Høj risiko"))
    now = (await handle.query(BreachCaseWorkflow.details)).timeline[-1].at  # the workflow's clock
    await driver.act(handle, "postpone_communication", c.PostponeCommunication(
        actor=DPO, legal_basis="Databeskyttelseslovens § 22, stk. 1", reason="Politiet efterforsker sagen",
        requested_by="Østjyllands Politi", review_at=now + timedelta(days=7)))
    assert "not possible" in await _refused(handle, "close", c.Close(actor=KEY_PERSON, lessons_learned="l"))

    await env.fast_forward(handle, timedelta(days=7, hours=1))
    await CaseDriver.settle(handle)
    due = [m for m in mailbox.for_case(handle.id) if "Udsættelsen af underretningen skal vurderes" in m["Subject"]]
    assert due and "Østjyllands Politi" in due[0].get_content()
    await driver.act(handle, "review_postponement", c.ReviewPostponement(
        actor=DPO, resume=True, reason="Politiet har givet tilladelse"))
    assert await _state(handle) == "subject_decision"


async def test_a_closed_case_is_reopened_followed_up_and_closed_again(
        driver: CaseDriver, env: WorkflowEnvironment, mailbox: MailBox):
    handle = await _notified_high_risk(driver)
    await driver.act(handle, "decide_communication", c.DecideCommunication(
        actor=KEY_PERSON, communicate=False, reason="Krypteret", exception="unintelligible",
        exception_evidence="AES-256"))
    await driver.act(handle, "document", c.Document(actor=KEY_PERSON, summary="s"))
    await driver.act(handle, "close", c.Close(actor=KEY_PERSON, lessons_learned="l"))
    assert await _state(handle) == "closed"

    await env.fast_forward(handle, timedelta(days=30))  # a month later: new facts
    await driver.act(handle, "add_follow_up", c.AddFollowUp(actor=DPO, new_facts="Leverandøren bekræfter sletning"))
    view = await driver.act(handle, "reopen", c.ReopenCase(actor=KEY_PERSON, reason="Nøglen var alligevel lækket"))
    assert view.state == "fact_finding"
    await driver.act(handle, "assess_notification", c.AssessNotification(
        actor=KEY_PERSON, level="high_risk", reasons="Nøglen er lækket: data kan læses"))
    await driver.act(handle, "submit_notification_draft", c.SubmitNotificationDraft(
        actor=KEY_PERSON, likely_consequences="Identitetsmisbrug", measures_proposed="Ny nøgle"))
    details = await handle.query(BreachCaseWorkflow.details)
    assert details.drafts[-1].notification.follow_up
    assert details.drafts[-1].notification.follow_up_of_reference == "2026-431-0001"
    await CaseDriver.settle(handle)
    subjects = [m["Subject"] for m in mailbox.for_case(handle.id)]
    assert any("Sagen er genåbnet" in s for s in subjects) and any("Opfølgning 1" in s for s in subjects)

    await driver.act(handle, "review_draft", c.ReviewDraft(actor=DPO, approve=True))
    await driver.act(handle, "record_submission", c.RecordSubmission(actor=DPO))
    await driver.act(handle, "decide_communication", c.DecideCommunication(
        actor=KEY_PERSON, communicate=True, reason="Høj risiko nu"))
    await driver.act(handle, "submit_communication_draft", c.SubmitCommunicationDraft(
        actor=KEY_PERSON, affectedness="certainly", description="d", likely_consequences="k",
        measures_taken="m", channel="brev"))
    await driver.act(handle, "review_draft", c.ReviewDraft(actor=DPO, approve=True))
    await driver.act(handle, "record_communication_sent", c.RecordCommunicationSent(actor=KEY_PERSON))
    await driver.act(handle, "document", c.Document(actor=KEY_PERSON, summary="s"))
    await driver.act(handle, "close", c.Close(actor=KEY_PERSON, lessons_learned="l"))
    result = await driver.closed_for_good(handle)  # the reopen window runs out in virtual time
    assert result.state == "closed"
