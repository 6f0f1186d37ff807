"""No wedged case: each side effect runs on its own, fails on its own, and is dead-lettered on its own.

Real dev server (virtual time), real SMTP, real SQLite. Outages are real too: the register
table is taken away (every write fails with "no such table", a transient error), the SMTP
port is closed, or a SQLite trigger refuses a value (a permanent error).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from domain.breach import commands as c
from domain.kernel.dead_letters import DeadLetterView, DiscardDeadLetter, RetryDeadLetter
from domain.kernel.model import Actor, Role
from domain.breach.model import CaseView
from app.mailsink import free_port, start_sink
from app.settings import Settings
from app.temporal_client import data_converter
from tests.support import DPO, KEY_PERSON, CaseDriver, MailBox, RequestDriver
from tests.workflows.support import ASSESS, eventually, query
from app.worker import WORKFLOWS, build_worker, workflow_runner

OPERATOR = Actor(name="Ole Drift", role=Role.KEY_PERSON)
CONTAIN = c.Contain(actor=KEY_PERSON, measures="Beskeden slettet i Aula", system_stopped=False)
INFORM = c.InformManagement(actor=KEY_PERSON, crisis_team=["Skoleleder", "DPO"])


@contextmanager
def register_outage(settings: Settings) -> Iterator[None]:
    """The breach register is unavailable (every write fails, and keeps failing) until the block ends."""
    query(settings, "ALTER TABLE breach_register RENAME TO breach_register_away")
    try:
        yield
    finally:
        query(settings, "ALTER TABLE breach_register_away RENAME TO breach_register")


@asynccontextmanager
async def worker_with(env: WorkflowEnvironment, settings: Settings) -> AsyncIterator[None]:
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with build_worker(env.client, settings, executor):
            yield


async def replays(handle: WorkflowHandle) -> bool:
    """The finished history, with effects run side by side and letters retried or discarded, is deterministic."""
    replayer = Replayer(workflows=WORKFLOWS, data_converter=data_converter(Settings(_env_file=None)), workflow_runner=workflow_runner())
    return (await replayer.replay_workflow(await handle.fetch_history())).replay_failure is None


async def letters(handle: WorkflowHandle) -> list[DeadLetterView]:
    return await handle.query("dead_letters", result_type=list[DeadLetterView])


async def test_a_register_outage_does_not_hold_back_the_deadline_reminder(
        env: WorkflowEnvironment, settings: Settings, driver: CaseDriver, mailbox: MailBox):
    handle = await driver.open(aware_hours_ago=1)  # deadline 71 h from now; the 24 h reminder at +47 h
    await driver.settle(handle)
    await env.fast_forward(handle, timedelta(hours=40))
    with register_outage(settings):
        await driver.act(handle, "assess_breach", ASSESS)  # its register write fails from now on
        await env.fast_forward(handle, timedelta(hours=8))
        mails = await mailbox.wait_for(handle.id, 2)
        assert [m["Subject"] for m in mails if m["Subject"] == f"[{handle.id}] Frist om 24 timer"]
        # ... while the register still fails: neither the assessment nor the reminder is in it.
        actions = {a for (a,) in query(settings, "SELECT action FROM case_events WHERE case_id = ?", handle.id)}
        assert actions == {"report"}
        assert (await handle.query("view", result_type=CaseView)).pending_effects >= 2
    # The outage is over: the retries get through and the register shows the latest step.
    await env.fast_forward(handle, timedelta(minutes=30))
    await eventually(lambda: {"assess_breach", "reminder"} <= {a for (a,) in query(
        settings, "SELECT action FROM case_events WHERE case_id = ?", handle.id)}, what="register catch-up")
    assert query(settings, "SELECT state FROM breach_register WHERE case_id = ?", handle.id) == [("containment",)]
    assert await letters(handle) == []


async def test_a_mail_outage_does_not_stop_the_register_and_the_mail_goes_out_once_smtp_is_back(
        env: WorkflowEnvironment, settings: Settings):
    closed_port = free_port()  # nothing listens here: every SMTP connection is refused
    down = settings.model_copy(update={"smtp_port": closed_port})
    async with worker_with(env, down):
        driver = CaseDriver(env, down)
        handle = await driver.open()
        await driver.act(handle, "assess_breach", ASSESS)
        await driver.act(handle, "contain", CONTAIN)
        await eventually(lambda: query(settings, "SELECT state FROM breach_register WHERE case_id = ?",
                                       handle.id) == [("informing",)], what="register rows during the mail outage")
        assert len(query(settings, "SELECT seq FROM case_events WHERE case_id = ?", handle.id)) == 3
        await eventually(lambda: query(settings, "SELECT status FROM mail_outbox WHERE mail_key = ?",
                                       f"{handle.id}.opened") == [("sending",)], what="the opening mail attempted")
        # Retries are bounded: after a day of refusals the mail is dead-lettered, not retried for ever.
        mail_schedules = [e.activity_task_scheduled_event_attributes async for e in handle.fetch_history_events()
                          if e.activity_task_scheduled_event_attributes.activity_type.name == "send_mail"]
        assert mail_schedules and all(a.schedule_to_close_timeout.ToTimedelta() == timedelta(hours=24)
                                      for a in mail_schedules)
        controller, sink = start_sink("127.0.0.1", closed_port)  # SMTP is back
        try:
            await env.fast_forward(handle, timedelta(minutes=15))  # the next retry is at most 10 minutes away
            await eventually(lambda: any(m["X-GDPR-Case"] == handle.id for m in sink.snapshot()),
                             what="the opening mail after the outage")
        finally:
            controller.stop()
        assert await letters(handle) == []


async def test_a_value_the_register_refuses_is_dead_lettered_with_an_operator_alert_and_the_case_goes_on(
        env: WorkflowEnvironment, settings: Settings, driver: CaseDriver, mailbox: MailBox):
    handle = await driver.open()
    await driver.settle(handle)
    # The database refuses the contained step's row for good (its message even quotes personal data).
    query(settings, "CREATE TRIGGER refuse BEFORE UPDATE ON breach_register WHEN NEW.state = 'informing' "
                    "BEGIN SELECT RAISE(ABORT, 'refused ''Karen Jensen'' karen@example.dk 0101901234'); END")
    await driver.act(handle, "assess_breach", ASSESS)
    await driver.act(handle, "contain", CONTAIN)
    await eventually(lambda: any(m["To"] == settings.operator_email for m in mailbox.for_case(handle.id)),
                     what="the operator alert")
    alert = next(m for m in mailbox.for_case(handle.id) if m["To"] == settings.operator_email)
    assert f"{handle.id}/1" in alert.get_content() and "registrering af et sagsskridt" in alert.get_content()
    [row] = query(settings, "SELECT letter_id, effect_kind, effect_key, error_type, error_message, status, failures "
                            "FROM dead_letters WHERE case_id = ?", handle.id)
    assert row[:4] == (f"{handle.id}/1", "register", f"{handle.id}.step.3.contain", "IntegrityError")
    assert row[5:] == ("open", 1)
    assert "Karen" not in row[4] and "@" not in row[4] and "0101901234" not in row[4]
    # The case goes on: the next step is recorded and mailed although the earlier one failed.
    await driver.act(handle, "inform_management", INFORM)
    await driver.settle(handle)
    assert query(settings, "SELECT state, last_seq FROM breach_register WHERE case_id = ?",
                 handle.id) == [("fact_finding", 4)]
    # Cause fixed, letter retried: the missing timeline event arrives and the newer row is not overwritten.
    query(settings, "DROP TRIGGER refuse")
    retried = await handle.execute_update("retry_dead_letter", RetryDeadLetter(actor=OPERATOR, number=1),
                                          result_type=DeadLetterView)
    assert retried.status.value == "retrying"
    await eventually(lambda: query(settings, "SELECT status FROM dead_letters WHERE case_id = ?", handle.id)
                     == [("resolved",)], what="the retried letter resolved")
    assert [s for (s,) in query(settings, "SELECT seq FROM case_events WHERE case_id = ? ORDER BY seq",
                                handle.id)] == [1, 2, 3, 4]
    assert query(settings, "SELECT state, last_seq FROM breach_register WHERE case_id = ?",
                 handle.id) == [("fact_finding", 4)]


async def test_a_closed_case_with_an_open_dead_letter_stays_open_until_the_operator_discards_it_with_a_reason(
        env: WorkflowEnvironment, settings: Settings, driver: CaseDriver):
    handle = await driver.open()
    await driver.settle(handle)
    query(settings, "CREATE TRIGGER refuse BEFORE UPDATE ON breach_register WHEN NEW.state = 'closed' "
                    "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    await driver.act(handle, "assess_breach", c.AssessBreach(actor=KEY_PERSON, is_breach=False,
                                                             reason="Oplysningerne var offentlige"))
    await driver.act(handle, "co_decide", c.CoDecide(actor=DPO, approve=True))
    await eventually(lambda: query(settings, "SELECT count(*) FROM dead_letters WHERE case_id = ?",
                                   handle.id) == [(1,)], what="the closing step dead-lettered")
    assert (await handle.query("view", result_type=CaseView)).state == "closed"
    assert (await handle.describe()).status.name == "RUNNING"
    view = await handle.execute_update("discard_dead_letter", DiscardDeadLetter(
        actor=OPERATOR, number=1, reason="Rækken rettet i hånden"), result_type=DeadLetterView)
    assert view.status.value == "discarded"
    await asyncio.wait_for(driver.closed_for_good(handle), timeout=20)
    assert query(settings, "SELECT status, changed_by, reason FROM dead_letters WHERE case_id = ?",
                 handle.id) == [("discarded", "Ole Drift", "Rækken rettet i hånden")]
    assert await replays(handle)


async def test_a_request_whose_register_write_is_refused_still_gets_its_answer_and_closes_once_the_letter_is_retried(
        env: WorkflowEnvironment, settings: Settings, requests: RequestDriver, mailbox: MailBox):
    query(settings, "CREATE TRIGGER refuse BEFORE INSERT ON case_events WHEN NEW.action = 'verify_identity' "
                    "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    handle = await requests.open("access")
    await requests.verify(handle)
    await requests.wait_state(handle, "processing")  # the systems were acted on although the step is not recorded
    await requests.complete_archive(handle)
    await requests.approve(handle)
    await eventually(lambda: any("Svar på din anmodning" in m["Subject"] for m in mailbox.for_case(handle.id)),
                     what="the answer to the requester")
    [letter] = await letters(handle)
    assert letter.effect_kind.value == "register" and letter.effect_key.endswith(".verify_identity")
    assert (await handle.describe()).status.name == "RUNNING"  # closed, but waiting for the operator
    query(settings, "DROP TRIGGER refuse")
    await handle.execute_update("retry_dead_letter", RetryDeadLetter(actor=OPERATOR, number=letter.number),
                                result_type=DeadLetterView)
    result = await asyncio.wait_for(handle.result(), timeout=20)
    assert result.state == "closed"
    assert query(settings, "SELECT state FROM dsr_register WHERE request_id = ?", handle.id) == [("closed",)]
    assert ("verify_identity",) in query(settings, "SELECT action FROM case_events WHERE case_id = ?", handle.id)
    assert await replays(handle)
