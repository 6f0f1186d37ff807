"""No wedged case: each side effect runs on its own, fails on its own, and is dead-lettered on its own.

Real dev server (virtual time), real SMTP, real SQLite. Outages are real too: the register
table is taken away (every write fails with "no such table", a transient error), the SMTP
port is closed, or a SQLite trigger refuses a value (a permanent error).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain import commands as c
from domain.dead_letters import DeadLetterView, DiscardDeadLetter, RetryDeadLetter
from domain.model import Actor, CaseView, Role
from mailsink import free_port, start_sink
from settings import Settings
from tests.support import KEY_PERSON, CaseDriver, MailBox
from worker import build_worker

OPERATOR = Actor(name="Ole Drift", role=Role.KEY_PERSON)
ASSESS = c.AssessBreach(actor=KEY_PERSON, is_breach=True, reason="Personoplysninger videregivet til uvedkommende")
CONTAIN = c.Contain(actor=KEY_PERSON, measures="Beskeden slettet i Aula", system_stopped=False)
INFORM = c.InformManagement(actor=KEY_PERSON, crisis_team=["Skoleleder", "DPO"])


def register_db(settings: Settings) -> Path:
    return Path(settings.database_url.removeprefix("sqlite:///"))


def query(settings: Settings, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(register_db(settings)) as db:
        return db.execute(sql, params).fetchall()


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


async def eventually(check, timeout: float = 20.0, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


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
