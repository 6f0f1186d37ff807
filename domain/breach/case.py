"""Applying actions to a breach case: the pure core the workflow orchestrates.

`act()` checks the action against the state machine, records it on the case and in the
timeline, and returns the mails it causes. No I/O, no clocks: `now` is passed in.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable

from domain.breach import commands as c
from domain.breach import mail_texts as mails
from domain.breach.machine import BreachState, Trigger, check, fire
from domain.kernel.deadlines import AUTHORITY_HOURS, format_da
from domain.breach.deadlines import authority_deadline
from domain.breach.mail_texts import DraftMail
from domain.kernel.mail import OutgoingMail
from domain.kernel.model import Actor, Role, SYSTEM, add_event
from domain.breach.facts import Art34Exception
from domain.breach.model import BreachCase, AUDIENCE_DA, BreachCaseInput, CommunicationPlan, DraftKind, DraftStatus, DraftVersion, FollowUp, Postponement, Reopening, RiskLevel, SupplierRequest
from domain.breach.notifications import compose_communication, compose_notification
from domain.breach.proposal import propose, summary_da
from domain.breach.risk import EXCEPTION_DA

KIND_DA = {
    DraftKind.AUTHORITY: "anmeldelse til Datatilsynet",
    DraftKind.CONTROLLER: "underretning af den dataansvarlige",
    DraftKind.SUBJECTS: "underretning af de registrerede",
}


def open_case(inp: BreachCaseInput, now: datetime) -> tuple[BreachCase, list[OutgoingMail]]:
    case = BreachCase(
        case_id=inp.case_id,
        state=BreachState.REPORTED.value,
        report=inp.report,
        policy=inp.policy,
        reported_at=now,
        deadline=authority_deadline(inp.report, inp.policy),
    )
    reporter = Actor(name=inp.report.reporter.name, role=Role.REPORTER)
    add_event(case, now, reporter, "report", "Muligt brud anmeldt")
    return case, [mails.case_opened(case), mails.report_receipt(case)]


Effect = OutgoingMail | DraftMail


def act(case: BreachCase, trigger: Trigger, cmd: c.Command, now: datetime) -> list[Effect]:
    """Perform one human action. Raises `Rejection` (and changes nothing) if not allowed."""
    check(case, trigger, cmd, now)
    new_state = fire(case, trigger, cmd, now)
    summary, out = _APPLY[trigger](case, cmd, now)
    case.state = new_state.value
    if new_state is BreachState.CLOSED and case.closed_at is None:  # a follow-up after close keeps the date
        case.closed_at = now
    add_event(case, now, cmd.actor, trigger.value, summary)
    return out


Result = tuple[str, list[Effect]]


def _assess_breach(case: BreachCase, cmd: c.AssessBreach, now: datetime) -> Result:
    case.is_breach = cmd.is_breach
    if cmd.is_breach:
        return f"Vurderet som brud på persondatasikkerheden: {cmd.reason}", []
    case.not_breach_reason = cmd.reason
    case.no_proposed_by = cmd.actor
    proposal = "hændelsen ikke er et brud på persondatasikkerheden"
    return (f"Forslag: ikke et brud på persondatasikkerheden; afventer DPO's medbeslutning. Begrundelse: {cmd.reason}",
            [mails.co_decision_requested(case, proposal, cmd.reason, _co_decision_number(case))])


def _contain(case: BreachCase, cmd: c.Contain, now: datetime) -> Result:
    case.containment = cmd.measures
    case.systems_stopped = cmd.stopped_systems if cmd.system_stopped else None
    stopped = f"; system stoppet: {cmd.stopped_systems}" if cmd.system_stopped else "; intet system stoppet"
    return "Bruddet inddæmmet" + stopped, []


def _inform(case: BreachCase, cmd: c.InformManagement, now: datetime) -> Result:
    case.crisis_team = list(cmd.crisis_team)
    case.management_informed_at = now
    return "Ledelse og DPO orienteret; kriseteam indkaldt", [mails.management_informed(case, cmd.message)]


def _facts(case: BreachCase, cmd: c.RecordFacts, now: datetime) -> Result:
    first = case.facts is None
    case.facts = cmd.facts
    return ("Fakta registreret" if first else "Fakta opdateret"), []


def _request_suppliers(case: BreachCase, cmd: c.RequestSupplierAccounts, now: datetime) -> Result:
    out: list[Effect] = []
    for s in cmd.suppliers:
        request = SupplierRequest(name=s.name, email=s.email, system=s.system, requested_at=now)
        case.suppliers.append(request)
        out.append(mails.supplier_request(case, request))
    names = ", ".join(s.name for s in cmd.suppliers)
    return f"Redegørelse anmodet fra leverandør(er): {names}", out


def _supplier_account(case: BreachCase, cmd: c.RecordSupplierAccount, now: datetime) -> Result:
    request = next(s for s in case.suppliers if s.name == cmd.supplier and s.account is None)
    request.account = cmd.account
    request.answered_at = now
    return f"Redegørelse modtaget fra {cmd.supplier}", []


def _assess_notification(case: BreachCase, cmd: c.AssessNotification, now: datetime) -> Result:
    case.risk_level = cmd.level
    case.risk_reasons = cmd.reasons
    case.no_risk_documentation = cmd.no_risk_documentation
    case.deviation_reason = cmd.deviation_reason
    label = {RiskLevel.NO_RISK: "ingen risiko – anmeldes ikke", RiskLevel.RISK: "risiko – anmeldes",
             RiskLevel.HIGH_RISK: "høj risiko – anmeldes, og de registrerede underrettes som udgangspunkt"}
    summary = f"Risikovurdering: {label[cmd.level]}. Begrundelse: {cmd.reasons}"
    if case.facts is not None:
        proposal = propose(case.facts)
        case.proposed_level = proposal.level
        case.proposal_summary = summary_da(proposal)
        summary += f". {case.proposal_summary}"
        if proposal.level is not cmd.level:
            summary += f"; afvigelse begrundet: {cmd.deviation_reason}"
    if cmd.level is RiskLevel.NO_RISK:
        case.no_proposed_by = cmd.actor
        return summary + "; afventer DPO's medbeslutning", [mails.co_decision_requested(
            case, "bruddet ikke anmeldes, fordi det sandsynligvis ikke indebærer en risiko", cmd.reasons,
            _co_decision_number(case))]
    return summary, []


def _co_decision_number(case: BreachCase) -> int:
    return 1 + sum(1 for e in case.timeline if e.action in ("assess_breach", "assess_notification", "co_decide"))


def _co_decide(case: BreachCase, cmd: c.CoDecide, now: datetime) -> Result:
    proposer = case.no_proposed_by
    who = f"{proposer.name} og {cmd.actor.name}" if proposer else cmd.actor.name
    if cmd.approve:
        case.no_co_decided_by, case.no_co_decided_at = cmd.actor, now
        what = "ikke et brud; sagen lukkes" if case.is_breach is False else "ingen risiko; anmeldes ikke"
        return f"DPO medbeslutter: {what} (besluttet af {who})" + (f". {cmd.comments}" if cmd.comments else ""), []
    if case.is_breach is False:  # back to the first assessment
        case.is_breach, case.not_breach_reason = None, None
    else:  # back to fact finding: the risk is assessed again
        case.risk_level, case.risk_reasons, case.no_risk_documentation = None, None, None
    case.no_proposed_by = None
    return (f"DPO er ikke enig i forslaget; vurderes igen: {cmd.comments}",
            [mails.co_decision_declined(case, cmd.comments or "")])


def _next_version(case: BreachCase, kind: DraftKind) -> int:
    return 1 + sum(1 for d in case.drafts if d.kind is kind)


def _submit_notification(case: BreachCase, cmd: c.SubmitNotificationDraft, now: datetime) -> Result:
    kind = case.notification_kind()
    draft = compose_notification(case, cmd)
    version = _next_version(case, kind)
    case.drafts.append(DraftVersion(kind=kind, version=version, author=cmd.actor, submitted_at=now, notification=draft))
    if draft.delay_reasons:
        case.notification_delay_reasons = draft.delay_reasons
    return f"Udkast {version} til {KIND_DA[kind]} sendt til DPO", [DraftMail(draft_index=len(case.drafts) - 1, purpose="review")]


def _submit_communication(case: BreachCase, cmd: c.SubmitCommunicationDraft, now: datetime) -> Result:
    draft = compose_communication(case, cmd)
    version = _next_version(case, DraftKind.SUBJECTS)
    case.drafts.append(DraftVersion(kind=DraftKind.SUBJECTS, version=version, author=cmd.actor,
                                    submitted_at=now, communication=draft))
    kind_da = KIND_DA[DraftKind.SUBJECTS]
    return f"Udkast {version} til {kind_da} sendt til DPO", [DraftMail(draft_index=len(case.drafts) - 1, purpose="review")]


def _review(case: BreachCase, cmd: c.ReviewDraft, now: datetime) -> Result:
    draft = case.drafts[-1]
    draft.status = DraftStatus.APPROVED if cmd.approve else DraftStatus.REJECTED
    draft.reviewed_by = cmd.actor
    draft.reviewed_at = now
    draft.review_comments = cmd.comments
    verdict = "godkendt" if cmd.approve else "afvist"
    kind_da = KIND_DA[draft.kind]
    summary = f"Udkast {draft.version} til {kind_da} {verdict} af DPO" + (f": {cmd.comments}" if cmd.comments else "")
    return summary, [mails.draft_reviewed(case, kind_da, draft.version, cmd.approve, cmd.comments)]


def _record_submission(case: BreachCase, cmd: c.RecordSubmission, now: datetime) -> Result:
    if case.authority_notified_at is not None:  # reopened: this one follows up the first (Art. 33(4))
        return _follow_up_submitted(case, cmd, now)
    case.authority_notified_at = cmd.submitted_at or now
    case.authority_reference = cmd.reference
    if cmd.delay_reasons:
        case.notification_delay_reasons = cmd.delay_reasons
    draft = case.latest_draft(case.notification_kind())
    assert draft is not None and draft.notification is not None
    out: list[Effect] = []
    if draft.kind is DraftKind.CONTROLLER:
        out.append(DraftMail(draft_index=case.drafts.index(draft), purpose="controller"))
        return "Den dataansvarlige underrettet (art. 33, stk. 2)", out
    ref = f" (kvittering {cmd.reference})" if cmd.reference else ""
    late = " – efter fristen, med begrundelse for forsinkelsen" if case.authority_notified_at > case.deadline else ""
    out += _release_plan(case, DraftKind.AUTHORITY, now)
    return f"Anmeldt til Datatilsynet{ref}{late}", out


def _follow_up_submitted(case: BreachCase, cmd: c.RecordSubmission, now: datetime) -> Result:
    kind = case.notification_kind()
    number = len(case.follow_ups) + 1
    draft = case.latest_draft(kind)
    version = f"udkast {draft.version}" if draft else "udkast"
    case.follow_ups.append(FollowUp(number=number, recipient=kind, at=cmd.submitted_at or now, by=cmd.actor,
                                    new_facts=f"Opfølgende {KIND_DA[kind]} efter genåbning ({version})"))
    first = f" {case.authority_reference}" if case.authority_reference else ""
    out: list[Effect] = []
    if kind is DraftKind.CONTROLLER and draft is not None:
        out.append(DraftMail(draft_index=case.drafts.index(draft), purpose="controller"))
    return f"Opfølgende {KIND_DA[kind]} indsendt (opfølgning {number} på{first or ' den første'}, art. 33, stk. 4)", out


def _decide_communication(case: BreachCase, cmd: c.DecideCommunication, now: datetime) -> Result:
    case.communicate_to_subjects = cmd.communicate
    case.communication_reason = cmd.reason
    case.art34_exception = cmd.exception
    case.communication_override_reason = cmd.override_reason
    if cmd.communicate:
        override = f" (DPO-tilsidesættelse: {cmd.override_reason})" if case.authority_notified_at is None else ""
        return f"Beslutning: de registrerede underrettes{override}. Begrundelse: {cmd.reason}", []
    case.art34_evidence, case.art34_public_notice = cmd.exception_evidence, cmd.public_notice
    ground = f" Art. 34, stk. 3 ({EXCEPTION_DA[cmd.exception]}): {cmd.exception_evidence}" if cmd.exception else ""
    if cmd.exception is Art34Exception.DISPROPORTIONATE_EFFORT:
        case.public_notice_required = True
        return (f"Beslutning: de registrerede underrettes ved en offentlig meddelelse i stedet for enkeltvis. "
                f"Begrundelse: {cmd.reason}.{ground}. Udkastet til meddelelsen godkendes af DPO"), []
    return f"Beslutning: de registrerede underrettes ikke. Begrundelse: {cmd.reason}.{ground}", []


def _communication_sent(case: BreachCase, cmd: c.RecordCommunicationSent, now: datetime) -> Result:
    case.subjects_communicated_at = cmd.sent_at or now
    draft = case.latest_draft(DraftKind.SUBJECTS)
    case.subjects_communication_channel = draft.communication.channel if draft and draft.communication else None
    out = _release_plan(case, DraftKind.SUBJECTS, now)
    if case.public_notice_required:
        case.public_notice_place = cmd.published_place
        case.art34_public_notice = f"{cmd.published_place}, {format_da(case.subjects_communicated_at)}"
        return f"Offentlig meddelelse offentliggjort: {case.art34_public_notice} (art. 34, stk. 3, litra c)", out
    count = f" til {cmd.recipients} personer" if cmd.recipients is not None else ""
    return f"De registrerede underrettet{count}", out


def _release_plan(case: BreachCase, released_by: DraftKind, now: datetime) -> list[Effect]:
    """Seed 003 activity 9: every planned message goes out now, with the notification, with the same words."""
    plan = case.communication_plan
    if plan is None or plan.released_at is not None or plan.release_with is not released_by:
        return []
    plan.released_at = now
    return [mails.plan_release(case, item, plan.message, KIND_DA[released_by], n)
            for n, item in enumerate(plan.items, start=1)]


def _postpone(case: BreachCase, cmd: c.PostponeCommunication, now: datetime) -> Result:
    case.postponements.append(Postponement(legal_basis=cmd.legal_basis, reason=cmd.reason,
                                           requested_by=cmd.requested_by, decided_by=cmd.actor, decided_at=now,
                                           review_at=cmd.review_at))
    asked = f" på anmodning af {cmd.requested_by}" if cmd.requested_by else ""
    return (f"Underretningen af de registrerede er udsat{asked} ({cmd.legal_basis}): {cmd.reason}. "
            f"Vurderes igen senest {format_da(cmd.review_at)}"), []


def _review_postponement(case: BreachCase, cmd: c.ReviewPostponement, now: datetime) -> Result:
    postponement = case.postponed()
    assert postponement is not None
    if cmd.resume:
        postponement.ended_at = now
        postponement.reviews.append(f"{format_da(now)}: udsættelsen ophører: {cmd.reason}")
        return f"Udsættelsen ophører; de registrerede skal nu underrettes: {cmd.reason}", []
    assert cmd.next_review_at is not None
    postponement.review_at = cmd.next_review_at
    postponement.reviews.append(f"{format_da(now)}: fortsat udsat: {cmd.reason}")
    return f"Udsættelsen fortsætter: {cmd.reason}. Vurderes igen senest {format_da(cmd.next_review_at)}", []


def _plan_communication(case: BreachCase, cmd: c.PlanCommunication, now: datetime) -> Result:
    case.communication_plan = CommunicationPlan(message=cmd.message, items=list(cmd.items),
                                                release_with=cmd.release_with, planned_by=cmd.actor, planned_at=now)
    audiences = ", ".join(AUDIENCE_DA[item.audience] for item in cmd.items)
    return (f"Plan for intern og ekstern kommunikation ({audiences}); udsendes samtidig med "
            f"{KIND_DA[cmd.release_with]}"), []


def _reopen(case: BreachCase, cmd: c.ReopenCase, now: datetime) -> Result:
    """The case is open again. Never notified: the new facts are new awareness, 72 hours from now."""
    case.reopenings.append(Reopening(at=now, by=cmd.actor, reason=cmd.reason))
    case.closed_at = None
    note = "en ny anmeldelse bliver en opfølgning på den første (art. 33, stk. 4)"
    if case.authority_notified_at is None:
        if case.is_breach is False:
            case.is_breach, case.not_breach_reason = None, None
        case.risk_level, case.risk_reasons, case.no_risk_documentation = None, None, None
        case.no_proposed_by, case.no_co_decided_by, case.no_co_decided_at = None, None, None
        hours = case.policy.processor_deadline_hours if case.notification_kind() is DraftKind.CONTROLLER \
            else AUTHORITY_HOURS
        case.deadline = max(case.deadline, now + timedelta(hours=hours))
        case.overdue, case.reminders_sent = False, []
        note = f"ny frist for anmeldelse {format_da(case.deadline)}"
    return f"Sagen er genåbnet: {cmd.reason} ({note})", [mails.reopened(case, cmd.reason)]


def _follow_up(case: BreachCase, cmd: c.AddFollowUp, now: datetime) -> Result:
    number = len(case.follow_ups) + 1
    case.follow_ups.append(FollowUp(number=number, recipient=cmd.recipient, new_facts=cmd.new_facts, at=now, by=cmd.actor))
    first = f" {case.authority_reference}" if case.authority_reference and cmd.recipient is not DraftKind.SUBJECTS else ""
    mail = mails.follow_up(case, number, cmd.new_facts, KIND_DA[cmd.recipient])
    return f"Opfølgning {number} på første {KIND_DA[cmd.recipient]}{first} (art. 33, stk. 4)", [mail]


def _document(case: BreachCase, cmd: c.Document, now: datetime) -> Result:
    case.documentation = cmd.summary
    return "Beslutninger og hændelsesforløb dokumenteret", []


def _close(case: BreachCase, cmd: c.Close, now: datetime) -> Result:
    case.lessons_learned = cmd.lessons_learned
    case.procedure_changes = cmd.procedure_changes
    return "Erfaringsopsamling registreret; sagen lukket", []


# Each handler takes its own trigger's command type (COMMAND_TYPES pairs them; the workflow validates the
# command against it before act()), so the table can only say "some command" here.
_APPLY: dict[Trigger, Callable[[BreachCase, Any, datetime], Result]] = {
    Trigger.ASSESS_BREACH: _assess_breach,
    Trigger.CO_DECIDE: _co_decide,
    Trigger.CONTAIN: _contain,
    Trigger.INFORM_MANAGEMENT: _inform,
    Trigger.RECORD_FACTS: _facts,
    Trigger.REQUEST_SUPPLIER_ACCOUNTS: _request_suppliers,
    Trigger.RECORD_SUPPLIER_ACCOUNT: _supplier_account,
    Trigger.ASSESS_NOTIFICATION: _assess_notification,
    Trigger.SUBMIT_NOTIFICATION_DRAFT: _submit_notification,
    Trigger.REVIEW_DRAFT: _review,
    Trigger.RECORD_SUBMISSION: _record_submission,
    Trigger.DECIDE_COMMUNICATION: _decide_communication,
    Trigger.SUBMIT_COMMUNICATION_DRAFT: _submit_communication,
    Trigger.RECORD_COMMUNICATION_SENT: _communication_sent,
    Trigger.ADD_FOLLOW_UP: _follow_up,
    Trigger.DOCUMENT: _document,
    Trigger.CLOSE: _close,
    Trigger.POSTPONE_COMMUNICATION: _postpone,
    Trigger.REVIEW_POSTPONEMENT: _review_postponement,
    Trigger.PLAN_COMMUNICATION: _plan_communication,
    Trigger.REOPEN: _reopen,
}


def remind(case: BreachCase, hours_before: int, now: datetime) -> list[OutgoingMail]:
    """A deadline reminder, unless the duty is already discharged."""
    if case.deadline_met() or case.state == BreachState.CLOSED.value:
        return []
    case.reminders_sent.append(hours_before)
    add_event(case, now, SYSTEM, "reminder", f"Påmindelse: frist om {hours_before} timer")
    return [mails.deadline_reminder(case, hours_before)]


def escalate_if_overdue(case: BreachCase, now: datetime) -> list[OutgoingMail]:
    """At the deadline: mark overdue and escalate to management if nothing was decided."""
    if case.deadline_met() or case.state == BreachState.CLOSED.value or case.overdue:
        return []
    case.overdue = True
    case.escalated_at = now
    add_event(case, now, SYSTEM, "escalation", "Fristen er overskredet; ledelsen er orienteret")
    return [mails.deadline_escalation(case)]


def postponement_review_due(case: BreachCase, now: datetime) -> list[OutgoingMail]:
    """The review date of a postponement has come and nobody has reviewed it."""
    postponement = case.postponed()
    if postponement is None or postponement.review_at > now:
        return []
    add_event(case, now, SYSTEM, "postponement_review_due", "Påmindelse: udsættelsen af underretningen skal vurderes")
    return [mails.postponement_review_due(case, postponement, len(case.timeline))]


def remind_supplier(case: BreachCase, supplier_name: str, now: datetime) -> list[OutgoingMail]:
    request = next(s for s in case.suppliers if s.name == supplier_name)
    if request.account is not None or case.state == BreachState.CLOSED.value:
        return []
    request.reminders_sent += 1
    add_event(case, now, SYSTEM, "supplier_reminder", f"Påmindelse {request.reminders_sent} sendt til {supplier_name}")
    return [mails.supplier_request(case, request, reminder=request.reminders_sent)]
