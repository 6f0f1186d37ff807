"""Deadlines on durable timers, tested with server-side time skipping on the real dev server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from domain.breach import commands as c
from domain.breach.model import CaseView
from tests.support import DPO, KEY_PERSON, CaseDriver, MailBox
from workflows.breach import BreachCaseWorkflow

TOLERANCE = timedelta(minutes=1)


def _events(view: CaseView, action: str):
    return [e for e in view.timeline if e.action == action]


async def _to_drafting(driver: CaseDriver, handle) -> None:
    await driver.to_fact_finding(handle)
    await driver.act(handle, "assess_notification", c.AssessNotification(
        actor=KEY_PERSON, level="risk", deviation_reason="Afviger bevidst fra forslaget i testen", reasons="CPR-numre videregivet"))


async def test_reminders_fire_at_24_12_and_2_hours_before_and_escalation_at_72_hours(
        driver: CaseDriver, env: WorkflowEnvironment, mailbox: MailBox):
    handle = await driver.open(aware_hours_ago=1)
    await _to_drafting(driver, handle)
    deadline = (await handle.query(BreachCaseWorkflow.view)).deadline

    await env.fast_forward(handle, timedelta(hours=48))
    view = await handle.query(BreachCaseWorkflow.view)
    assert [e.summary for e in _events(view, "reminder")] == ["Påmindelse: frist om 24 timer"]
    assert abs(_events(view, "reminder")[0].at - (deadline - timedelta(hours=24))) < TOLERANCE

    await env.fast_forward(handle, timedelta(hours=22))  # virtual +70 h after opening
    view = await handle.query(BreachCaseWorkflow.view)
    reminders = _events(view, "reminder")
    assert [r.at - deadline for r in reminders] == pytest.approx(
        [timedelta(hours=-24), timedelta(hours=-12), timedelta(hours=-2)], abs=TOLERANCE)
    assert not view.overdue

    await env.fast_forward(handle, timedelta(hours=3))  # past the deadline
    view = await handle.query(BreachCaseWorkflow.view)
    assert view.overdue
    (escalation,) = _events(view, "escalation")
    assert abs(escalation.at - deadline) < TOLERANCE

    mails = await mailbox.wait_for(handle.id, 6)
    subjects = [m["Subject"] for m in mails]
    assert sum("Frist om" in s for s in subjects) == 3
    escalation_mail = next(m for m in mails if "ESKALERING" in m["Subject"])
    assert "ledelse@eksempel-skole.dk" in escalation_mail["To"]

    # Art. 33(1): after the deadline, a notification without reasons for the delay is refused ...
    late = c.SubmitNotificationDraft(actor=KEY_PERSON, likely_consequences="Identitetsmisbrug",
                                     measures_proposed="Undervisning")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await driver.act(handle, "submit_notification_draft", late)
    assert "reasons for the delay" in str(refused.value.cause)
    # ... and accepted with them; they end up in the draft the DPO reads and in the register.
    late.delay_reasons = "Leverandørens redegørelse kom først efter fristen"
    view = await driver.act(handle, "submit_notification_draft", late)
    assert view.state == "notification_review"
    await driver.act(handle, "review_draft", c.ReviewDraft(actor=DPO, approve=True))
    view = await driver.act(handle, "record_submission", c.RecordSubmission(actor=DPO))
    assert view.deadline_met and "efter fristen" in view.timeline[-1].summary
    details = await handle.query(BreachCaseWorkflow.details)
    assert details.notification_delay_reasons == "Leverandørens redegørelse kom først efter fristen"


async def test_case_reported_with_awareness_70_hours_ago_gets_a_2_hour_deadline(
        driver: CaseDriver, env: WorkflowEnvironment):
    handle = await driver.open(aware_hours_ago=70)
    view = await handle.query(BreachCaseWorkflow.view)
    assert view.deadline == view.aware_at + timedelta(hours=72)
    assert timedelta(hours=1, minutes=58) < view.deadline - view.as_of <= timedelta(hours=2)

    await env.fast_forward(handle, timedelta(hours=2, minutes=5))
    view = await handle.query(BreachCaseWorkflow.view)
    assert view.overdue and _events(view, "escalation")
    assert not [e for e in _events(view, "reminder") if "24" in e.summary or "12" in e.summary]


async def test_no_reminder_or_escalation_once_no_risk_is_documented(driver: CaseDriver, env: WorkflowEnvironment):
    handle = await driver.open(aware_hours_ago=1)
    await driver.to_fact_finding(handle)
    await driver.act(handle, "assess_notification", c.AssessNotification(
        actor=KEY_PERSON, level="no_risk", deviation_reason="Afviger bevidst fra forslaget i testen", reasons="Krypteret og hentet tilbage",
        no_risk_documentation=_no_risk_doc()))
    await driver.act(handle, "co_decide", c.CoDecide(actor=DPO, approve=True))
    await env.fast_forward(handle, timedelta(hours=80))
    view = await handle.query(BreachCaseWorkflow.view)
    assert not view.overdue and not _events(view, "reminder") and not _events(view, "escalation")


async def test_a_no_risk_proposal_without_the_dpos_co_decision_is_still_reminded_and_escalated(
        driver: CaseDriver, env: WorkflowEnvironment):
    handle = await driver.open(aware_hours_ago=1)
    await driver.to_fact_finding(handle)
    await driver.act(handle, "assess_notification", c.AssessNotification(
        actor=KEY_PERSON, level="no_risk", deviation_reason="Afviger bevidst fra forslaget i testen",
        reasons="Krypteret og hentet tilbage", no_risk_documentation=_no_risk_doc()))
    await env.fast_forward(handle, timedelta(hours=80))
    view = await handle.query(BreachCaseWorkflow.view)
    assert view.state == "no_risk_proposed" and view.overdue and _events(view, "escalation")


async def test_supplier_is_reminded_after_the_configured_days_without_an_answer(
        driver: CaseDriver, env: WorkflowEnvironment, mailbox: MailBox):
    handle = await driver.open(aware_hours_ago=1)
    await driver.to_fact_finding(handle)
    await driver.act(handle, "request_supplier_accounts", c.RequestSupplierAccounts(
        actor=KEY_PERSON, suppliers=[c.SupplierContact(name="IT-leverandør", email="it@leverandor.example")]))
    await env.fast_forward(handle, timedelta(days=2, hours=1))
    view = await handle.query(BreachCaseWorkflow.view)
    assert [e.summary for e in _events(view, "supplier_reminder")] == ["Påmindelse 1 sendt til IT-leverandør"]
    mails = await mailbox.wait_for(handle.id, 4)
    assert any(m["Subject"].endswith("Påmindelse: Anmodning om redegørelse for sikkerhedsbrud") for m in mails)


def _no_risk_doc():
    from datetime import datetime, timezone
    start = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    return {"started_at": start, "ended_at": start + timedelta(minutes=40), "scope": "Én krypteret USB-nøgle",
            "cause": "Tabt på vej til mødet", "reached_unauthorised": False}
