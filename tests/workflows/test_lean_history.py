"""A case started today records what it needs and no more: one patch marker, search attributes only when they
change, and a small result for each action; its history replays on the current code."""

from __future__ import annotations

import json

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from domain import commands as c
from domain.model import ActionResult
from settings import Settings
from temporal_client import data_converter
from tests.support import KEY_PERSON, CaseDriver, facts
from worker import workflow_runner
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


async def test_a_new_case_records_one_patch_marker_and_upserts_only_changed_search_attributes(driver: CaseDriver):
    handle = await driver.open()
    steps = [("assess_breach", c.AssessBreach(actor=KEY_PERSON, is_breach=True, reason="Elevliste til forkert modtager")),
             ("contain", c.Contain(actor=KEY_PERSON, measures="Beskeden slettet", system_stopped=False)),
             ("inform_management", c.InformManagement(actor=KEY_PERSON, crisis_team=["Skoleleder"])),
             ("record_facts", c.RecordFacts(actor=KEY_PERSON, facts=facts()))]
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
