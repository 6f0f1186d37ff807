"""One data-subject request as one durable workflow.

Orchestration only: `domain.dsr_case` decides. People act through updates with
validators; SQL systems are acted on by connector activities, manual systems by tasks
mailed to their owners (with reminders); the one-month deadline, reminders, extension
and escalation are durable timers. Effects go through an ordered outbox.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from temporalio import workflow
from temporalio.exceptions import ActivityError

from workflows.common import (
    ACTIVITY_TIMEOUT, MAIL_RETRY, STORE_RETRY, drain_outbox, failure_text, make_update, rejected, wait_until,
)

with workflow.unsafe.imports_passed_through():
    import email_validator  # noqa: F401  (pydantic's EmailStr loads it lazily; load it once, outside)

    from activities.connectors import SqlActionRequest
    from activities.exports import ExportRequest
    from activities.register import RequestStepRecord
    from domain import dsr_case
    from domain import dsr_model as d
    from domain.model import SYSTEM, add_event
    from domain.dsr_machine import COMMAND_TYPES, REQUEST, RequestState, RequestTrigger
    from domain.dsr_register import build_request_entry
    from domain.mail_texts import OutgoingMail
    from domain.procedure import Rejection

T = RequestTrigger


class _FinishProcessing:
    """Outbox marker: every system has reported; write the exports and draft the answer."""


def _update(trigger: RequestTrigger) -> Any:
    return make_update(trigger, COMMAND_TYPES[trigger], d.RequestView)


@workflow.defn(name="DataSubjectRequest")
class DataSubjectRequestWorkflow:
    @workflow.init
    def __init__(self, inp: d.RequestInput) -> None:
        self.case, effects = dsr_case.open_request(inp, workflow.now())
        # Verified addresses, Art. 19 notices, the Art. 20 scope and encrypted exports change what a
        # case does; a history recorded before them replays with the old behaviour.
        self.case.legacy = not workflow.patched("dsr-verified-address-and-law")
        self._outbox: list[Any] = []
        self._watchers: list[asyncio.Task[None]] = []
        self._finishing = False
        self._emit(effects)

    @workflow.run
    async def run(self, inp: d.RequestInput) -> d.RequestResult:
        workflow.logger.info("request opened", extra={"type": inp.type.value, "channel": inp.channel.value})
        self._watchers.append(asyncio.create_task(self._watch_deadline()))
        await drain_outbox(self._outbox, self._closed, self._perform)
        workflow.logger.info("request closed", extra={"in_time": self.case.answered_in_time()})
        return d.RequestResult(request_id=self.case.request_id, state=self.case.state,
                               answered_at=self.case.answered_at, in_time=self.case.answered_in_time())

    verify_identity = _update(T.VERIFY_IDENTITY)
    request_information = _update(T.REQUEST_INFORMATION)
    record_information = _update(T.RECORD_INFORMATION)
    refuse = _update(T.REFUSE)
    assess_erasure = _update(T.ASSESS_ERASURE)
    decide_objection = _update(T.DECIDE_OBJECTION)
    complete_manual_task = _update(T.COMPLETE_MANUAL_TASK)
    review_answer = _update(T.REVIEW_ANSWER)
    revise_answer = _update(T.REVISE_ANSWER)
    extend = _update(T.EXTEND)
    lift_restriction = _update(T.LIFT_RESTRICTION)

    def _validate(self, trigger: RequestTrigger, cmd: d.Command) -> None:
        try:
            REQUEST.check(self.case, trigger, cmd, workflow.now())
        except Rejection as err:
            raise rejected(str(err)) from None

    def _act(self, trigger: RequestTrigger, cmd: d.Command) -> d.RequestView:
        slots_before = len(self.case.systems)
        try:
            effects = dsr_case.act(self.case, trigger, cmd, workflow.now())
        except Rejection as err:
            raise rejected(str(err)) from None
        except ValidationError as err:
            raise rejected(f"'{trigger.value}' refused: {err}") from None
        workflow.logger.info("action recorded", extra={"action": trigger.value, "state": self.case.state,
                                                       "role": cmd.actor.role.value})
        self._emit(effects)
        for slot in self.case.systems[slots_before:]:
            if slot.manual:
                self._watchers.append(asyncio.create_task(self._watch_owner(slot.system_id)))
        if trigger is T.REQUEST_INFORMATION:
            self._watchers.append(asyncio.create_task(self._watch_information(len(self.case.information_requests))))
        self._finish_if_done()
        return self.view()

    # --- queries ------------------------------------------------------------------------
    @workflow.query
    def view(self) -> d.RequestView:
        return dsr_case.request_view(self.case, workflow.now(), len(self._outbox))

    @workflow.query
    def details(self) -> d.RequestCase:
        return self.case

    # --- timers -------------------------------------------------------------------------
    def _answered(self) -> bool:
        return self.case.answered_at is not None or self.case.closed_at is not None

    async def _watch_deadline(self) -> None:
        sent: set[tuple[str, int]] = set()
        while not self._answered():
            deadline = self.case.deadline

            def changed_or_answered() -> bool:
                return self._answered() or self.case.deadline != deadline

            due = sorted(((deadline - timedelta(days=days), days) for days in self.case.inp.policy.reminder_days_before
                          if (deadline.isoformat(), days) not in sent and deadline - timedelta(days=days) > workflow.now()))
            if due:
                moment, days = due[0]
                if not await wait_until(moment, changed_or_answered, f"reminder {days} days before deadline"):
                    sent.add((deadline.isoformat(), days))
                    self._emit_system(dsr_case.remind_deadline(self.case, days, workflow.now()))
                continue
            if not self.case.overdue and not await wait_until(deadline, changed_or_answered, "request deadline"):
                self._emit_system(dsr_case.escalate(self.case, workflow.now()))
                workflow.logger.warning("request deadline passed; escalated")
            await workflow.wait_condition(changed_or_answered)

    async def _watch_owner(self, system_id: str) -> None:
        policy = self.case.inp.policy
        slot = self.case.result(system_id)
        for _ in range(policy.owner_max_reminders):
            moment = workflow.now() + timedelta(days=policy.owner_reminder_days)
            if await wait_until(moment, lambda: slot.status is d.SystemStatus.DONE, "system owner reminder"):
                return
            self._emit_system(dsr_case.remind_owner(self.case, system_id, workflow.now()))

    async def _watch_information(self, number: int) -> None:
        policy = self.case.inp.policy
        for reminder in (1, 2):
            moment = workflow.now() + timedelta(days=policy.information_reminder_days)
            if await wait_until(moment, lambda: len(self.case.information_answers) >= number or self._answered(),
                                "requester reminder"):
                return
            self._emit_system(dsr_case.remind_requester(self.case, reminder, workflow.now()))

    # --- effects ------------------------------------------------------------------------
    def _emit(self, effects: list[Any]) -> None:
        entry = build_request_entry(self.case, workflow.now())
        self._outbox.append(RequestStepRecord(event=self.case.timeline[-1], entry=entry))
        self._outbox.extend(effects)

    def _emit_system(self, effects: list[Any]) -> None:
        if effects:
            self._emit(effects)

    def _finish_if_done(self) -> None:
        if (self.case.state == RequestState.PROCESSING.value and self.case.all_systems_done()
                and not self._finishing):
            self._finishing = True
            self._outbox.append(_FinishProcessing())

    def _closed(self) -> bool:
        return self.case.closed_at is not None

    async def _perform(self, effect: Any) -> None:
        if isinstance(effect, RequestStepRecord):
            await workflow.execute_activity("record_request_step", effect, start_to_close_timeout=ACTIVITY_TIMEOUT,
                                            retry_policy=STORE_RETRY, summary=f"register: {effect.event.action}")
        elif isinstance(effect, OutgoingMail):
            await workflow.execute_activity("send_mail", effect, start_to_close_timeout=ACTIVITY_TIMEOUT,
                                            retry_policy=MAIL_RETRY, summary=f"mail: {effect.key.split('.', 1)[1]}")
        elif isinstance(effect, dsr_case.ExportPassword):
            await workflow.execute_activity("send_export_password", effect, start_to_close_timeout=ACTIVITY_TIMEOUT,
                                            retry_policy=MAIL_RETRY, summary="mail: export password")
        elif isinstance(effect, dsr_case.SystemAction):
            await self._system_action(effect)
        elif isinstance(effect, _FinishProcessing):
            await self._finish_processing()

    async def _system_action(self, effect: dsr_case.SystemAction) -> None:
        inp = self.case.inp
        request = SqlActionRequest(request_id=self.case.request_id, action=effect.action,
                                   system=inp.inventory.system(effect.system_id), identifiers=inp.identifiers,
                                   corrections=inp.corrections, consent_only=self.case.erasure_consent_only,
                                   at=workflow.now())
        try:
            result: d.SystemResult = await workflow.execute_activity(
                "perform_sql_action", request, result_type=d.SystemResult, start_to_close_timeout=timedelta(minutes=5),
                retry_policy=STORE_RETRY, summary=f"{effect.action}: {effect.system_id}")
        except ActivityError as err:  # e.g. the inventory names a column the system lacks: a person takes over
            self._emit(dsr_case.connector_failed(self.case, effect.system_id, failure_text(err), workflow.now()))
            self._watchers.append(asyncio.create_task(self._watch_owner(effect.system_id)))
            return
        now = workflow.now()
        if effect.action == "unrestrict":
            flagged = sum(t.flagged for t in result.tables)
            add_event(self.case, now, SYSTEM, "system_result",
                      f"{inp.inventory.system(effect.system_id).name}: begrænsning ophævet ({flagged} rækker)")
        else:
            dsr_case.record_system_result(self.case, result, now)
        self._emit([])
        self._finish_if_done()

    async def _finish_processing(self) -> None:
        if self.case.type in (d.RequestType.ACCESS, d.RequestType.PORTABILITY):
            files: list[str] = await workflow.execute_activity(
                "write_exports", ExportRequest(request_id=self.case.request_id, type=self.case.type,
                                               systems=dsr_case.export_systems(self.case)),
                result_type=list[str], start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=STORE_RETRY,
                summary="exports")
            self.case.export_files = files
        self._act(T.SYSTEMS_DONE, d.SystemsDone(actor=SYSTEM))

