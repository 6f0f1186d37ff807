"""Junk sent straight to a running case's updates is accepted or rejected; it never fails a workflow task.

The payloads bypass the client's pydantic models (raw JSON through `RawValue`), as a
buggy script or an attacker with access to the port would send them. One breach case is
walked through its whole procedure with junk fired at each step's update before the real
step is taken; one request gets junk at every update while it waits for identity and at
the steps after. Afterwards no history holds a WorkflowTaskFailed event.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import RawValue

from domain.requests.machine import COMMAND_TYPES as REQUEST_COMMANDS
from domain.requests.model import RequestView
from domain.breach.model import CaseView
from tests.junk import draw, junk_for
from tests.support import CaseDriver, RequestDriver
from tests.unit.cases import PATH, REQUEST_BASELINES, commands

PER_STEP = 6  # junk payloads fired at each step's own update
PER_OTHER = 2  # junk payloads at each other update while the case waits


def raw(value: Any) -> RawValue:
    return RawValue(Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(value).encode()))


async def fire(handle: WorkflowHandle, update: str, value: Any, outcomes: Counter) -> None:
    try:
        await asyncio.wait_for(handle.execute_update(update, raw(value)), timeout=20)
        outcomes["accepted"] += 1
    except WorkflowUpdateFailedError:
        outcomes["rejected"] += 1


async def assert_no_failed_workflow_task(handle: WorkflowHandle) -> None:
    async for event in handle.fetch_history_events():
        assert event.event_type != EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, event
    assert (await handle.describe()).status in (WorkflowExecutionStatus.RUNNING, WorkflowExecutionStatus.COMPLETED)


async def end(handle: WorkflowHandle) -> None:
    """Later tests list every running case and this worker is gone then; a closed case has ended already."""
    if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
        await handle.terminate("test over")


async def test_junk_at_every_breach_update_never_fails_a_workflow_task(driver: CaseDriver):
    outcomes: Counter = Counter()
    handles = [await driver.open()]
    for trigger, variants in {t: commands(t) for t, _, _ in PATH}.items():
        baseline = next(iter(variants.values())).model_dump(mode="json")
        for junk in draw(junk_for(baseline, keep=("actor",)), PER_OTHER):
            await fire(handles[-1], trigger.value, junk, outcomes)

    done: list[tuple[Any, str]] = []
    for trigger, variant, expected in PATH:
        command = commands(trigger)[variant]
        for junk in draw(junk_for(command.model_dump(mode="json"), keep=("actor",)), PER_STEP):
            await fire(handles[-1], trigger.value, junk, outcomes)
        done.append((trigger, variant))
        try:
            view = await driver.act(handles[-1], trigger.value, command)
            on_path = view.state == expected.value
        except WorkflowUpdateFailedError:
            on_path = False
        if not on_path:  # accepted junk took this case elsewhere: a fresh case, walked to here
            outcomes["fresh cases"] += 1
            handles.append(await driver.open())
            for step, how in done:
                view = await driver.act(handles[-1], step.value, commands(step)[how])
            assert view.state == expected.value

    for handle in handles:
        await assert_no_failed_workflow_task(handle)
    assert isinstance(await handles[-1].query("view", result_type=CaseView), CaseView)
    for handle in handles:
        await end(handle)
    print(f"\nbreach update fuzz: {dict(outcomes)}")  # shown with -s; for the closing note
    assert outcomes["accepted"] + outcomes["rejected"] == len(PATH) * PER_STEP + len(set(t for t, _, _ in PATH)) * PER_OTHER


async def test_junk_at_every_request_update_never_fails_a_workflow_task(requests: RequestDriver):
    outcomes: Counter = Counter()
    handle = await requests.open("access")
    actor = {"name": "Mille", "role": "key_person"}
    baselines = {name: {"actor": actor, **fields} for name, fields in REQUEST_BASELINES.items()}
    for trigger in REQUEST_COMMANDS:
        for junk in draw(junk_for(baselines[trigger.value], keep=("actor",)), PER_OTHER):
            await fire(handle, trigger.value, junk, outcomes)
    for junk in draw(junk_for(baselines["verify_identity"], keep=("actor",)), PER_STEP):
        await fire(handle, "verify_identity", junk, outcomes)
    if not (await handle.query("view", result_type=RequestView)).verified:  # junk may have verified it
        await requests.verify(handle)
    for junk in draw(junk_for(baselines["complete_manual_task"], keep=("actor",)), PER_STEP):
        await fire(handle, "complete_manual_task", junk, outcomes)

    await assert_no_failed_workflow_task(handle)
    await end(handle)
    print(f"\nrequest update fuzz: {dict(outcomes)}")
    assert outcomes["accepted"] + outcomes["rejected"] == len(REQUEST_COMMANDS) * PER_OTHER + 2 * PER_STEP
