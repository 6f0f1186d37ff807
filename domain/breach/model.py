"""The breach case as data: intake, people, facts, decisions, drafts, timeline.

Pure pydantic. Every message into or out of a workflow is one of these models.
Strings that a person typed are kept verbatim; validators only refuse, never rewrite.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

from pydantic import (
    AwareDatetime, EmailStr, Field, StringConstraints, model_validator,
)

from domain.breach.facts import Art34Exception, BreachFacts, BreachType
from domain.kernel.case_ids import BREACH_ID_PATTERN
from domain.kernel.model import (
    MAX_ITEMS, Actor, Contact, Count, Moment, Role, ShortText, Strict, Text, TimelineEvent,
    WorkspaceUrl,
)


class OrgRole(str, enum.Enum):
    CONTROLLER = "controller"  # dataansvarlig: notifies Datatilsynet
    PROCESSOR = "processor"  # databehandler: notifies the controller (seed 004)


# --- the organisation's rules for one case ------------------------------------------


class CasePolicy(Strict):
    """Configuration snapshot taken when the case opens; replay never sees new settings."""

    organisation_name: ShortText
    # Datatilsynet's form names the controller by CVR number and address; None: printed as not yet known.
    organisation_cvr: Annotated[str, StringConstraints(pattern=r"^\d{8}$")] | None = None
    organisation_address: ShortText | None = None
    key_person: Contact
    dpo: Contact
    management_emails: list[EmailStr] = Field(min_length=1, max_length=MAX_ITEMS)
    reminder_hours_before: list[Annotated[int, Field(le=72)]] = Field(
        default_factory=lambda: [24, 12, 2], max_length=20)
    processor_deadline_hours: int = Field(default=24, ge=1, le=72)
    supplier_reminder_days: float = Field(default=2.0, gt=0, le=365, allow_inf_nan=False)
    supplier_max_reminders: int = Field(default=3, ge=0, le=20)
    # A closed case stays open to reopening and follow-ups this long (must end before its retention).
    reopen_window_days: int = Field(default=365, ge=1, le=3650)
    # Where the web workspace is (settings.public_url); mails to the organisation's own people end with a
    # link to the case there. None (cases opened before the workspace): no link.
    workspace_url: WorkspaceUrl | None = None

    @model_validator(mode="after")
    def _positive_offsets(self) -> CasePolicy:
        if any(h <= 0 for h in self.reminder_hours_before):
            raise ValueError("reminder_hours_before must hold positive hours")
        return self


# --- intake -------------------------------------------------------------------------


class BreachReport(Strict):
    """What the reporting employee tells (seed 002 step 1, log fields 1-3)."""

    reporter: Contact
    aware_at: Moment = Field(
        description="When the first person in the organisation became aware; the 72 hours run from here."
    )
    occurred_at: Moment | None = Field(default=None, description="When the breach happened, if known.")
    what_happened: Text
    how_discovered: Text
    affected_people: Text = Field(description="Which people may be affected (categories, groups, numbers).")
    affected_data: Text = Field(description="Which personal data may be affected.")
    org_role: OrgRole = OrgRole.CONTROLLER
    controller: Contact | None = Field(
        default=None, description="The controller to notify when the organisation acts as processor."
    )

    @model_validator(mode="after")
    def _controller_for_processor(self) -> BreachReport:
        if self.org_role is OrgRole.PROCESSOR and self.controller is None:
            raise ValueError("controller: required when the organisation is processor (seed 004)")
        if self.occurred_at and self.occurred_at > self.aware_at:
            raise ValueError("occurred_at: cannot be after aware_at")
        return self


class BreachCaseInput(Strict):
    case_id: Annotated[str, StringConstraints(pattern=BREACH_ID_PATTERN)]
    report: BreachReport
    policy: CasePolicy


# --- facts (collected in the "collect facts" step; seed 003 §1) ---------------------


# --- decisions ------------------------------------------------------------------------


class RiskLevel(str, enum.Enum):
    NO_RISK = "no_risk"  # unlikely to result in a risk: no notification, documented
    RISK = "risk"  # notify the authority
    HIGH_RISK = "high_risk"  # notify the authority and communicate to subjects


class NoRiskDocumentation(Strict):
    """What seed 003 §2 requires before a breach may go un-notified."""

    started_at: Moment
    ended_at: Moment
    scope: Text
    cause: Text
    reached_unauthorised: bool
    unauthorised_recipients: Text | None = None
    recipients_cannot_or_will_not_use: Text | None = None
    recipients_no_longer_hold: Text | None = None

    @model_validator(mode="after")
    def _recipients_documented(self) -> NoRiskDocumentation:
        if self.ended_at < self.started_at:
            raise ValueError("ended_at: cannot be before started_at")
        if self.reached_unauthorised:
            missing = [
                name
                for name in (
                    "unauthorised_recipients",
                    "recipients_cannot_or_will_not_use",
                    "recipients_no_longer_hold",
                )
                if not getattr(self, name)
            ]
            if missing:
                raise ValueError(
                    "data reached unauthorised persons, so seed 003 §2 requires: " + ", ".join(missing)
                )
        return self


class Affectedness(str, enum.Enum):
    """Seed 002 step 5: the wording must say which of these applies."""

    CERTAINLY = "certainly"
    PRESUMABLY = "presumably"
    NOT_EXCLUDED = "not_excluded"


class DraftKind(str, enum.Enum):
    AUTHORITY = "authority"  # to Datatilsynet (controller)
    CONTROLLER = "controller"  # to the controller (we are processor)
    SUBJECTS = "subjects"  # communication to data subjects


class DraftStatus(str, enum.Enum):
    IN_REVIEW = "in_review"
    REJECTED = "rejected"
    APPROVED = "approved"


class PoliceReport(str, enum.Enum):
    """Whether the breach was reported to the police (a question on Datatilsynet's form)."""

    FILED = "filed"
    NOT_FILED = "not_filed"
    NOT_DECIDED = "not_decided"


class NotificationDraft(Strict):
    """Art. 33(3) contents (seed 002 step 4, seed 003 §4, seed 004), in the order of Datatilsynet's form.

    Fields after `delay_reasons` came later: all optional, so drafts in older histories still decode.
    """

    nature: Text
    subject_categories: list[ShortText] = Field(min_length=1)
    approx_subjects: Count | None = None
    data_categories: list[ShortText] = Field(min_length=1)
    approx_records: Count | None = None
    contact_point: Text
    likely_consequences: Text
    measures_taken: Text
    measures_proposed: Text
    measures_in_place_before: Text | None = Field(default=None, description="Security measures before the breach.")
    subjects_informed: Text = Field(description="Whether and how subjects were or will be told, or why not.")
    still_unknown: Text | None = Field(default=None, description="What is not yet known and when it will follow.")
    delay_reasons: Text | None = Field(default=None, description="Art. 33(1): required after 72 hours.")
    follow_up: bool = Field(default=False, description="A follow-up to a first notification (Art. 33(4)).")
    follow_up_of_reference: ShortText | None = Field(
        default=None, description="Datatilsynet's reference (journal number) of the first notification.")
    breach_types: list[BreachType] = Field(default_factory=list, max_length=MAX_ITEMS)
    cause: Text | None = None
    breach_started_at: AwareDatetime | None = None
    breach_ended_at: AwareDatetime | None = None
    breach_ongoing: bool | None = Field(default=None, description="True: the breach has not ended.")
    processors: list[ShortText] | None = Field(
        default=None, description="Processors (suppliers) involved; empty: none; None: not yet known.")
    subjects_informed_how: Text | None = Field(
        default=None, description="How and when the data subjects were or will be told.")
    other_eea_countries: list[ShortText] | None = Field(
        default=None, description="Other EU/EEA countries affected; empty: none known; None: not yet known.")
    police_report: PoliceReport | None = None
    unknown_fields: list[ShortText] = Field(
        default_factory=list, description="Names of the form's fields printed as not yet known (Art. 33(4)).")


class SubjectCommunicationDraft(Strict):
    """Art. 34(2) contents in clear and plain language (seed 002 step 5, seed 003 §5-6)."""

    affectedness: Affectedness
    description: Text
    contact_point: Text
    likely_consequences: Text
    measures_taken: Text
    advice: list[Text] = Field(
        min_length=1, max_length=MAX_ITEMS, description="What the person can do to protect themselves.")
    channel: ShortText = Field(description="e.g. brev, e-mail, Aula, offentlig meddelelse")
    measures_proposed: Text | None = Field(default=None, description="What the organisation will do next.")
    to_parents: bool = Field(default=False, description="The letter speaks to the parents of the children concerned.")


class DraftVersion(Strict):
    kind: DraftKind
    version: int
    author: Actor
    submitted_at: AwareDatetime
    notification: NotificationDraft | None = None
    communication: SubjectCommunicationDraft | None = None
    status: DraftStatus = DraftStatus.IN_REVIEW
    text_da: str | None = Field(default=None, description="The text as rendered from the template, Danish.")
    text_en: str | None = Field(default=None, description="English variant.")
    reviewed_by: Actor | None = None
    reviewed_at: AwareDatetime | None = None
    review_comments: str | None = None


class SupplierAccount(Strict):
    """The supplier's written account (seed 003 activity 5)."""

    timeline: Text
    cause: Text
    consequences: Text
    fix: Text
    prevention: Text


class SupplierRequest(Strict):
    name: ShortText
    email: EmailStr
    system: ShortText | None = None
    requested_at: AwareDatetime
    reminders_sent: int = 0
    account: SupplierAccount | None = None
    answered_at: AwareDatetime | None = None


class FollowUp(Strict):
    """A phased notification (Art. 33(4)) or update to subjects, after the first notification."""

    number: int
    recipient: DraftKind
    new_facts: Text
    at: AwareDatetime
    by: Actor


class Postponement(Strict):
    """Databeskyttelsesloven § 22: the communication to the data subjects postponed, never skipped.

    Recorded with its legal basis, reason, who asked, who decided and when; reviewed on a date.
    """

    legal_basis: Text
    reason: Text
    requested_by: ShortText | None = None
    decided_by: Actor
    decided_at: AwareDatetime
    review_at: AwareDatetime
    reviews: list[str] = Field(default_factory=list)  # each review's outcome, in Danish, dated
    ended_at: AwareDatetime | None = None


class Audience(str, enum.Enum):
    """Seed 003 activity 9: who else hears about the breach besides the authority and the subjects."""

    STAFF = "staff"
    PRESS = "press"
    WEBSITE = "website"
    OTHER = "other"


AUDIENCE_DA = {Audience.STAFF: "medarbejdere", Audience.PRESS: "pressen", Audience.WEBSITE: "hjemmesiden",
               Audience.OTHER: "øvrige"}


class PlannedCommunication(Strict):
    audience: Audience
    responsible: Contact = Field(description="who sends it, and gets the message when it is time")
    channel: ShortText = Field(description="e.g. intranettet, pressemeddelelse, forsiden af hjemmesiden")


class CommunicationPlan(Strict):
    """One message for every audience, released at the same moment as the notification it goes with."""

    message: Text
    items: list[PlannedCommunication]
    release_with: DraftKind
    planned_by: Actor
    planned_at: AwareDatetime
    released_at: AwareDatetime | None = None


class Reopening(Strict):
    at: AwareDatetime
    by: Actor
    reason: Text


# --- the case -------------------------------------------------------------------------


class BreachCase(Strict):
    """The whole state of one case. One serialisable model: queries and continue-as-new are trivial."""

    case_id: str
    state: str
    report: BreachReport
    policy: CasePolicy
    reported_at: AwareDatetime
    deadline: AwareDatetime
    overdue: bool = False
    escalated_at: AwareDatetime | None = None
    is_breach: bool | None = None
    not_breach_reason: str | None = None
    containment: str | None = None
    systems_stopped: str | None = None
    crisis_team: list[str] = Field(default_factory=list)
    management_informed_at: AwareDatetime | None = None
    facts: BreachFacts | None = None
    suppliers: list[SupplierRequest] = Field(default_factory=list)
    risk_level: RiskLevel | None = None
    risk_reasons: str | None = None
    proposed_level: RiskLevel | None = None
    proposal_summary: str | None = None
    deviation_reason: str | None = None
    no_risk_documentation: NoRiskDocumentation | None = None
    drafts: list[DraftVersion] = Field(default_factory=list)
    # The first notification: to Datatilsynet, or to the controller when we are processor (the register
    # keeps the two apart: f8_authority_notified_at / controller_notified_at).
    authority_notified_at: AwareDatetime | None = None
    # A proposed "no" and the DPO's co-decision (seed 003 activity 7): both names are kept.
    art34_evidence: str | None = None  # what shows the Art. 34(3) ground holds
    art34_public_notice: str | None = None  # Art. 34(3)(c): where and when the public communication was made
    no_proposed_by: Actor | None = None
    no_co_decided_by: Actor | None = None
    no_co_decided_at: AwareDatetime | None = None
    authority_reference: str | None = None
    notification_delay_reasons: str | None = None
    communicate_to_subjects: bool | None = None
    communication_reason: str | None = None
    art34_exception: Art34Exception | None = None
    communication_override_reason: str | None = None
    subjects_communicated_at: AwareDatetime | None = None
    subjects_communication_channel: str | None = None
    follow_ups: list[FollowUp] = Field(default_factory=list)
    documentation: str | None = None
    lessons_learned: str | None = None
    procedure_changes: str | None = None
    closed_at: AwareDatetime | None = None
    # Art. 34(3)(c): the public communication is drafted, approved by the DPO and its publication recorded.
    public_notice_required: bool = False
    public_notice_place: str | None = None
    postponements: list[Postponement] = Field(default_factory=list)
    communication_plan: CommunicationPlan | None = None
    reopenings: list[Reopening] = Field(default_factory=list)
    reminders_sent: list[int] = Field(default_factory=list)
    timeline: list[TimelineEvent] = Field(default_factory=list)

    def latest_draft(self, *kinds: DraftKind) -> DraftVersion | None:
        for draft in reversed(self.drafts):
            if draft.kind in kinds:
                return draft
        return None

    def postponed(self) -> Postponement | None:
        last = self.postponements[-1] if self.postponements else None
        return last if last is not None and last.ended_at is None else None

    def notification_kind(self) -> DraftKind:
        return DraftKind.CONTROLLER if self.report.org_role is OrgRole.PROCESSOR else DraftKind.AUTHORITY

    def deadline_met(self) -> bool:
        """The 72-hour duty is discharged by a notification, or by a documented "no" (no risk, or not a
        breach) once the DPO has co-decided it: a proposal alone discharges nothing."""
        decided_no = self.no_co_decided_at is not None or self.no_proposed_by is None  # older cases: no co-decision
        return (
            self.authority_notified_at is not None
            or (self.risk_level is RiskLevel.NO_RISK and decided_no)
            or (self.is_breach is False and decided_no)
        )


class Task(Strict):
    role: Role
    label_da: str
    label_en: str


class RiskProposal(Strict):
    """The engine's proposal for the notification decision, from the recorded facts (domain/breach/risk.py)."""

    level: RiskLevel
    severity: float
    severity_level: str
    notify_authority: bool
    notify_subjects: bool
    exception: Art34Exception | None
    reasons_da: list[str]
    reasons_en: list[str]
    unknown_facts: list[str]


class CaseView(Strict):
    """What `gdpr case show` prints: state, deadline, who acts next, timeline."""

    case_id: str
    state: str
    state_label_da: str
    state_label_en: str
    org_role: OrgRole
    as_of: AwareDatetime
    aware_at: AwareDatetime
    deadline: AwareDatetime
    deadline_met: bool
    overdue: bool
    next_actor: Role | None
    tasks: list[Task]
    allowed_actions: list[str]
    timeline: list[TimelineEvent]
    pending_effects: int = 0
    risk_level: RiskLevel | None = None
    proposal: RiskProposal | None = None


class CaseResult(Strict):
    case_id: str
    state: str
    closed_at: datetime | None
    overdue: bool
