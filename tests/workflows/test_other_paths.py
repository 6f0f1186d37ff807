"""The other ways a case ends: no risk, not a breach, and the organisation as processor."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError

from activities.db import breach_register, make_engine
from domain.breach import commands as c
from app.temporal_client import failure_message
from tests.support import DPO, KEY_PERSON, CaseDriver, MailBox
from workflows.breach import BreachCaseWorkflow

NO_RISK_DOC = {"started_at": "2026-11-20T09:00:00+01:00", "ended_at": "2026-11-20T09:40:00+01:00",
               "scope": "Én mail med to elevers navne", "cause": "Forkert modtager valgt",
               "reached_unauthorised": True, "unauthorised_recipients": "Én forælder i en anden klasse",
               "recipients_cannot_or_will_not_use": "Har skriftligt bekræftet ikke at ville bruge dem",
               "recipients_no_longer_hold": "Har slettet mailen og bekræftet det skriftligt"}


def _register_row(driver: CaseDriver, case_id: str) -> dict:
    engine = make_engine(driver.settings.database_url)
    with engine.connect() as conn:
        return dict(conn.execute(select(breach_register).where(breach_register.c.case_id == case_id)).mappings().one())


async def test_no_risk_case_is_closed_with_seed_003_documentation_and_a_register_row(driver: CaseDriver):
    handle = await driver.open()
    await driver.to_fact_finding(handle)
    view = await driver.act(handle, "assess_notification", c.AssessNotification(
        actor=KEY_PERSON, level="no_risk", deviation_reason="Afviger bevidst fra forslaget i testen", reasons="Modtageren har slettet mailen; ingen risiko",
        no_risk_documentation=NO_RISK_DOC))
    assert view.state == "no_risk_proposed" and not view.deadline_met  # the nøgleperson alone cannot say "no"
    view = await driver.act(handle, "co_decide", c.CoDecide(actor=DPO, approve=True))
    assert view.state == "subject_decision" and view.deadline_met
    await driver.act(handle, "decide_communication", c.DecideCommunication(
        actor=KEY_PERSON, communicate=False, reason="Ingen anmeldelse til Datatilsynet (seed 003 aktivitet 8)"))
    await driver.act(handle, "document", c.Document(actor=KEY_PERSON, summary="Fejladresseret mail, slettet"))
    await driver.act(handle, "close", c.Close(actor=KEY_PERSON, lessons_learned="Tjek modtager før afsendelse"))
    assert (await driver.closed_for_good(handle)).state == "closed"

    row = _register_row(driver, handle.id)
    assert row["state"] == "closed" and row["risk_level"] == "no_risk"
    assert row["no_decided_by"] == f"{KEY_PERSON.name} (nøgleperson) og {DPO.name} (DPO)"
    assert row["f8_authority_notified_at"] is None
    assert row["f8_1_reason_not_notified"] == "Modtageren har slettet mailen; ingen risiko"
    assert row["f9_1_reason_not_communicated"].startswith("Ingen anmeldelse til Datatilsynet")
    assert row["f4_cause"] == "Forkert modtagergruppe valgt" and row["lessons_learned"]


async def test_an_incident_that_is_not_a_breach_is_closed_with_its_reason_in_the_register(driver: CaseDriver):
    handle = await driver.open()
    view = await driver.act(handle, "assess_breach", c.AssessBreach(
        actor=KEY_PERSON, is_breach=False, reason="Listen indeholdt kun offentlige holdnavne"))
    assert view.state == "not_breach_proposed" and not view.deadline_met
    view = await driver.act(handle, "co_decide", c.CoDecide(actor=DPO, approve=True))
    assert view.state == "closed"
    await driver.closed_for_good(handle)
    row = _register_row(driver, handle.id)
    assert row["is_breach"] is False
    assert row["f8_1_reason_not_notified"].endswith("Listen indeholdt kun offentlige holdnavne")


async def test_a_processor_notifies_the_controller_by_mail_within_its_own_deadline(driver: CaseDriver, mailbox: MailBox):
    controller = {"name": "Kommunens skoleforvaltning", "email": "dpo@kommune.example"}
    handle = await driver.open(org_role="processor", controller=controller)
    view = await handle.query(BreachCaseWorkflow.view)
    assert view.deadline - view.aware_at == timedelta(hours=24)
    await driver.to_fact_finding(handle)
    refused = await _refusal(handle, c.AssessNotification(
        actor=KEY_PERSON, level="no_risk", deviation_reason="Afviger bevidst fra forslaget i testen", reasons="lav", no_risk_documentation=NO_RISK_DOC))
    assert "processor" in refused
    await driver.act(handle, "assess_notification", c.AssessNotification(
        actor=KEY_PERSON, level="risk", deviation_reason="Afviger bevidst fra forslaget i testen", reasons="Den dataansvarlige skal vurdere"))
    await driver.act(handle, "submit_notification_draft", c.SubmitNotificationDraft(
        actor=KEY_PERSON, likely_consequences="Ukendt for os", measures_proposed="Afventer instruks"))
    await driver.act(handle, "review_draft", c.ReviewDraft(actor=DPO, approve=True))
    await driver.act(handle, "record_submission", c.RecordSubmission(actor=DPO))
    mails = await mailbox.wait_for(handle.id, 6)  # opened, receipt, informed, draft, approved, controller
    to_controller = [m for m in mails if "dpo@kommune.example" in m["To"]]
    assert len(to_controller) == 1 and "art. 33, stk. 2" in to_controller[0].get_content()
    await driver.settle(handle)
    row = _register_row(driver, handle.id)  # the controller was told; Datatilsynet was not (seed 004)
    assert row["controller_notified_at"] is not None and row["f8_authority_notified_at"] is None


async def _refusal(handle, cmd) -> str:
    try:
        await handle.execute_update("assess_notification", cmd)
    except WorkflowUpdateFailedError as err:
        return failure_message(err)
    raise AssertionError("update was not refused")
