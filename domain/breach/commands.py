"""Human actions on a breach case. One model per Temporal update; each names its actor.

Field-level rules live here (pydantic refuses bad shapes); rules that depend on the
case's state live in the guards of `domain/breach/machine.py`.
"""

from __future__ import annotations

from pydantic import EmailStr, Field, model_validator

from domain.kernel.commands import Command as Command, Review as Review  # `as`: re-exported, callers write c.Command
from domain.kernel.model import MAX_ITEMS, Count, Moment, ShortText, Strict, Text
from domain.breach.facts import Art34Exception, BreachFacts
from domain.breach.model import Affectedness, DraftKind, NoRiskDocumentation, PlannedCommunication, PoliceReport, RiskLevel, SupplierAccount


class AssessBreach(Command):
    """Activity 1 (seed 003): is this a personal-data breach at all? Both answers need a reason."""

    is_breach: bool
    reason: Text


class Contain(Command):
    """Activities 2 and 6: stop the breach, limit damage, decide on stopping an IT system."""

    measures: Text
    system_stopped: bool
    stopped_systems: Text | None = None

    @model_validator(mode="after")
    def _name_stopped_system(self) -> Contain:
        if self.system_stopped and not self.stopped_systems:
            raise ValueError("stopped_systems: name the system(s) stopped when system_stopped is true")
        return self


class InformManagement(Command):
    """Activity 3: inform management and DPO, convene the crisis team (seed 002 step 2)."""

    crisis_team: list[ShortText] = Field(min_length=1, max_length=MAX_ITEMS)
    message: Text | None = None


class RecordFacts(Command):
    """Activity 4: the structured facts. May be repeated to refine them until the assessment."""

    facts: BreachFacts


class SupplierContact(Strict):
    name: ShortText
    email: EmailStr
    system: ShortText | None = None


class RequestSupplierAccounts(Command):
    """Activity 5: ask suppliers/processors for a written account."""

    suppliers: list[SupplierContact] = Field(min_length=1, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _unique_names(self) -> RequestSupplierAccounts:
        names = [s.name for s in self.suppliers]
        if len(names) != len(set(names)):
            raise ValueError("suppliers: each supplier name must be unique")
        return self


class RecordSupplierAccount(Command):
    supplier: ShortText
    account: SupplierAccount


class AssessNotification(Command):
    """Activity 7: no risk / risk / high risk, with reasons; 'no risk' needs seed 003 §2 documentation."""

    level: RiskLevel
    reasons: Text
    no_risk_documentation: NoRiskDocumentation | None = None
    deviation_reason: Text | None = Field(
        default=None, description="Required when the decision departs from the engine's proposal.")

    @model_validator(mode="after")
    def _documentation_for_no_risk(self) -> AssessNotification:
        if self.level is RiskLevel.NO_RISK and self.no_risk_documentation is None:
            raise ValueError(
                "no_risk_documentation: deciding 'no risk' requires the seed 003 §2 documentation "
                "(start and end time, scope, cause, and whether the data reached unauthorised persons)"
            )
        if self.level is not RiskLevel.NO_RISK and self.no_risk_documentation is not None:
            raise ValueError("no_risk_documentation: only given with level 'no_risk'")
        return self


class SubmitNotificationDraft(Command):
    """Draft to Datatilsynet (or to the controller). Blank elements are filled from the facts."""

    nature: Text | None = None
    likely_consequences: Text
    measures_taken: Text | None = None
    measures_proposed: Text
    subjects_informed: Text | None = None
    still_unknown: Text | None = None
    delay_reasons: Text | None = None
    # Datatilsynet's form, beyond Art. 33(3); all optional, unknown values are printed as such.
    follow_up: bool = Field(default=False, description="A follow-up to a first notification made earlier.")
    follow_up_of_reference: ShortText | None = Field(
        default=None, description="Datatilsynet's reference (journal number) of the first notification; "
                                  "a follow-up when given.")
    breach_ended_at: Moment | None = Field(default=None, description="When the breach ended (else the facts').")
    breach_ongoing: bool | None = Field(default=None, description="True: the breach has not ended.")
    subjects_informed_how: Text | None = Field(
        default=None, description="How and when the data subjects were or will be told.")
    police_report: PoliceReport | None = None


class SubmitCommunicationDraft(Command):
    """Draft of the communication to data subjects (Art. 34)."""

    affectedness: Affectedness
    description: Text
    likely_consequences: Text
    measures_taken: Text
    advice: list[Text] = Field(default_factory=list, max_length=MAX_ITEMS)
    channel: ShortText
    measures_proposed: Text | None = None
    to_parents: bool | None = Field(
        default=None, description="The letter goes to parents; default: when the facts include children's data.")


class ReviewDraft(Review):
    """A draft notification or communication (issue #2, point 4)."""


class CoDecide(Review):
    """The DPO's co-decision on a proposed "no" (not a breach; no risk, so no notification): seed 003
    activity 7 and seed 004. `approve` agrees; a disagreement says why and sends the case back."""


class RecordSubmission(Command):
    """The approved notification was submitted (virk.dk) or, for a processor, sent to the controller."""

    submitted_at: Moment | None = None
    reference: ShortText | None = None
    delay_reasons: Text | None = None


class DecideCommunication(Command):
    """Activity 8 (Art. 34). 'No' needs a reason (log 9.1); 'yes' needs a notification or a DPO override."""

    communicate: bool
    reason: Text
    exception: Art34Exception | None = None
    exception_evidence: Text | None = Field(
        default=None, description="Art. 34(3): what shows the ground holds (e.g. the encryption used and that the "
                                  "key is safe; the measure that removed the high risk)")
    public_notice: Text | None = Field(
        default=None, description="Art. 34(3)(c): the public communication made instead: where and when published")
    override_reason: Text | None = None

    @model_validator(mode="after")
    def _exception_only_when_not_communicating(self) -> DecideCommunication:
        if self.communicate and self.exception is not None:
            raise ValueError("exception: an Art. 34(3) exception only applies when not communicating")
        return self


class RecordCommunicationSent(Command):
    sent_at: Moment | None = None
    recipients: Count | None = None
    published_place: ShortText | None = Field(
        default=None, description="a public communication (Art. 34(3)(c)): where it was published; sent_at: when")


class PostponeCommunication(Command):
    """Databeskyttelsesloven § 22: postpone the communication to the subjects, e.g. at the police's request."""

    legal_basis: Text = Field(description="e.g. databeskyttelseslovens § 22, stk. 1 (politiets efterforskning)")
    reason: Text
    requested_by: ShortText | None = Field(default=None, description="e.g. the police district and its reference")
    review_at: Moment = Field(description="when the postponement is reviewed (at most 30 days ahead)")


class ReviewPostponement(Command):
    resume: bool = Field(description="yes: the ground is gone, the subjects are told; no: stays postponed")
    reason: Text
    next_review_at: Moment | None = Field(default=None, description="required when it stays postponed")

    @model_validator(mode="after")
    def _next_review_when_kept(self) -> ReviewPostponement:
        if not self.resume and self.next_review_at is None:
            raise ValueError("next_review_at: a postponement that continues needs its next review date")
        return self


class PlanCommunication(Command):
    """Seed 003 activity 9: internal and external communication, sent with the notification, same message."""

    message: Text
    items: list[PlannedCommunication] = Field(min_length=1, max_length=MAX_ITEMS)
    release_with: DraftKind = Field(
        default=DraftKind.SUBJECTS, description="released when this notification is recorded as sent")

    @model_validator(mode="after")
    def _release_with_a_notification_we_send(self) -> PlanCommunication:
        if self.release_with is DraftKind.CONTROLLER:
            raise ValueError("release_with: the plan goes out with the notification to Datatilsynet or to the "
                             "data subjects")
        return self


class ReopenCase(Command):
    """New facts after close: the case is assessed again; a notified case gets a follow-up (Art. 33(4))."""

    reason: Text


class AddFollowUp(Command):
    """New facts after the first notification: phased notification, Art. 33(4)."""

    recipient: DraftKind = DraftKind.AUTHORITY
    new_facts: Text


class Document(Command):
    """Activity 10: final documentation of decisions and course of events."""

    summary: Text


class Close(Command):
    """Lessons learned (seed 002 step 7) and close (step 8 / activity 11)."""

    lessons_learned: Text
    procedure_changes: Text | None = None
