"""An update taken by a worker without the case in its cache, right after two workflow tasks that only took in
activity results, replays: the flake of test_worker_crash.py, made to happen every time.

sdk-core groups an empty workflow task with the next one when a fresh worker takes the update, but not when it
replays the recorded history (https://github.com/temporalio/sdk-rust/issues/1146). Here the register write of
the step before the update is what completes in the second empty task, so the live worker applied the update
while that write still looked in flight, and the replay after it. A step that started its record first then
recorded `render_draft` before `record_step` live and issued `record_step` first on replay: a nondeterminism
error, the case stuck. A case started today starts a step's lane effects last (CaseWorkflow._emit).
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from activities.register import StepRecord
from app.settings import Settings
from app.temporal_client import data_converter
from app.worker import WORKFLOWS, build_activities, workflow_runner
from domain.breach import commands as c
from domain.breach.model import CaseView
from domain.kernel.mail import OutgoingMail
from tests.support import KEY_PERSON, CaseDriver
from workflows.breach import BreachCaseWorkflow


class Gate:
    """Holds the activity calls it matches until opened."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self._open = threading.Event()

    def hold(self) -> None:
        self.arrived.set()
        assert self._open.wait(60), "the gate was never opened"

    def open(self) -> None:
        self._open.set()


def _gated_activities(settings: Settings, mail_gate: Gate, register_gate: Gate) -> list[Callable[..., Any]]:
    real = {getattr(fn, "__name__", ""): fn for fn in build_activities(settings)}

    @activity.defn(name="send_mail")
    def send_mail(mail: OutgoingMail) -> str:
        if mail.key.endswith(".management-informed"):
            mail_gate.hold()
        return real["send_mail"](mail)

    @activity.defn(name="record_step")
    def record_step(record: StepRecord) -> None:
        if record.event.action == "assess_notification":
            register_gate.hold()
        real["record_step"](record)

    return [send_mail, record_step, *(fn for name, fn in real.items() if name not in ("send_mail", "record_step"))]


def _workflow_worker(env: WorkflowEnvironment, settings: Settings) -> Worker:
    """Workflows only, with a cache of its own: a new one has no case in its cache."""
    return Worker(env.client, task_queue=settings.task_queue, workflows=WORKFLOWS, workflow_runner=workflow_runner())


async def _workflow_tasks(handle: WorkflowHandle) -> int:
    history = await handle.fetch_history()
    return sum(e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED for e in history.events)


async def test_an_update_after_two_empty_workflow_tasks_taken_by_a_fresh_worker_replays(
        env: WorkflowEnvironment, settings: Settings):
    driver = CaseDriver(env, settings)
    mail_gate, register_gate = Gate(), Gate()
    with ThreadPoolExecutor(max_workers=8) as executor:
        activities = Worker(env.client, task_queue=settings.task_queue, activity_executor=executor,
                            activities=_gated_activities(settings, mail_gate, register_gate))
        async with activities:
            async with _workflow_worker(env, settings):
                handle = await driver.open()
                await driver.to_fact_finding(handle)  # the management mail is held
                await driver.act(handle, "assess_notification", c.AssessNotification(
                    actor=KEY_PERSON, level="risk", deviation_reason="Afviger bevidst fra forslaget i testen",
                    reasons="CPR-numre"))
                await asyncio.to_thread(register_gate.arrived.wait, 20)  # and the step's register write
                # Each completes in a workflow task of its own that records nothing: two empty tasks in a row.
                await _until(lambda: _pending(handle), 2)
                for gate, left in ((mail_gate, 1), (register_gate, 0)):
                    tasks = await _workflow_tasks(handle)
                    gate.open()
                    await _until(lambda: _pending(handle), left)
                    await _until(lambda: _workflow_tasks(handle), tasks + 1)
                assert await _workflow_tasks(handle) == tasks + 1
            # The worker is gone with its cache; the next update waits for a new one.
            pending = asyncio.create_task(driver.act(handle, "submit_notification_draft", c.SubmitNotificationDraft(
                actor=KEY_PERSON, likely_consequences="Identitetsmisbrug", measures_proposed="Undervisning")))
            await asyncio.sleep(1)
            async with _workflow_worker(env, settings):
                view = await asyncio.wait_for(pending, 60)
                assert view.state == "notification_review"
                await driver.settle(handle)
                history = await handle.fetch_history()
            await handle.terminate("test over")

    replayer = Replayer(workflows=[BreachCaseWorkflow], data_converter=data_converter(Settings(_env_file=None)),
                        workflow_runner=workflow_runner())
    result = await replayer.replay_workflow(WorkflowHistory(handle.id, history.events),
                                            raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
    scheduled = [e.activity_task_scheduled_event_attributes.activity_type.name for e in history.events
                 if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
    assert scheduled[-3:] == ["render_draft", "record_step", "send_mail"]  # the record after the step's other effects


async def _pending(handle: WorkflowHandle) -> int:
    return (await handle.query("view", result_type=CaseView)).pending_effects


async def _until(read: Callable[[], Awaitable[int]], expected: int, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while (value := await read()) != expected:
        assert loop.time() < end, f"timed out waiting for {expected}, have {value}"
        await asyncio.sleep(0.05)
