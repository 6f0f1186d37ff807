"""One breach case as one durable workflow.

Orchestration only: the domain decides (state machine, rules, texts); this class
turns human actions into Temporal updates with validators, keeps the deadline with
durable timers, and hands side effects (mail, register) to activities, each on its
own (`Effects`), so an update returns at once, a slow SMTP server never blocks a
decision from being recorded, and a failing register write never holds back a reminder.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable

from temporalio import workflow

from workflows.common import MAIL_RETRY, run_effect_activity, wait_until

with workflow.unsafe.imports_passed_through():
    import email_validator  # noqa: F401  (pydantic's EmailStr loads it lazily; load it once, outside)

    from activities.drafts import DraftActivities, RenderedDraft, RenderRequest
    from activities.mail import MailActivities
    from activities.register import RegisterActivities, StepBatch, StepRecord
    from domain.kernel import dead_letters as dl
    from domain.breach import case as domain_case
    from domain.breach.machine import BREACH, COMMAND_TYPES, Trigger
    from domain.kernel.commands import Command
    from domain.kernel.deadlines import reminder_schedule
    from domain.breach import mail_texts
    from domain.breach.mail_texts import DraftMail
    from domain.kernel.mail import OutgoingMail
    from domain.kernel.model import ActionResult, TimelineEvent
    from domain.breach.model import BreachCase, BreachCaseInput, CaseResult, CaseView
    from domain.breach.register import build_register_entry
    from domain.breach.view import case_view
    from workflows.case_workflow import CaseWorkflow, baseline_patches, make_update

# workflow.patched() ids: changes that running cases must replay around.
FOLLOW_UP_MAIL = "follow-up-mail"
REOPEN_AFTER_CLOSE = "reopen-after-close"  # a closed case stays open to reopening and follow-ups for a while
REPORTER_RECEIPT = "reporter-receipt"  # the reporter is mailed a receipt with the case number
POSTPONEMENT_REMINDERS = 14  # a review date passed unreviewed: reminded daily for two weeks


def _update(trigger: Trigger) -> Any:
    return make_update(trigger, COMMAND_TYPES[trigger], ActionResult)


@workflow.defn(name="BreachCase")
class BreachCaseWorkflow(CaseWorkflow[Trigger]):
    procedure = BREACH
    case: BreachCase

    @workflow.init
    def __init__(self, inp: BreachCaseInput) -> None:
        # First, before anything asks for a patch: a case started from now on has every change below.
        self._baseline, self._lanes_last = baseline_patches()
        self.case, mails = domain_case.open_case(inp, workflow.now())
        if not (self._baseline or workflow.patched(REPORTER_RECEIPT)):  # cases opened before receipts were mailed
            mails = [mail for mail in mails if not mail.key.endswith(".receipt")]
        self._window_over = False
        self._begin(mails, describe=_describe, lane=_lane, batch=lambda records: StepBatch(records=records))

    @workflow.run
    async def run(self, inp: BreachCaseInput) -> CaseResult:
        workflow.logger.info("case opened", extra={"org_role": inp.report.org_role.value})
        self._watch(self._watch_deadline())
        if self._baseline or workflow.patched(REOPEN_AFTER_CLOSE):
            self._watch(self._watch_reopen_window())
            await self._effects.run_until_done(lambda: self._closed() and self._window_over, self._baseline)
        else:  # cases started before: the workflow ends at close
            self._window_over = True
            await self._effects.run_until_done(self._closed)
        workflow.logger.info("case closed", extra={"overdue": self.case.overdue})
        return CaseResult(case_id=self.case.case_id, state=self.case.state,
                          closed_at=self.case.closed_at, overdue=self.case.overdue)

    # --- human actions ----------------------------------------------------------------
    assess_breach = _update(Trigger.ASSESS_BREACH)
    contain = _update(Trigger.CONTAIN)
    inform_management = _update(Trigger.INFORM_MANAGEMENT)
    record_facts = _update(Trigger.RECORD_FACTS)
    request_supplier_accounts = _update(Trigger.REQUEST_SUPPLIER_ACCOUNTS)
    record_supplier_account = _update(Trigger.RECORD_SUPPLIER_ACCOUNT)
    assess_notification = _update(Trigger.ASSESS_NOTIFICATION)
    submit_notification_draft = _update(Trigger.SUBMIT_NOTIFICATION_DRAFT)
    review_draft = _update(Trigger.REVIEW_DRAFT)
    record_submission = _update(Trigger.RECORD_SUBMISSION)
    decide_communication = _update(Trigger.DECIDE_COMMUNICATION)
    submit_communication_draft = _update(Trigger.SUBMIT_COMMUNICATION_DRAFT)
    record_communication_sent = _update(Trigger.RECORD_COMMUNICATION_SENT)
    add_follow_up = _update(Trigger.ADD_FOLLOW_UP)
    document = _update(Trigger.DOCUMENT)
    close = _update(Trigger.CLOSE)
    co_decide = _update(Trigger.CO_DECIDE)
    postpone_communication = _update(Trigger.POSTPONE_COMMUNICATION)
    review_postponement = _update(Trigger.REVIEW_POSTPONEMENT)
    plan_communication = _update(Trigger.PLAN_COMMUNICATION)
    reopen = _update(Trigger.REOPEN)

    def _case_id(self) -> str:
        return self.case.case_id

    def _organisation(self) -> str:
        return self.case.policy.organisation_name

    def _refusal(self, trigger: Trigger) -> str | None:
        if self._closed() and self._window_over:
            return ("the case is closed for good: the period for reopening it and adding follow-ups has ended; "
                    "open a new case that refers to it")
        return None

    def _apply(self, trigger: Trigger, cmd: Command) -> tuple[list[Any], Callable[[], None]]:
        known_suppliers = {s.name for s in self.case.suppliers}
        mails = domain_case.act(self.case, trigger, cmd, workflow.now())
        if trigger is Trigger.ADD_FOLLOW_UP and not (self._baseline or workflow.patched(FOLLOW_UP_MAIL)):
            mails = []  # cases whose follow-ups were recorded before follow-ups were mailed
        return mails, lambda: self._start_watchers(trigger, known_suppliers)

    def _start_watchers(self, trigger: Trigger, known_suppliers: set[str]) -> None:
        for supplier in self.case.suppliers:
            if supplier.name not in known_suppliers:
                self._watch(self._watch_supplier(supplier.name))
        if trigger is Trigger.REOPEN and not self.case.deadline_met():
            self._watch(self._watch_deadline())  # the new 72 hours
        if trigger in (Trigger.POSTPONE_COMMUNICATION, Trigger.REVIEW_POSTPONEMENT) and self.case.postponed():
            self._watch(self._watch_postponement())

    # --- queries -----------------------------------------------------------------------
    @workflow.query
    def view(self) -> CaseView:
        return case_view(self.case, workflow.now(), pending_effects=self._effects.pending())

    @workflow.query
    def details(self) -> BreachCase:
        return self.case

    @workflow.query
    def state(self) -> str:
        return self.case.state

    @workflow.query
    def deadline(self) -> datetime:
        return self.case.deadline

    @workflow.query
    def timeline(self) -> list[TimelineEvent]:
        return list(self.case.timeline)

    # --- timers ------------------------------------------------------------------------
    async def _watch_deadline(self) -> None:
        def done() -> bool:
            return self.case.deadline_met() or self._closed()

        policy = self.case.policy
        for reminder in reminder_schedule(self.case.deadline, policy.reminder_hours_before, workflow.now()):
            if await wait_until(reminder.at, done, f"reminder {reminder.hours_before}h before deadline"):
                return
            self._emit_system(domain_case.remind(self.case, reminder.hours_before, workflow.now()))
        if not await wait_until(self.case.deadline, done, "authority deadline"):
            self._emit_system(domain_case.escalate_if_overdue(self.case, workflow.now()))
            workflow.logger.warning("deadline passed; escalated")

    async def _watch_reopen_window(self) -> None:
        """After close, the case can be reopened or followed up until the window ends; then the workflow ends."""
        window = timedelta(days=self.case.policy.reopen_window_days)
        while True:
            await workflow.wait_condition(self._closed)
            assert self.case.closed_at is not None
            if not await wait_until(self.case.closed_at + window, lambda: not self._closed(), "reopen window"):
                self._window_over = True
                return

    async def _watch_postponement(self) -> None:
        """A § 22 postponement is reviewed: at its review date, and daily after it, the owners are reminded."""
        postponement = self.case.postponed()
        assert postponement is not None
        review_at = postponement.review_at

        def moved() -> bool:  # ended, or a review set a new date (another watcher takes over)
            return postponement.ended_at is not None or postponement.review_at != review_at or self._closed()

        moment = review_at
        for _ in range(POSTPONEMENT_REMINDERS):
            if await wait_until(moment, moved, "postponement review"):
                return
            self._emit_system(domain_case.postponement_review_due(self.case, workflow.now()))
            moment = workflow.now() + timedelta(days=1)

    async def _watch_supplier(self, name: str) -> None:
        policy = self.case.policy
        request = next(s for s in self.case.suppliers if s.name == name)

        def done() -> bool:
            return request.account is not None or self._closed()

        for _ in range(policy.supplier_max_reminders):
            moment = workflow.now() + timedelta(days=policy.supplier_reminder_days)
            if await wait_until(moment, done, "supplier reminder"):
                return
            self._emit_system(domain_case.remind_supplier(self.case, name, workflow.now()))

    # --- side effects --------------------------------------------------------------------
    def _step_record(self) -> StepRecord:
        return StepRecord(event=self.case.timeline[-1], entry=build_register_entry(self.case, workflow.now()))

    async def _render_draft_mail(self, effect: DraftMail) -> OutgoingMail:
        """Render the draft from its template once, keep the text with the version, and address the mail."""
        draft = self.case.drafts[effect.draft_index]
        if draft.text_da is None:
            rendered: RenderedDraft = await run_effect_activity(
                DraftActivities.render_draft, RenderRequest(case=self.case, draft_index=effect.draft_index),
                f"render: {draft.kind.value} v{draft.version}")
            draft.text_da, draft.text_en = rendered.text_da, rendered.text_en
        assert draft.text_da is not None
        if effect.purpose == "controller":
            return mail_texts.controller_notification(self.case, draft.text_da)
        return mail_texts.draft_for_review(self.case, domain_case.KIND_DA[draft.kind], draft.version, draft.text_da)

    async def _perform(self, effect: StepRecord | StepBatch | OutgoingMail | DraftMail) -> None:
        if isinstance(effect, DraftMail):
            effect = await self._render_draft_mail(effect)
        if isinstance(effect, StepRecord):
            await run_effect_activity(RegisterActivities.record_step, effect, f"register: {effect.event.action}")
        elif isinstance(effect, StepBatch):
            await run_effect_activity(RegisterActivities.record_steps, effect,
                                      "register: " + ", ".join(r.event.action for r in effect.records))
        else:
            await run_effect_activity(MailActivities.send_mail, effect, f"mail: {effect.key.split('.', 1)[1]}",
                                      retry=MAIL_RETRY)


def _lane(effect: StepRecord | StepBatch | OutgoingMail | DraftMail) -> str | None:
    """Register writes in step order (timeline, audit chain), those that queued up together; mails each on
    their own."""
    return "register" if isinstance(effect, (StepRecord, StepBatch)) else None


def _describe(effect: StepRecord | StepBatch | OutgoingMail | DraftMail) -> tuple[dl.EffectKind, str]:
    """Kind and key of an effect for its dead letter: names only, never content."""
    if isinstance(effect, StepRecord):
        return dl.EffectKind.REGISTER, f"{effect.entry.case_id}.step.{effect.event.seq}.{effect.event.action}"
    if isinstance(effect, StepBatch):
        first, last = effect.records[0], effect.records[-1]
        return dl.EffectKind.REGISTER, f"{first.entry.case_id}.steps.{first.event.seq}-{last.event.seq}"
    if isinstance(effect, DraftMail):
        return dl.EffectKind.MAIL, f"draft.{effect.draft_index}.{effect.purpose}"
    return dl.EffectKind.MAIL, effect.key
