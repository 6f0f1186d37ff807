"""The breach register (Art. 33(5)): one row per case, every case, notified or not.

Columns cover the seed 002 log fields 1-9.1 and the seed 004 documentation list.
The row is a projection of the case, rebuilt at every step, so it can never drift.
"""

from __future__ import annotations

from datetime import datetime

from domain.breach.model import BreachCase, DraftKind, DraftStatus, OrgRole
from domain.kernel.model import Strict
from domain.breach.notifications import DATA_CATEGORY_DA
from domain.breach.risk import EXCEPTION_DA
from domain.breach.view import ROLE_DA


class RegisterEntry(Strict):
    case_id: str
    state: str
    org_role: str
    is_breach: bool | None
    not_breach_reason: str | None
    # seed 002 log fields
    f1_discovered_by: str
    f2_occurred_at: datetime | None
    aware_at: datetime
    f3_what_happened: str
    f4_cause: str | None
    f5_data_categories: str
    f6_consequences: str | None
    f7_remedial_measures: str | None
    f8_authority_notified_at: datetime | None  # Datatilsynet only; never set when we are processor
    f8_1_reason_not_notified: str | None
    f9_subjects_communicated_at: datetime | None
    f9_1_reason_not_communicated: str | None
    # seed 004 documentation list
    subject_categories: str | None
    approx_subjects: int | None
    approx_records: int | None
    dpo_contact: str
    # the decisions and their timing
    deadline: datetime
    overdue: bool
    risk_level: str | None
    risk_reasons: str | None
    proposed_level: str | None
    deviation_reason: str | None
    authority_reference: str | None
    notification_delay_reasons: str | None
    art34_exception: str | None
    follow_ups: int
    lessons_learned: str | None
    closed_at: datetime | None
    updated_at: datetime
    controller_notified_at: datetime | None = None  # processor: when the controller was told (Art. 33(2), seed 004)
    no_decided_by: str | None = None  # a "no" (not a breach / no risk): who proposed it and the DPO who co-decided


def _approved_notification_consequences(case: BreachCase) -> str | None:
    for draft in reversed(case.drafts):
        if draft.kind is not DraftKind.SUBJECTS and draft.status is DraftStatus.APPROVED and draft.notification:
            return draft.notification.likely_consequences
    return None


def _reason_not_notified(case: BreachCase) -> str | None:
    if case.is_breach is False:
        return f"Ikke et brud på persondatasikkerheden: {case.not_breach_reason}"
    if case.risk_level is not None and case.risk_level.value == "no_risk":
        return case.risk_reasons
    return None


def _reason_not_communicated(case: BreachCase) -> str | None:
    if case.communicate_to_subjects is False:
        exception = (f" (art. 34, stk. 3: {EXCEPTION_DA[case.art34_exception]}; "
                     f"{case.art34_evidence or 'uden dokumentation'}"
                     + (f"; offentlig meddelelse: {case.art34_public_notice}" if case.art34_public_notice else "") + ")"
                     if case.art34_exception else "")
        return (case.communication_reason or "") + exception
    if case.is_breach is False:
        return "Ikke et brud på persondatasikkerheden."
    return None


def build_register_entry(case: BreachCase, now: datetime) -> RegisterEntry:
    facts = case.facts
    reporter = case.report.reporter
    processor = case.report.org_role is OrgRole.PROCESSOR
    return RegisterEntry(
        case_id=case.case_id,
        state=case.state,
        org_role=case.report.org_role.value,
        is_breach=case.is_breach,
        not_breach_reason=case.not_breach_reason,
        f1_discovered_by=f"{reporter.name} <{reporter.email}>",
        f2_occurred_at=case.report.occurred_at,
        aware_at=case.report.aware_at,
        f3_what_happened=case.report.what_happened,
        f4_cause=(facts.cause if facts else None)
        or (case.no_risk_documentation.cause if case.no_risk_documentation else None),
        f5_data_categories=", ".join(DATA_CATEGORY_DA[c] for c in facts.data_categories)
        if facts and facts.data_categories else case.report.affected_data,
        f6_consequences=_approved_notification_consequences(case) or case.risk_reasons,
        f7_remedial_measures=case.containment,
        # As processor the first notification goes to the controller, not to Datatilsynet (seed 004).
        f8_authority_notified_at=None if processor else case.authority_notified_at,
        controller_notified_at=case.authority_notified_at if processor else None,
        no_decided_by=(f"{case.no_proposed_by.name} ({ROLE_DA[case.no_proposed_by.role]}) og "
                       f"{case.no_co_decided_by.name} (DPO)") if case.no_proposed_by and case.no_co_decided_by else None,
        f8_1_reason_not_notified=_reason_not_notified(case),
        f9_subjects_communicated_at=case.subjects_communicated_at,
        f9_1_reason_not_communicated=_reason_not_communicated(case),
        subject_categories=", ".join(facts.subject_categories) if facts and facts.subject_categories
        else case.report.affected_people,
        approx_subjects=facts.approx_subjects if facts else None,
        approx_records=facts.approx_records if facts else None,
        dpo_contact=f"{case.policy.dpo.name} <{case.policy.dpo.email}>",
        deadline=case.deadline,
        overdue=case.overdue,
        risk_level=case.risk_level.value if case.risk_level else None,
        risk_reasons=case.risk_reasons,
        proposed_level=case.proposed_level.value if case.proposed_level else None,
        deviation_reason=case.deviation_reason,
        authority_reference=case.authority_reference,
        notification_delay_reasons=case.notification_delay_reasons,
        art34_exception=case.art34_exception.value if case.art34_exception else None,
        follow_ups=len(case.follow_ups),
        lessons_learned=case.lessons_learned,
        closed_at=case.closed_at,
        updated_at=now,
    )
