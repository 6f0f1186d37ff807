"""The breach procedure as a declarative `transitions` table.

States and steps follow seed 003 (activities 1-11) and seed 002 (steps 1-8). The
workflow asks `check()` whether an action is allowed (state, role, guards) and
`fire()` to move. `check()` never mutates: it backs the Temporal update validators.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from domain.breach import commands as c
from domain.breach.facts import Art34Exception
from domain.breach.model import BreachCase, DraftKind, OrgRole, RiskLevel
from domain.kernel.model import Role
from domain.breach.notifications import compose_notification, missing_notification_elements
from domain.kernel.procedure import Guard, GuardContext, Procedure, Rejection, StateInfo
from domain.breach.proposal import propose

__all__ = ["BreachState", "Trigger", "Rejection", "check", "fire", "allowed_triggers", "mermaid", "STATE_INFO",
           "COMMAND_TYPES", "TRANSITIONS", "GUARDS", "BREACH"]


class BreachState(str, enum.Enum):
    REPORTED = "reported"
    CONTAINMENT = "containment"
    INFORMING = "informing"
    FACT_FINDING = "fact_finding"
    AWAITING_SUPPLIERS = "awaiting_suppliers"
    NOTIFICATION_DRAFTING = "notification_drafting"
    NOTIFICATION_REVIEW = "notification_review"
    NOTIFICATION_APPROVED = "notification_approved"
    SUBJECT_DECISION = "subject_decision"
    COMMUNICATION_DRAFTING = "communication_drafting"
    COMMUNICATION_REVIEW = "communication_review"
    COMMUNICATION_APPROVED = "communication_approved"
    DOCUMENTATION = "documentation"
    LESSONS_LEARNED = "lessons_learned"
    CLOSED = "closed"
    # A "no" needs the DPO's co-decision before it counts (seed 003 activity 7, seed 004).
    NOT_BREACH_PROPOSED = "not_breach_proposed"
    NO_RISK_PROPOSED = "no_risk_proposed"
    # Databeskyttelsesloven § 22: the communication waits for a dated review, it is not skipped.
    COMMUNICATION_POSTPONED = "communication_postponed"


S = BreachState
STATE_INFO: dict[BreachState, StateInfo] = {
    S.REPORTED: StateInfo(Role.KEY_PERSON, "Vurdér om hændelsen er et brud på persondatasikkerheden",
                          "Assess whether this is a personal-data breach"),
    S.CONTAINMENT: StateInfo(Role.KEY_PERSON, "Stands bruddet og begræns skaden",
                             "Contain the breach and limit the damage"),
    S.INFORMING: StateInfo(Role.KEY_PERSON, "Orientér ledelsen og DPO, indkald kriseteamet",
                           "Inform management and the DPO, convene the crisis team"),
    S.FACT_FINDING: StateInfo(Role.KEY_PERSON, "Indsaml fakta og dan overblik",
                              "Collect the facts"),
    S.AWAITING_SUPPLIERS: StateInfo(Role.KEY_PERSON, "Afvent leverandørernes redegørelse; vurdér anmeldelse",
                                    "Await the suppliers' accounts; assess notification"),
    S.NOTIFICATION_DRAFTING: StateInfo(Role.KEY_PERSON, "Udarbejd udkast til anmeldelse",
                                       "Draft the notification"),
    S.NOTIFICATION_REVIEW: StateInfo(Role.DPO, "Kvalitetssikr og godkend eller afvis udkastet til anmeldelse",
                                     "Review and approve or reject the notification draft"),
    S.NOTIFICATION_APPROVED: StateInfo(Role.DPO, "Indsend anmeldelsen og registrér indsendelsen",
                                       "Submit the notification and record it"),
    S.SUBJECT_DECISION: StateInfo(Role.KEY_PERSON, "Beslut om de registrerede skal underrettes",
                                  "Decide whether to communicate to the data subjects"),
    S.COMMUNICATION_DRAFTING: StateInfo(Role.KEY_PERSON, "Udarbejd udkast til underretning af de registrerede",
                                        "Draft the communication to data subjects"),
    S.COMMUNICATION_REVIEW: StateInfo(Role.DPO, "Kvalitetssikr og godkend eller afvis udkastet til underretning",
                                      "Review and approve or reject the communication draft"),
    S.COMMUNICATION_APPROVED: StateInfo(Role.KEY_PERSON, "Underret de registrerede og registrér det",
                                        "Communicate to the data subjects and record it"),
    S.DOCUMENTATION: StateInfo(Role.KEY_PERSON, "Dokumentér beslutninger og hændelsesforløb",
                               "Document decisions and the course of events"),
    S.LESSONS_LEARNED: StateInfo(Role.KEY_PERSON, "Gennemfør erfaringsopsamling og luk sagen",
                                 "Record lessons learned and close the case"),
    S.CLOSED: StateInfo(None, "Sagen er lukket", "The case is closed"),
    S.NOT_BREACH_PROPOSED: StateInfo(Role.DPO, "Tag stilling til forslaget om, at hændelsen ikke er et brud",
                                     "Co-decide the proposal that this is not a breach"),
    S.NO_RISK_PROPOSED: StateInfo(Role.DPO, "Tag stilling til forslaget om ikke at anmelde bruddet",
                                  "Co-decide the proposal not to notify (no risk)"),
    S.COMMUNICATION_POSTPONED: StateInfo(Role.DPO, "Underretningen er udsat; vurdér udsættelsen på ny senest på "
                                         "den fastsatte dato", "The communication is postponed; review it by the "
                                         "date set"),
}


class Trigger(str, enum.Enum):
    ASSESS_BREACH = "assess_breach"
    CONTAIN = "contain"
    INFORM_MANAGEMENT = "inform_management"
    RECORD_FACTS = "record_facts"
    REQUEST_SUPPLIER_ACCOUNTS = "request_supplier_accounts"
    RECORD_SUPPLIER_ACCOUNT = "record_supplier_account"
    ASSESS_NOTIFICATION = "assess_notification"
    SUBMIT_NOTIFICATION_DRAFT = "submit_notification_draft"
    REVIEW_DRAFT = "review_draft"
    RECORD_SUBMISSION = "record_submission"
    DECIDE_COMMUNICATION = "decide_communication"
    SUBMIT_COMMUNICATION_DRAFT = "submit_communication_draft"
    RECORD_COMMUNICATION_SENT = "record_communication_sent"
    ADD_FOLLOW_UP = "add_follow_up"
    DOCUMENT = "document"
    CLOSE = "close"
    CO_DECIDE = "co_decide"
    POSTPONE_COMMUNICATION = "postpone_communication"
    REVIEW_POSTPONEMENT = "review_postponement"
    PLAN_COMMUNICATION = "plan_communication"
    REOPEN = "reopen"


T = Trigger
COMMAND_TYPES: dict[Trigger, type[c.Command]] = {
    T.ASSESS_BREACH: c.AssessBreach,
    T.CONTAIN: c.Contain,
    T.INFORM_MANAGEMENT: c.InformManagement,
    T.RECORD_FACTS: c.RecordFacts,
    T.REQUEST_SUPPLIER_ACCOUNTS: c.RequestSupplierAccounts,
    T.RECORD_SUPPLIER_ACCOUNT: c.RecordSupplierAccount,
    T.ASSESS_NOTIFICATION: c.AssessNotification,
    T.SUBMIT_NOTIFICATION_DRAFT: c.SubmitNotificationDraft,
    T.REVIEW_DRAFT: c.ReviewDraft,
    T.RECORD_SUBMISSION: c.RecordSubmission,
    T.DECIDE_COMMUNICATION: c.DecideCommunication,
    T.SUBMIT_COMMUNICATION_DRAFT: c.SubmitCommunicationDraft,
    T.RECORD_COMMUNICATION_SENT: c.RecordCommunicationSent,
    T.ADD_FOLLOW_UP: c.AddFollowUp,
    T.DOCUMENT: c.Document,
    T.CLOSE: c.Close,
    T.CO_DECIDE: c.CoDecide,
    T.POSTPONE_COMMUNICATION: c.PostponeCommunication,
    T.REVIEW_POSTPONEMENT: c.ReviewPostponement,
    T.PLAN_COMMUNICATION: c.PlanCommunication,
    T.REOPEN: c.ReopenCase,
}

# Who may act. The default is the nøgleperson or the DPO (issue #2, point 4).
ADVANCERS = frozenset({Role.KEY_PERSON, Role.DPO})
ROLES: dict[Trigger, frozenset[Role]] = {
    T.REVIEW_DRAFT: frozenset({Role.DPO}),
    T.RECORD_SUBMISSION: frozenset({Role.DPO}),  # seed 003 activity 7: the DPO submits
    T.CO_DECIDE: frozenset({Role.DPO}),  # seed 003 activity 7, seed 004: "no" is decided with the DPO
    T.POSTPONE_COMMUNICATION: frozenset({Role.DPO}),  # a legal exception to Art. 34: the DPO decides it
}
MAX_POSTPONEMENT = timedelta(days=30)  # our choice: a postponement is looked at again at least monthly

_AFTER_SUPPLIER_REQUEST = [
    S.AWAITING_SUPPLIERS, S.NOTIFICATION_DRAFTING, S.NOTIFICATION_REVIEW, S.NOTIFICATION_APPROVED,
    S.SUBJECT_DECISION, S.COMMUNICATION_DRAFTING, S.COMMUNICATION_REVIEW, S.COMMUNICATION_APPROVED,
    S.DOCUMENTATION, S.LESSONS_LEARNED,
]
_AFTER_NOTIFICATION = [
    S.SUBJECT_DECISION, S.COMMUNICATION_DRAFTING, S.COMMUNICATION_REVIEW, S.COMMUNICATION_APPROVED,
    S.DOCUMENTATION, S.LESSONS_LEARNED,
]
_ASSESSABLE = [S.FACT_FINDING, S.AWAITING_SUPPLIERS]
_COMMUNICATION_PENDING = [S.SUBJECT_DECISION, S.COMMUNICATION_DRAFTING, S.COMMUNICATION_REVIEW,
                          S.COMMUNICATION_APPROVED]
_PLANNABLE = [S.FACT_FINDING, S.AWAITING_SUPPLIERS, S.NOTIFICATION_DRAFTING, S.NOTIFICATION_REVIEW,
              S.NOTIFICATION_APPROVED, *_COMMUNICATION_PENDING, S.COMMUNICATION_POSTPONED]

# dest None = internal transition: the action is recorded, the state stays.
TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": T.ASSESS_BREACH, "source": S.REPORTED, "dest": S.CONTAINMENT, "conditions": ["is_breach"]},
    {"trigger": T.ASSESS_BREACH, "source": S.REPORTED, "dest": S.NOT_BREACH_PROPOSED, "conditions": ["not_a_breach"]},
    {"trigger": T.CO_DECIDE, "source": S.NOT_BREACH_PROPOSED, "dest": S.CLOSED,
     "conditions": ["approves", "co_decider_is_not_proposer"]},
    {"trigger": T.CO_DECIDE, "source": S.NOT_BREACH_PROPOSED, "dest": S.REPORTED, "conditions": ["rejects"]},
    {"trigger": T.CONTAIN, "source": S.CONTAINMENT, "dest": S.INFORMING},
    {"trigger": T.INFORM_MANAGEMENT, "source": S.INFORMING, "dest": S.FACT_FINDING},
    {"trigger": T.RECORD_FACTS, "source": _ASSESSABLE, "dest": None},
    {"trigger": T.REQUEST_SUPPLIER_ACCOUNTS, "source": S.FACT_FINDING, "dest": S.AWAITING_SUPPLIERS,
     "conditions": ["facts_recorded", "suppliers_not_yet_asked"]},
    {"trigger": T.REQUEST_SUPPLIER_ACCOUNTS, "source": S.AWAITING_SUPPLIERS, "dest": None,
     "conditions": ["suppliers_not_yet_asked"]},
    {"trigger": T.RECORD_SUPPLIER_ACCOUNT, "source": _AFTER_SUPPLIER_REQUEST, "dest": None,
     "conditions": ["supplier_account_outstanding"]},
    {"trigger": T.ASSESS_NOTIFICATION, "source": _ASSESSABLE, "dest": S.NO_RISK_PROPOSED,
     "conditions": ["decided_no_risk", "facts_recorded", "is_controller", "follows_proposal_or_says_why"]},
    {"trigger": T.CO_DECIDE, "source": S.NO_RISK_PROPOSED, "dest": S.SUBJECT_DECISION,
     "conditions": ["approves", "co_decider_is_not_proposer"]},
    {"trigger": T.CO_DECIDE, "source": S.NO_RISK_PROPOSED, "dest": S.FACT_FINDING, "conditions": ["rejects"]},
    {"trigger": T.ASSESS_NOTIFICATION, "source": _ASSESSABLE, "dest": S.NOTIFICATION_DRAFTING,
     "conditions": ["decided_to_notify", "facts_recorded", "follows_proposal_or_says_why"]},
    {"trigger": T.SUBMIT_NOTIFICATION_DRAFT, "source": S.NOTIFICATION_DRAFTING, "dest": S.NOTIFICATION_REVIEW,
     "conditions": ["notification_complete", "late_notification_has_reasons"]},
    {"trigger": T.REVIEW_DRAFT, "source": S.NOTIFICATION_REVIEW, "dest": S.NOTIFICATION_APPROVED,
     "conditions": ["approves", "reviewer_is_not_author"]},
    {"trigger": T.REVIEW_DRAFT, "source": S.NOTIFICATION_REVIEW, "dest": S.NOTIFICATION_DRAFTING,
     "conditions": ["rejects"]},
    {"trigger": T.RECORD_SUBMISSION, "source": S.NOTIFICATION_APPROVED, "dest": S.SUBJECT_DECISION,
     "conditions": ["late_notification_has_reasons"]},
    {"trigger": T.DECIDE_COMMUNICATION, "source": S.SUBJECT_DECISION, "dest": S.COMMUNICATION_DRAFTING,
     "conditions": ["decided_to_communicate", "is_controller", "authority_notified_or_dpo_override"]},
    # Art. 34(3)(c): instead of letters, a public communication, drafted and approved like a letter.
    {"trigger": T.DECIDE_COMMUNICATION, "source": S.SUBJECT_DECISION, "dest": S.COMMUNICATION_DRAFTING,
     "conditions": ["decided_not_to_communicate", "disproportionate_effort", "art34_evidence_given"]},
    {"trigger": T.DECIDE_COMMUNICATION, "source": S.SUBJECT_DECISION, "dest": S.DOCUMENTATION,
     "conditions": ["decided_not_to_communicate", "not_disproportionate_effort", "high_risk_has_art34_ground"]},
    {"trigger": T.POSTPONE_COMMUNICATION, "source": _COMMUNICATION_PENDING, "dest": S.COMMUNICATION_POSTPONED,
     "conditions": ["review_date_ahead"]},
    {"trigger": T.REVIEW_POSTPONEMENT, "source": S.COMMUNICATION_POSTPONED, "dest": S.SUBJECT_DECISION,
     "conditions": ["resumes"]},
    {"trigger": T.REVIEW_POSTPONEMENT, "source": S.COMMUNICATION_POSTPONED, "dest": None,
     "conditions": ["keeps_postponed", "next_review_ahead"]},
    {"trigger": T.PLAN_COMMUNICATION, "source": _PLANNABLE, "dest": None,
     "conditions": ["plan_not_yet_released", "plan_goes_with_a_notification_still_to_come"]},
    {"trigger": T.SUBMIT_COMMUNICATION_DRAFT, "source": S.COMMUNICATION_DRAFTING, "dest": S.COMMUNICATION_REVIEW},
    {"trigger": T.REVIEW_DRAFT, "source": S.COMMUNICATION_REVIEW, "dest": S.COMMUNICATION_APPROVED,
     "conditions": ["approves", "reviewer_is_not_author"]},
    {"trigger": T.REVIEW_DRAFT, "source": S.COMMUNICATION_REVIEW, "dest": S.COMMUNICATION_DRAFTING,
     "conditions": ["rejects"]},
    {"trigger": T.RECORD_COMMUNICATION_SENT, "source": S.COMMUNICATION_APPROVED, "dest": S.DOCUMENTATION,
     "conditions": ["public_notice_publication_recorded"]},
    {"trigger": T.ADD_FOLLOW_UP, "source": [*_AFTER_NOTIFICATION, S.COMMUNICATION_POSTPONED, S.CLOSED], "dest": None,
     "conditions": ["authority_notified", "follow_up_recipient_notified"]},
    {"trigger": T.DOCUMENT, "source": S.DOCUMENTATION, "dest": S.LESSONS_LEARNED},
    {"trigger": T.CLOSE, "source": S.LESSONS_LEARNED, "dest": S.CLOSED},
    # New facts after close: assessed again (Art. 33(4)); a "not a breach" goes back to the first question.
    {"trigger": T.REOPEN, "source": S.CLOSED, "dest": S.FACT_FINDING, "conditions": ["was_a_breach"]},
    {"trigger": T.REOPEN, "source": S.CLOSED, "dest": S.REPORTED, "conditions": ["was_not_a_breach"]},
]


def _late_has_reasons(ctx: GuardContext) -> bool:
    if ctx.now <= ctx.case.deadline or ctx.case.authority_notified_at is not None:
        return True  # in time, or a follow-up to a first notification (Art. 33(4): without undue further delay)
    cmd = ctx.command
    return bool(getattr(cmd, "delay_reasons", None) or ctx.case.notification_delay_reasons)


def _notification_complete(ctx: GuardContext) -> bool:
    assert isinstance(ctx.command, c.SubmitNotificationDraft)
    return not missing_notification_elements(compose_notification(ctx.case, ctx.command))


def _follows_proposal(ctx: GuardContext) -> bool:
    cmd = ctx.command
    assert isinstance(cmd, c.AssessNotification)
    if ctx.case.facts is None or ctx.case.report.org_role is OrgRole.PROCESSOR:
        return True  # no facts: refused by facts_recorded; a processor's assessment is the controller's
    return propose(ctx.case.facts).level is cmd.level or cmd.deviation_reason is not None


def _supplier_outstanding(ctx: GuardContext) -> bool:
    assert isinstance(ctx.command, c.RecordSupplierAccount)
    return any(s.name == ctx.command.supplier and s.account is None for s in ctx.case.suppliers)


def _suppliers_new(ctx: GuardContext) -> bool:
    assert isinstance(ctx.command, c.RequestSupplierAccounts)
    asked = {s.name for s in ctx.case.suppliers}
    return not any(s.name in asked for s in ctx.command.suppliers)


def _override_ok(ctx: GuardContext) -> bool:
    cmd = ctx.command
    assert isinstance(cmd, c.DecideCommunication)
    if ctx.case.authority_notified_at is not None:
        return True
    return cmd.override_reason is not None and cmd.actor.role is Role.DPO


def _high_risk_ground(ctx: GuardContext) -> bool:
    """Art. 34(1) and (3): a high-risk case is not closed silently."""
    cmd = ctx.command
    assert isinstance(cmd, c.DecideCommunication)
    if ctx.case.risk_level is not RiskLevel.HIGH_RISK:
        return True
    return cmd.exception is not None and bool(cmd.exception_evidence)


def _review_ahead(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and now < moment <= now + MAX_POSTPONEMENT


def _plan_in_time(ctx: GuardContext) -> bool:
    cmd = ctx.command
    assert isinstance(cmd, c.PlanCommunication)
    if cmd.release_with is DraftKind.AUTHORITY:
        return ctx.case.authority_notified_at is None and ctx.case.report.org_role is OrgRole.CONTROLLER
    return ctx.case.subjects_communicated_at is None and ctx.case.communicate_to_subjects is not False


def _follow_up_recipient(ctx: GuardContext) -> bool:
    cmd = ctx.command
    assert isinstance(cmd, c.AddFollowUp)
    if cmd.recipient is DraftKind.SUBJECTS:
        return ctx.case.subjects_communicated_at is not None
    return cmd.recipient is ctx.case.notification_kind()


GUARDS: dict[str, Guard] = {
    "is_breach": Guard(lambda x: x.command.is_breach, None),
    "not_a_breach": Guard(lambda x: not x.command.is_breach, None),
    "decided_no_risk": Guard(lambda x: x.command.level is RiskLevel.NO_RISK, None),
    "decided_to_notify": Guard(lambda x: x.command.level is not RiskLevel.NO_RISK, None),
    "approves": Guard(lambda x: x.command.approve, None),
    "high_risk_has_art34_ground": Guard(
        _high_risk_ground,
        "the risk is high, so the data subjects are told unless an Art. 34(3) ground is recorded with its "
        "evidence (exception, exception_evidence)"),
    "disproportionate_effort": Guard(lambda x: x.command.exception is Art34Exception.DISPROPORTIONATE_EFFORT, None),
    "not_disproportionate_effort": Guard(
        lambda x: x.command.exception is not Art34Exception.DISPROPORTIONATE_EFFORT, None),
    "art34_evidence_given": Guard(
        lambda x: bool(x.command.exception_evidence),
        "disproportionate effort (Art. 34(3)(c)) needs its evidence (exception_evidence); the public "
        "communication is then drafted, approved by the DPO and its publication recorded"),
    "public_notice_publication_recorded": Guard(
        lambda x: not x.case.public_notice_required or bool(x.command.published_place and x.command.sent_at),
        "a public communication (Art. 34(3)(c)) is recorded with where (published_place) and when (sent_at) "
        "it was published"),
    "review_date_ahead": Guard(
        lambda x: _review_ahead(x.command.review_at, x.now),
        "a postponement (databeskyttelsesloven § 22) is reviewed: review_at must be after now and at most "
        "30 days ahead"),
    "resumes": Guard(lambda x: x.command.resume, None),
    "keeps_postponed": Guard(lambda x: not x.command.resume, None),
    "next_review_ahead": Guard(
        lambda x: _review_ahead(x.command.next_review_at, x.now),
        "a continued postponement needs its next review (next_review_at) after now and at most 30 days ahead"),
    "plan_not_yet_released": Guard(
        lambda x: x.case.communication_plan is None or x.case.communication_plan.released_at is None,
        "the communication plan has already gone out with the notification; record further messages as "
        "follow-ups"),
    "plan_goes_with_a_notification_still_to_come": Guard(
        _plan_in_time,
        "the plan goes out at the same time as its notification (seed 003 activity 9): that notification "
        "has already been sent, or will not be (release_with)"),
    "was_a_breach": Guard(lambda x: x.case.is_breach is not False, None),
    "was_not_a_breach": Guard(lambda x: x.case.is_breach is False, None),
    "reviewer_is_not_author": Guard(
        lambda x: not x.case.drafts or not x.case.drafts[-1].author.same_person(x.command.actor),
        "four eyes: the person who wrote the draft cannot approve it, whatever roles they hold"),
    "co_decider_is_not_proposer": Guard(
        lambda x: x.case.no_proposed_by is None or not x.case.no_proposed_by.same_person(x.command.actor),
        "a 'no' is decided by two people: the DPO who co-decides cannot be the one who proposed it "
        "(seed 003 activity 7)"),
    "rejects": Guard(lambda x: not x.command.approve, None),
    "decided_to_communicate": Guard(lambda x: x.command.communicate, None),
    "decided_not_to_communicate": Guard(lambda x: not x.command.communicate, None),
    "facts_recorded": Guard(
        lambda x: x.case.facts is not None,
        "record the facts (type, categories, numbers, systems) before this step (seed 003 §1)",
    ),
    "suppliers_not_yet_asked": Guard(_suppliers_new, "a supplier with that name has already been asked"),
    "supplier_account_outstanding": Guard(
        _supplier_outstanding, "no outstanding request to a supplier with that name"
    ),
    "is_controller": Guard(
        lambda x: x.case.report.org_role is OrgRole.CONTROLLER,
        "the organisation is processor here: it must notify the controller of every breach without "
        "undue delay, and the risk assessment and any communication to data subjects are the "
        "controller's (Art. 33(2), seed 004)",
    ),
    "notification_complete": Guard(
        _notification_complete, "the notification lacks required Art. 33(3) elements",
        explain=lambda ctx: "the notification lacks required Art. 33(3) elements: " + ", ".join(
            missing_notification_elements(compose_notification(ctx.case, ctx.command)))),
    "follows_proposal_or_says_why": Guard(
        _follows_proposal, "the decision departs from the engine's proposal", explain=lambda ctx: _departure(ctx)),
    "late_notification_has_reasons": Guard(
        _late_has_reasons,
        "the 72-hour deadline has passed: the notification must give the reasons for the delay "
        "(delay_reasons, Art. 33(1))",
    ),
    "authority_notified_or_dpo_override": Guard(
        _override_ok,
        "Datatilsynet has not been notified, so the data subjects are not communicated to (seed 003 "
        "activity 8) unless the DPO records an override with override_reason",
    ),
    "authority_notified": Guard(
        lambda x: x.case.authority_notified_at is not None,
        "there is no first notification to follow up (Art. 33(4))",
    ),
    "follow_up_recipient_notified": Guard(
        _follow_up_recipient, "that recipient has not received a first notification in this case"
    ),
}


def _departure(ctx: GuardContext) -> str:
    proposal = propose(ctx.case.facts)
    return (f"the decision departs from the engine's proposal ({proposal.level.value}, ENISA severity "
            f"{proposal.severity:g}): give deviation_reason, it is recorded with both (issue #3)")


BREACH = Procedure(states=BreachState, triggers=Trigger, transitions=TRANSITIONS, guards=GUARDS,
                   state_info=STATE_INFO, default_roles=ADVANCERS, roles=ROLES)


def allowed_triggers(state: BreachState) -> list[Trigger]:
    return BREACH.offered(state)


def check(case: BreachCase, trigger: Trigger, command: c.Command, now: datetime) -> BreachState | None:
    return BREACH.check(case, trigger, command, now)


def fire(case: BreachCase, trigger: Trigger, command: c.Command, now: datetime) -> BreachState:
    return BREACH.fire(case, trigger, command, now)


def mermaid() -> str:
    """The state diagram, generated from the table (docs/breach-states.md)."""
    return BREACH.mermaid(S.REPORTED, S.CLOSED)
