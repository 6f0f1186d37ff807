"""One data-subject request as one durable workflow.

Orchestration only: `domain.requests.case` decides. People act through updates with
validators; SQL systems are acted on by connector activities, manual systems by tasks
mailed to their owners (with reminders); the one-month deadline, reminders, extension
and escalation are durable timers. Effects run each on its own (`Effects`); register
writes keep their order in one lane, system actions and the answer built from them in another.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, Callable

from temporalio import workflow
from temporalio.exceptions import ActivityError

from workflows.common import MAIL_RETRY, failure_text, run_effect_activity, wait_until

with workflow.unsafe.imports_passed_through():
    import email_validator  # noqa: F401  (pydantic's EmailStr loads it lazily; load it once, outside)

    from activities.failures import safe_text
    from activities.connectors import ConnectorActivities, ResolveRequest, SqlActionRequest
    from activities.exports import ExportActivities, ExportRequest
    from activities.mail import MailActivities
    from activities.register import RegisterActivities, RequestStepBatch, RequestStepRecord
    from domain.kernel import dead_letters as dl
    from domain.requests import case as dsr_case
    from domain.requests import model as d
    from domain.requests import resolution as dsr_person
    from domain.kernel.model import SYSTEM, ActionResult, add_event
    from domain.requests.machine import COMMAND_TYPES, REQUEST, RequestState, RequestTrigger
    from domain.kernel.deadlines import reminder_before
    from domain.requests.register import build_request_entry
    from domain.kernel.mail import OutgoingMail
    from domain.requests.person import PersonResolution
    from workflows.case_workflow import CaseWorkflow, baseline_patches, make_update

T = RequestTrigger
PERSON_RESOLUTION_PATCH = "person-resolution-before-acting"
ENCRYPTED_EXPORTS = "encrypted-exports"
# Connector activities heartbeat per table; a dead worker is noticed in seconds, not after 5 minutes.
CONNECTOR_TIMEOUT = timedelta(minutes=5)
CONNECTOR_HEARTBEAT = timedelta(seconds=20)


class _FinishProcessing:
    """Outbox marker: every system has reported; write the exports and draft the answer."""


def _update(trigger: RequestTrigger) -> Any:
    return make_update(trigger, COMMAND_TYPES[trigger], ActionResult)


@workflow.defn(name="DataSubjectRequest")
class DataSubjectRequestWorkflow(CaseWorkflow[RequestTrigger]):
    procedure = REQUEST
    case: d.RequestCase

    @workflow.init
    def __init__(self, inp: d.RequestInput) -> None:
        # First, before anything asks for a patch: a request started from now on has every change below.
        self._baseline, self._lanes_last = baseline_patches()
        self.case, effects = dsr_case.open_request(inp, workflow.now())
        # Verified addresses, Art. 19 notices, the Art. 20 scope and encrypted exports change what a
        # case does; a history recorded before them replays with the old behaviour.
        self.case.legacy = not (self._baseline or workflow.patched("dsr-verified-address-and-law"))
        self._finishing = False
        self._resolving: asyncio.Task[None] | None = None  # the one person resolution, shared by every effect
        self._person_checked = False
        self._begin(effects, describe=_describe, lane=_lane, batch=lambda records: RequestStepBatch(records=records))

    @workflow.run
    async def run(self, inp: d.RequestInput) -> d.RequestResult:
        workflow.logger.info("request opened", extra={"type": inp.type.value, "channel": inp.channel.value})
        self._watch(self._watch_deadline())
        await self._effects.run_until_done(self._closed, self._baseline)
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
    charge_fee = _update(T.CHARGE_FEE)
    refuse_part = _update(T.REFUSE_PART)
    release_third_party_data = _update(T.RELEASE_THIRD_PARTY_DATA)

    def _case_id(self) -> str:
        return self.case.request_id

    def _organisation(self) -> str:
        return self.case.inp.policy.organisation_name

    def _refusal(self, trigger: RequestTrigger) -> str | None:
        if self._finishing and trigger in (T.REFUSE_PART, T.RELEASE_THIRD_PARTY_DATA):
            return f"'{trigger.value}' refused: the export is being written; every system has reported"
        return None

    def _apply(self, trigger: RequestTrigger, cmd: d.Command) -> tuple[list[Any], Callable[[], None]]:
        slots_before = len(self.case.systems)
        effects = dsr_case.act(self.case, trigger, cmd, workflow.now())
        return effects, lambda: self._start_watchers(trigger, slots_before)

    def _start_watchers(self, trigger: RequestTrigger, slots_before: int) -> None:
        for slot in self.case.systems[slots_before:]:
            if slot.manual:
                self._watch(self._watch_owner(slot.system_id))
        if trigger is T.REQUEST_INFORMATION:
            self._watch(self._watch_information(len(self.case.information_requests)))
        self._finish_if_done()

    # --- queries ------------------------------------------------------------------------
    @workflow.query
    def view(self) -> d.RequestView:
        return dsr_case.request_view(self.case, workflow.now(), self._effects.pending())

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
                return self._answered() or self.case.deadline != deadline  # noqa: B023 - awaited in this iteration

            closing = tuple(self.case.inp.policy.closing_days)  # closing days bring a reminder forward
            moments = ((reminder_before(deadline, days, closing), days)
                       for days in self.case.inp.policy.reminder_days_before if (deadline.isoformat(), days) not in sent)
            due = sorted((moment, days) for moment, days in moments if moment > workflow.now())
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
    def _step_record(self) -> RequestStepRecord:
        return RequestStepRecord(event=self.case.timeline[-1], entry=build_request_entry(self.case, workflow.now()))

    def _finish_if_done(self) -> None:
        if (self.case.state == RequestState.PROCESSING.value and self.case.all_systems_done()
                and not self._finishing):
            self._finishing = True
            self._effects.add(_FinishProcessing())

    async def _perform(self, effect: Any) -> None:
        if await self._held_for_review(effect):
            return
        if isinstance(effect, RequestStepRecord):
            await run_effect_activity(RegisterActivities.record_request_step, effect, f"register: {effect.event.action}")
        elif isinstance(effect, RequestStepBatch):
            await run_effect_activity(RegisterActivities.record_request_steps, effect,
                                      "register: " + ", ".join(r.event.action for r in effect.records))
        elif isinstance(effect, OutgoingMail):
            await run_effect_activity(MailActivities.send_mail, effect, f"mail: {effect.key.split('.', 1)[1]}",
                                      retry=MAIL_RETRY)
        elif isinstance(effect, dsr_case.ExportPassword):
            await run_effect_activity(ExportActivities.send_export_password, effect, "mail: export password",
                                      retry=MAIL_RETRY)
        elif isinstance(effect, dsr_case.SystemAction):
            await self._system_action(effect)
        elif isinstance(effect, _FinishProcessing):
            await self._finish_processing()

    # --- one person, never a neighbour (docs/person-resolution.md) --------------------------
    async def _held_for_review(self, effect: Any) -> bool:
        """Resolve the person once, before the first effect that touches a system; then hold back
        the actions (and plain task mails) of systems that wait for manual review."""
        if not self.case.systems or not isinstance(effect, (OutgoingMail, dsr_case.SystemAction)):
            return False
        if isinstance(effect, OutgoingMail) and not effect.key.startswith(f"{self.case.request_id}.task-"):
            return False  # only task mails wait for the resolution; reminders and escalations never do
        if not self._person_checked:
            self._person_checked = True
            if self._baseline or workflow.patched(PERSON_RESOLUTION_PATCH):  # requests started before act as they did
                self._resolving = asyncio.create_task(self._resolve_person())
        if self._resolving is not None:
            await self._resolving
        if isinstance(effect, dsr_case.SystemAction):
            return effect.action != "unrestrict" and dsr_person.held_back(self.case, effect.system_id)
        for slot in (s for s in self.case.systems if dsr_person.held_back(self.case, s.system_id)):
            task = f"{self.case.request_id}.task-{slot.system_id}"
            if effect.key == task:  # the review mail replaces the plain task
                return True
            if effect.key.startswith(f"{task}.reminder-"):
                reminder = int(effect.key.rsplit("-", 1)[1])
                await self._perform(dsr_person.review_reminder(self.case, slot.system_id, reminder))
                return True
        return False

    async def _resolve_person(self) -> None:
        inventory = self.case.inp.inventory
        systems = [inventory.system(slot.system_id) for slot in self.case.systems if not slot.manual]
        try:
            resolution = await run_effect_activity(
                ConnectorActivities.resolve_person,
                ResolveRequest(request_id=self.case.request_id, systems=systems, identifiers=self.case.inp.identifiers),
                "resolve person", start_to_close=CONNECTOR_TIMEOUT, heartbeat=CONNECTOR_HEARTBEAT)
        except ActivityError:  # the look failed for good: no system may act on a guess, each waits for a person
            resolution = PersonResolution(unresolved=True)
        manual_before = {slot.system_id for slot in self.case.systems if slot.manual}
        self._emit(dsr_person.apply_resolution(self.case, resolution, workflow.now()))
        for slot in self.case.systems:
            if slot.manual and slot.system_id not in manual_before:
                self._watch(self._watch_owner(slot.system_id))
        workflow.logger.info("person resolved", extra={"conflict": resolution.conflict,
                                                       "review": sum(s.manual for s in self.case.systems) - len(manual_before)})

    def _row_keys(self, system_id: str) -> dict[str, list[Any]] | None:
        found = self.case.resolution.system(system_id) if self.case.resolution else None
        return found.keys() if found else None

    async def _system_action(self, effect: dsr_case.SystemAction) -> None:
        inp = self.case.inp
        request = SqlActionRequest(request_id=self.case.request_id, action=effect.action,
                                   system=dsr_case.system_for_action(self.case, effect.system_id),
                                   identifiers=inp.identifiers,
                                   corrections=inp.corrections, consent_only=self.case.erasure_consent_only,
                                   row_keys=self._row_keys(effect.system_id), at=workflow.now())
        try:
            result = await run_effect_activity(
                ConnectorActivities.perform_sql_action, request, f"{effect.action}: {effect.system_id}",
                start_to_close=CONNECTOR_TIMEOUT, heartbeat=CONNECTOR_HEARTBEAT)
        except ActivityError as err:  # e.g. the inventory names a column the system lacks: a person takes over
            reason = safe_text(failure_text(err))  # the timeline and audit trail keep no row values
            self._emit(dsr_case.connector_failed(self.case, effect.system_id, reason, workflow.now()))
            self._watch(self._watch_owner(effect.system_id))
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
            # A request received before exports were encrypted still gets its password if it exports now.
            self.case.exports_encrypted = self._baseline or workflow.patched(ENCRYPTED_EXPORTS)
            self.case.export_files = await run_effect_activity(
                ExportActivities.write_exports, ExportRequest(request_id=self.case.request_id, type=self.case.type,
                                                              systems=dsr_case.export_systems(self.case)),
                "exports")
        self._act(T.SYSTEMS_DONE, d.SystemsDone(actor=SYSTEM))



def _lane(effect: Any) -> str | None:
    """Register writes in step order; system actions and the answer built from their results in order;
    mails each on their own. The lanes do not wait for each other."""
    if isinstance(effect, (OutgoingMail, dsr_case.ExportPassword)):
        return None
    return "register" if isinstance(effect, (RequestStepRecord, RequestStepBatch)) else "systems"


def _describe(effect: Any) -> tuple[dl.EffectKind, str]:
    """Kind and key of an effect for its dead letter: names only, never content."""
    if isinstance(effect, RequestStepRecord):
        return dl.EffectKind.REGISTER, f"{effect.entry.request_id}.step.{effect.event.seq}.{effect.event.action}"
    if isinstance(effect, RequestStepBatch):
        first, last = effect.records[0], effect.records[-1]
        return dl.EffectKind.REGISTER, f"{first.entry.request_id}.steps.{first.event.seq}-{last.event.seq}"
    if isinstance(effect, OutgoingMail):
        return dl.EffectKind.MAIL, effect.key
    if isinstance(effect, dsr_case.ExportPassword):
        return dl.EffectKind.MAIL, effect.mail.key
    if isinstance(effect, dsr_case.SystemAction):
        return dl.EffectKind.SYSTEM_ACTION, f"{effect.action}.{effect.system_id}"
    if isinstance(effect, _FinishProcessing):
        return dl.EffectKind.EXPORTS, "exports"
    return dl.EffectKind.SYSTEM_ACTION, type(effect).__name__
