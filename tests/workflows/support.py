"""Helpers the workflow tests share: a high-risk breach case run from report to close, a case with a dead
letter, the register read with plain SQL, waiting for a condition, and the stored histories the replay
tests read."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from temporalio.client import WorkflowHandle

from domain.breach import commands as c
from domain.breach.model import CaseResult, SupplierAccount
from app.settings import Settings
from tests.support import DPO, KEY_PERSON, CaseDriver

FIXTURES = Path(__file__).parent.parent / "fixtures"
# Histories that must keep replaying against today's workflow code (regenerate: GDPR_WRITE_FIXTURES=1 make test).
BREACH_FIXTURE = FIXTURES / "breach_high_risk_history.json"
REQUEST_FIXTURE = FIXTURES / "request_erasure_history.json"

ASSESS = c.AssessBreach(actor=KEY_PERSON, is_breach=True, reason="Personoplysninger videregivet til uvedkommende")


def register_db(settings: Settings) -> Path:
    return Path(settings.database_url.removeprefix("sqlite:///"))


def query(settings: Settings, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(register_db(settings)) as db:
        return db.execute(sql, params).fetchall()


async def eventually(check, timeout: float = 20.0, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def case_with_a_dead_letter(settings: Settings, driver: CaseDriver) -> WorkflowHandle:
    """A case whose register write for its first assessment the database refuses: one dead letter."""
    handle = await driver.open()
    await driver.settle(handle)
    query(settings, "CREATE TRIGGER refuse BEFORE UPDATE ON breach_register WHEN NEW.state = 'containment' "
                    "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    await driver.act(handle, "assess_breach", ASSESS)
    await eventually(lambda: query(settings, "SELECT count(*) FROM dead_letters WHERE case_id = ?",
                                   handle.id) == [(1,)], what="the dead letter")
    return handle


async def run_high_risk_case(driver: CaseDriver, handle: WorkflowHandle) -> CaseResult:
    act = driver.act
    await driver.to_fact_finding(handle)
    await act(handle, "request_supplier_accounts", c.RequestSupplierAccounts(
        actor=KEY_PERSON, suppliers=[c.SupplierContact(name="Netcompany", email="support@aula.example", system="Aula")]))
    await act(handle, "record_supplier_account", c.RecordSupplierAccount(
        actor=KEY_PERSON, supplier="Netcompany", account=SupplierAccount(
            timeline="Kl. 9.02 sendt, kl. 9.40 slettet", cause="Brugerfejl", consequences="24 modtagere",
            fix="Beskeden trukket tilbage", prevention="Bekræftelsesdialog ved følsomme vedhæftninger")))
    await act(handle, "assess_notification", c.AssessNotification(
        actor=KEY_PERSON, level="high_risk", reasons="CPR-numre på børn videregivet til en bred kreds"))
    await act(handle, "submit_notification_draft", c.SubmitNotificationDraft(
        actor=KEY_PERSON, likely_consequences="Risiko for identitetsmisbrug", measures_proposed="Undervisning"))
    view = await act(handle, "review_draft", c.ReviewDraft(actor=DPO, approve=False,
                                                           comments="Beskriv konsekvenserne for børnene konkret"))
    assert view.state == "notification_drafting"
    await act(handle, "submit_notification_draft", c.SubmitNotificationDraft(
        actor=KEY_PERSON, likely_consequences="CPR-numre på 24 børn kan misbruges til identitetstyveri",
        measures_proposed="Undervisning af personale; bekræftelsesdialog i Aula"))
    await act(handle, "review_draft", c.ReviewDraft(actor=DPO, approve=True))
    await act(handle, "record_submission", c.RecordSubmission(actor=DPO, reference="DT-2026-123"))
    await act(handle, "decide_communication", c.DecideCommunication(
        actor=KEY_PERSON, communicate=True, reason="Høj risiko for børnene"))
    await act(handle, "submit_communication_draft", c.SubmitCommunicationDraft(
        actor=KEY_PERSON, affectedness="certainly", description="Dit barns CPR-nummer blev sendt til forkerte modtagere",
        likely_consequences="Risiko for misbrug af CPR-nummeret", measures_taken="Beskeden er slettet", channel="Aula"))
    await act(handle, "review_draft", c.ReviewDraft(actor=DPO, approve=True))
    await act(handle, "record_communication_sent", c.RecordCommunicationSent(actor=KEY_PERSON, recipients=24))
    await act(handle, "add_follow_up", c.AddFollowUp(actor=DPO, new_facts="Alle modtagere har bekræftet sletning"))
    await act(handle, "document", c.Document(actor=KEY_PERSON, summary="Forløb og beslutninger som i tidslinjen"))
    await act(handle, "close", c.Close(actor=KEY_PERSON, lessons_learned="Bekræftelsesdialog indført"))
    return await driver.closed_for_good(handle)
