"""A case started today records what it needs and no more: one patch marker, search attributes only when they
change, a small result for each action, and register steps that queued up written together; its history
replays on the current code."""

from __future__ import annotations

import asyncio
import json
import sqlite3

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.worker import Replayer

from activities.audit import verify_chain
from activities.db import make_engine
from domain.breach import commands as c
from domain.kernel.dead_letters import DeadLetterView
from domain.kernel.model import ActionResult
from app.settings import Settings
from app.temporal_client import data_converter
from tests.support import KEY_PERSON, CaseDriver, facts
from tests.workflows.support import query, register_db
from app.worker import workflow_runner
from workflows.breach import BreachCaseWorkflow
from workflows.common import BASELINE
from workflows.search_attributes import CASE_KIND, CASE_STATE, DEADLINE, NEXT_ROLE, ORGANISATION

GDPR_ATTRIBUTES = {key.name for key in (CASE_KIND, CASE_STATE, DEADLINE, NEXT_ROLE, ORGANISATION)}


def _patch_ids(history: WorkflowHistory) -> list[str]:
    ids = []
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            for payloads in event.marker_recorded_event_attributes.details.values():
                ids += [json.loads(p.data).get("id") for p in payloads.payloads]
    return ids


def _gdpr_upserts(history: WorkflowHistory) -> list[set[str]]:
    """The case's own search attributes set by each upsert (the SDK's TemporalChangeVersion left out)."""
    upserts = []
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            fields = set(event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)
            if fields & GDPR_ATTRIBUTES:
                upserts.append(fields & GDPR_ATTRIBUTES)
    return upserts


STEPS = [("assess_breach", c.AssessBreach(actor=KEY_PERSON, is_breach=True, reason="Elevliste til forkert modtager")),
         ("contain", c.Contain(actor=KEY_PERSON, measures="Beskeden slettet", system_stopped=False)),
         ("inform_management", c.InformManagement(actor=KEY_PERSON, crisis_team=["Skoleleder"])),
         ("record_facts", c.RecordFacts(actor=KEY_PERSON, facts=facts()))]


def _activities(history: WorkflowHistory) -> list[str]:
    return [e.activity_task_scheduled_event_attributes.activity_type.name for e in history.events
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]


async def test_a_new_case_records_one_patch_marker_and_upserts_only_changed_search_attributes(driver: CaseDriver):
    handle = await driver.open()
    steps = STEPS
    results = [await handle.execute_update(name, cmd, result_type=ActionResult) for name, cmd in steps]
    assert [(r.state, r.seq) for r in results] == [
        ("containment", 2), ("informing", 3), ("fact_finding", 4), ("fact_finding", 5)]
    await driver.settle(handle)
    history = await handle.fetch_history()

    assert _patch_ids(history) == [BASELINE]
    # Opened: all five; each state change: the state alone; the facts change nothing the UI searches by.
    assert _gdpr_upserts(history) == [GDPR_ATTRIBUTES, {CASE_STATE.name}, {CASE_STATE.name}, {CASE_STATE.name}]
    attributes = (await handle.describe()).typed_search_attributes
    assert (attributes.get(CASE_STATE), attributes.get(NEXT_ROLE)) == ("fact_finding", "key_person")

    replayer = Replayer(workflows=[BreachCaseWorkflow], data_converter=data_converter(Settings(_env_file=None)),
                        workflow_runner=workflow_runner())
    assert (await replayer.replay_workflow(history)).replay_failure is None
    await handle.terminate("test over")


async def _queue_behind_a_locked_register(driver: CaseDriver, handle: WorkflowHandle, steps: list) -> None:
    """Send `steps` while another process holds the register's write lock: the first step's write waits for
    it, the others queue behind that write."""
    busy = sqlite3.connect(register_db(driver.settings), isolation_level=None)
    busy.execute("BEGIN IMMEDIATE")
    try:
        for name, cmd in steps:
            await handle.execute_update(name, cmd, result_type=ActionResult)
        await asyncio.sleep(0.5)
    finally:
        busy.execute("ROLLBACK")
        busy.close()


async def test_steps_that_queue_behind_a_slow_register_write_are_written_together(driver: CaseDriver):
    handle = await driver.open()
    await driver.settle(handle)  # the opening step is in the register
    await _queue_behind_a_locked_register(driver, handle, STEPS[:3])
    await driver.settle(handle)
    history = await handle.fetch_history()

    # The first step's write waited for the lock; the two behind it went in one activity, in one transaction.
    writes = [name for name in _activities(history) if name.startswith("record_step")]
    assert writes == ["record_step", "record_step", "record_steps"]
    assert query(driver.settings, "SELECT seq, action FROM case_events WHERE case_id = ? ORDER BY seq", handle.id) == [
        (1, "report"), (2, "assess_breach"), (3, "contain"), (4, "inform_management")]
    assert query(driver.settings, "SELECT state, last_seq FROM breach_register WHERE case_id = ?", handle.id) == [
        ("fact_finding", 4)]
    assert verify_chain(make_engine(driver.settings.database_url)).ok
    await handle.terminate("test over")


async def test_a_refused_step_among_queued_ones_is_the_only_dead_letter(driver: CaseDriver):
    query(driver.settings, "CREATE TRIGGER refuse BEFORE INSERT ON case_events WHEN NEW.action = 'contain' "
                           "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    handle = await driver.open()
    await driver.settle(handle)
    await _queue_behind_a_locked_register(driver, handle, STEPS[:3])
    await driver.settle(handle)

    # contain and inform_management were queued together; refused, they were written one at a time.
    writes = [name for name in _activities(await handle.fetch_history()) if name.startswith("record_step")]
    assert writes == ["record_step", "record_step", "record_steps", "record_step", "record_step"]
    [letter] = await handle.query("dead_letters", result_type=list[DeadLetterView])
    assert letter.effect_key == f"{handle.id}.step.3.contain"
    assert query(driver.settings, "SELECT seq FROM case_events WHERE case_id = ? ORDER BY seq", handle.id) == [
        (1,), (2,), (4,)]
    await handle.terminate("test over")
