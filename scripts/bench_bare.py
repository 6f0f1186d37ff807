"""The bare case for scripts/bench.py: what a breach case costs Temporal itself, and nothing more.

The same shape as the first steps of a breach case as the benchmark drives it, with no domain in it:
started with the same input, four updates taking the same commands, the same eight activity calls
in the same pattern (a register write per step, one after the other; the three mails each on their
own), and one durable timer pending (the deadline). The activities do nothing. The ratio
full/bare is then what the procedure, the register, the mail and the payloads add.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from domain.breach import commands as c
    from domain.breach.model import BreachCaseInput

# What each step of the breach case emits, in order (workflows/breach.py, domain/breach/case.py): the
# opening writes the register and mails the DPO and a receipt to the reporter; assess_breach,
# contain and record_facts write the register; inform_management writes it and mails management.
OPENING_MAILS = 2
STEP_MAILS = {"assess_breach": 0, "contain": 0, "inform_management": 1, "record_facts": 0}
ACTIVITIES_PER_CASE = 1 + OPENING_MAILS + sum(1 + mails for mails in STEP_MAILS.values())


class BareResult(BaseModel):
    case_id: str
    steps: int


class BareActivities:
    """Activities that do nothing but count themselves, so the benchmark knows when a run has drained."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.finished = 0

    def _count(self) -> None:
        with self._lock:
            self.finished += 1

    @activity.defn(name="bare_register")
    def bare_register(self, key: str) -> None:
        """A register write that writes nothing."""
        self._count()

    @activity.defn(name="bare_mail")
    def bare_mail(self, key: str) -> str:
        """A mail that is not sent."""
        self._count()
        return key


@workflow.defn(name="BareCase")
class BareCaseWorkflow:
    @workflow.init
    def __init__(self, inp: BreachCaseInput) -> None:
        self._case_id = inp.case_id
        self._steps = 0
        self._register = asyncio.Lock()  # register writes in step order, as the breach case's lane
        self._tasks: set[asyncio.Task[None]] = set()
        self._running = 0
        self._emit(OPENING_MAILS)

    @workflow.run
    async def run(self, inp: BreachCaseInput) -> BareResult:
        """Open until the deadline, as a breach case is while the benchmark runs (one timer pending)."""
        try:
            await workflow.wait_condition(lambda: False, timeout=timedelta(hours=72))
        except asyncio.TimeoutError:
            pass
        await workflow.wait_condition(lambda: self._running == 0)
        return BareResult(case_id=self._case_id, steps=self._steps)

    @workflow.query
    def pending(self) -> int:
        return self._running

    def _emit(self, mails: int) -> None:
        self._steps += 1
        step = self._steps
        self._spawn(self._write(step))
        for n in range(mails):
            self._spawn(workflow.execute_activity("bare_mail", f"{self._case_id}.{step}.{n}",
                                                  start_to_close_timeout=timedelta(seconds=30)))

    async def _write(self, step: int) -> None:
        async with self._register:
            await workflow.execute_activity("bare_register", f"{self._case_id}.{step}",
                                            start_to_close_timeout=timedelta(seconds=30))

    def _spawn(self, work) -> None:
        self._running += 1

        async def tracked() -> None:
            try:
                await work
            finally:
                self._running -= 1

        task = asyncio.create_task(tracked())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _step(self, name: str) -> BareResult:
        self._emit(STEP_MAILS[name])
        return BareResult(case_id=self._case_id, steps=self._steps)

    @workflow.update
    async def assess_breach(self, cmd: c.AssessBreach) -> BareResult:
        return self._step("assess_breach")

    @workflow.update
    async def contain(self, cmd: c.Contain) -> BareResult:
        return self._step("contain")

    @workflow.update
    async def inform_management(self, cmd: c.InformManagement) -> BareResult:
        return self._step("inform_management")

    @workflow.update
    async def record_facts(self, cmd: c.RecordFacts) -> BareResult:
        return self._step("record_facts")
