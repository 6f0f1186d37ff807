"""Data-subject requests as data: intake, identity, per-system results, decisions, the case.

Sources: GDPR Art. 12 and 15-21; seed 001 §3.5-3.10 (rights, identity rules, monthly
controls) and §3.11 (where personal data lives).
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, EmailStr, Field, StringConstraints, ValidationInfo, model_validator

from domain.kernel.case_ids import REQUEST_ID_PATTERN
from domain.kernel.commands import Command as Command, Review  # `as`: re-exported, callers write d.Command
from domain.requests.inventory import Identifier, Inventory, System
from domain.kernel.model import Actor, Contact, FieldValue, Moment, ShortText, Strict, Text, TimelineEvent, WorkspaceUrl
from domain.requests.person import PersonResolution, correction_problem, identifier_problems


class RequestType(str, enum.Enum):
    ACCESS = "access"  # Art. 15
    RECTIFICATION = "rectification"  # Art. 16
    ERASURE = "erasure"  # Art. 17
    RESTRICTION = "restriction"  # Art. 18
    PORTABILITY = "portability"  # Art. 20
    OBJECTION = "objection"  # Art. 21


TYPE_DA = {
    RequestType.ACCESS: "indsigt (art. 15)", RequestType.RECTIFICATION: "berigtigelse (art. 16)",
    RequestType.ERASURE: "sletning (art. 17)", RequestType.RESTRICTION: "begrænsning af behandling (art. 18)",
    RequestType.PORTABILITY: "dataportabilitet (art. 20)", RequestType.OBJECTION: "indsigelse (art. 21)",
}


class Channel(str, enum.Enum):
    EMAIL = "email"
    LETTER = "letter"
    PHONE = "phone"
    IN_PERSON = "in_person"


class Representation(str, enum.Enum):
    POWER_OF_ATTORNEY = "power_of_attorney"  # fuldmagt
    PARENTAL_AUTHORITY = "parental_authority"  # forældremyndighed, child under 18


class IdentityMethod(str, enum.Enum):
    """Seed 001 §3.5: how identity may be established."""

    ID_DOCUMENT = "id_document"  # legitimation
    CONTROL_QUESTIONS = "control_questions"  # phone
    CALL_BACK = "call_back"  # kontrolopringning to a known number
    REGISTERED_ADDRESS = "registered_address"  # answer goes to the address already registered
    POWER_OF_ATTORNEY = "power_of_attorney"
    PARENTAL_AUTHORITY = "parental_authority"


# How identity was established, in words: the form's options and the timeline say the same.
IDENTITY_METHOD_DA = {
    IdentityMethod.ID_DOCUMENT: "legitimation set",
    IdentityMethod.CONTROL_QUESTIONS: "kontrolspørgsmål (telefon)",
    IdentityMethod.CALL_BACK: "kontrolopringning til et kendt nummer",
    IdentityMethod.REGISTERED_ADDRESS: "svaret sendes til den adresse, vi allerede har registreret",
    IdentityMethod.POWER_OF_ATTORNEY: "fuldmagt",
    IdentityMethod.PARENTAL_AUTHORITY: "forældremyndighed",
}
CHANNEL_DA = {Channel.EMAIL: "e-mail", Channel.LETTER: "brev", Channel.PHONE: "telefon",
              Channel.IN_PERSON: "personligt fremmøde"}
ON_BEHALF_DA = {Representation.POWER_OF_ATTORNEY: "fuldmagt", Representation.PARENTAL_AUTHORITY: "forældremyndighed"}

# Which methods establish identity for each channel (seed 001 §3.5).
METHODS_FOR_CHANNEL: dict[Channel, set[IdentityMethod]] = {
    Channel.PHONE: {IdentityMethod.CONTROL_QUESTIONS, IdentityMethod.CALL_BACK, IdentityMethod.REGISTERED_ADDRESS},
    Channel.EMAIL: {IdentityMethod.REGISTERED_ADDRESS, IdentityMethod.ID_DOCUMENT},
    Channel.LETTER: {IdentityMethod.REGISTERED_ADDRESS, IdentityMethod.ID_DOCUMENT},
    Channel.IN_PERSON: {IdentityMethod.ID_DOCUMENT},
}


class Correction(Strict):
    """Rectification: the new value of one field (Art. 16)."""

    system_id: Identifier
    table: Identifier
    column: Identifier
    new_value: FieldValue


class SupplementaryStatement(Strict):
    """Art. 16, second sentence: incomplete data completed by a statement from the person."""

    system_id: Identifier
    statement: Text


class RestrictionGround(str, enum.Enum):
    """Art. 18(1)(a)-(d): the only grounds on which a person can require restriction."""

    ACCURACY_CONTESTED = "accuracy_contested"  # (a) while the accuracy is verified
    UNLAWFUL_OPPOSES_ERASURE = "unlawful_opposes_erasure"  # (b) unlawful, but the person wants it kept
    LEGAL_CLAIMS = "legal_claims"  # (c) no longer needed by us, needed by the person for legal claims
    OBJECTION_PENDING = "objection_pending"  # (d) objected under Art. 21(1), pending our assessment


RESTRICTION_GROUND_DA = {
    RestrictionGround.ACCURACY_CONTESTED: "du har bestridt oplysningernes rigtighed, og vi undersøger dem "
                                          "(art. 18, stk. 1, litra a)",
    RestrictionGround.UNLAWFUL_OPPOSES_ERASURE: "behandlingen er ulovlig, og du har ønsket begrænsning i stedet for "
                                                "sletning (art. 18, stk. 1, litra b)",
    RestrictionGround.LEGAL_CLAIMS: "vi har ikke længere brug for oplysningerne, men du har brug for dem til et "
                                    "retskrav (art. 18, stk. 1, litra c)",
    RestrictionGround.OBJECTION_PENDING: "du har gjort indsigelse, og vi vurderer, om vores grunde går forud "
                                         "(art. 18, stk. 1, litra d)",
}


class FeeGround(str, enum.Enum):
    """The only grounds on which answering a request is not free (Art. 12(5), Art. 15(3))."""

    MANIFESTLY_UNFOUNDED = "manifestly_unfounded"  # Art. 12(5)(a), the alternative to refusal
    EXCESSIVE = "excessive"  # Art. 12(5)(a), e.g. because the request is repeated
    FURTHER_COPY = "further_copy"  # Art. 15(3): a further copy of data already given in an access answer


# The regulation's own Danish wording, so the person reads the rule the fee rests on.
ART_12_5_DA = ("Hvis anmodninger fra en registreret er åbenbart grundløse eller overdrevne, navnlig fordi de "
               "gentages, kan den dataansvarlige enten: a) opkræve et rimeligt gebyr under hensyntagen til de "
               "administrative omkostninger ved at give oplysninger eller meddelelser eller ved at gennemføre den "
               "ønskede foranstaltning, eller b) afvise at efterkomme anmodningen")
ART_15_3_DA = ("For yderligere kopier, som den registrerede anmoder om, kan den dataansvarlige opkræve et rimeligt "
               "gebyr baseret på administrationsomkostningerne")
FEE_GROUND_DA = {
    FeeGround.MANIFESTLY_UNFOUNDED: ("din anmodning er åbenbart grundløs. Databeskyttelsesforordningens art. 12, "
                                     f"stk. 5, lyder: \"{ART_12_5_DA}.\""),
    FeeGround.EXCESSIVE: ("din anmodning er overdreven. Databeskyttelsesforordningens art. 12, stk. 5, lyder: "
                          f"\"{ART_12_5_DA}.\""),
    FeeGround.FURTHER_COPY: ("du beder om en yderligere kopi af oplysninger, du allerede har fået udleveret. "
                             f"Databeskyttelsesforordningens art. 15, stk. 3, lyder: \"{ART_15_3_DA}.\""),
}


class PartRefusalBasis(str, enum.Enum):
    """The legal basis for refusing one part of a request while the rest is carried out."""

    LEGAL_OBLIGATION = "legal_obligation"  # Art. 17(3)(b): a legal duty to keep the data
    PUBLIC_TASK = "public_task"  # Art. 17(3)(b): needed for a task in the public interest / official authority
    ARCHIVING = "archiving"  # Art. 17(3)(d): archiving in the public interest (arkivloven)
    LEGAL_CLAIMS = "legal_claims"  # Art. 17(3)(e)
    DBL_22 = "dbl_22"  # databeskyttelsesloven § 22: overriding private or public interests (access)
    OTHERS_RIGHTS = "others_rights"  # Art. 15(4) and 20(4): another person's rights and freedoms


PART_REFUSAL_BASIS_DA = {
    PartRefusalBasis.LEGAL_OBLIGATION: "vi har en retlig forpligtelse til at opbevare oplysningerne "
                                       "(databeskyttelsesforordningens art. 17, stk. 3, litra b)",
    PartRefusalBasis.PUBLIC_TASK: "oplysningerne er nødvendige for at udføre en opgave i samfundets interesse eller "
                                  "som henhører under offentlig myndighedsudøvelse (art. 17, stk. 3, litra b)",
    PartRefusalBasis.ARCHIVING: "oplysningerne skal bevares til arkivformål i samfundets interesse "
                                "(art. 17, stk. 3, litra d)",
    PartRefusalBasis.LEGAL_CLAIMS: "oplysningerne er nødvendige for, at retskrav kan fastlægges, gøres gældende "
                                   "eller forsvares (art. 17, stk. 3, litra e)",
    PartRefusalBasis.DBL_22: "afgørende hensyn til private eller offentlige interesser går forud for din ret til "
                             "indsigt (databeskyttelseslovens § 22)",
    PartRefusalBasis.OTHERS_RIGHTS: "udleveringen ville krænke andres rettigheder og frihedsrettigheder "
                                    "(databeskyttelsesforordningens art. 15, stk. 4, og art. 20, stk. 4)",
}
# Which bases fit which request: Art. 17(3) limits erasure, § 22 and Art. 15(4) limit access (and 20(4) portability).
PART_REFUSAL_TYPES = {
    PartRefusalBasis.LEGAL_OBLIGATION: {RequestType.ERASURE},
    PartRefusalBasis.PUBLIC_TASK: {RequestType.ERASURE},
    PartRefusalBasis.ARCHIVING: {RequestType.ERASURE},
    PartRefusalBasis.LEGAL_CLAIMS: {RequestType.ERASURE},
    PartRefusalBasis.DBL_22: {RequestType.ACCESS},
    PartRefusalBasis.OTHERS_RIGHTS: {RequestType.ACCESS, RequestType.PORTABILITY},
}


class ThirdPartyGround(str, enum.Enum):
    """Why information about another person is given in an access answer after all (Art. 15(4))."""

    CONSENT = "consent"  # the other person agreed
    REQUESTERS_OWN = "requesters_own"  # the information is also the requester's own
    NO_HARM = "no_harm"  # assessed: giving it does not harm the other person's rights and freedoms


THIRD_PARTY_GROUND_DA = {
    ThirdPartyGround.CONSENT: "den anden person har givet samtykke til, at du får oplysningen",
    ThirdPartyGround.REQUESTERS_OWN: "oplysningen også er en oplysning om dig selv",
    ThirdPartyGround.NO_HARM: "vi har vurderet, at udleveringen ikke krænker den anden persons rettigheder og "
                              "frihedsrettigheder",
}
THIRD_PARTY_REDACTED = "[oplysning om en anden person udeladt]"


class DsrPolicy(Strict):
    """The rules a request runs under, snapshot at receipt."""

    organisation_name: ShortText
    responsible: Contact  # the GDPR-ansvarlige (key person)
    dpo: Contact
    management_emails: list[EmailStr] = Field(min_length=1)
    reminder_days_before: list[int] = Field(default_factory=lambda: [14, 7, 2])
    closing_days: list[str] = Field(default_factory=list)
    pause_while_awaiting_information: bool = False
    owner_reminder_days: float = Field(default=3.0, gt=0, le=365, allow_inf_nan=False)
    owner_max_reminders: int = Field(default=3, ge=0, le=50)
    information_reminder_days: float = Field(default=7.0, gt=0, le=365, allow_inf_nan=False)
    # Where the web workspace is; internal mails link to the request there. None (older requests): no link.
    workspace_url: WorkspaceUrl | None = None


class RequestInput(Strict):
    request_id: Annotated[str, StringConstraints(pattern=REQUEST_ID_PATTERN)]
    type: RequestType
    channel: Channel
    received_at: Moment
    requester: Contact
    subject_name: ShortText = Field(description="the data subject (may differ from the requester)")
    identifiers: dict[Identifier, ShortText] = Field(
        min_length=1, max_length=20, description="how the subject is found in the systems, e.g. {'email': ..., 'elevnummer': ...}")
    on_behalf: Representation | None = None
    subject_age: int | None = Field(default=None, ge=0, le=130)
    description: Text | None = Field(default=None, description="the request in the requester's words")
    corrections: list[Correction] = Field(default_factory=list, max_length=200)
    objection_processing: Text | None = Field(default=None, description="which processing is objected to")
    transfer_to: EmailStr | None = Field(default=None, description="portability: a new controller to receive the data")
    statements: list[SupplementaryStatement] = Field(
        default_factory=list, description="rectification: supplementary statements completing incomplete data")
    restriction_ground: RestrictionGround | None = Field(default=None, description="restriction: Art. 18(1)(a)-(d)")
    objection_direct_marketing: bool = Field(
        default=False, description="objection: the processing objected to is direct marketing (Art. 21(2)-(3))")
    further_copy_of: Annotated[str, StringConstraints(pattern=REQUEST_ID_PATTERN)] | None = Field(
        default=None, description="access: the earlier access request whose answer already gave this person a copy; "
                                  "this one asks for a further copy (Art. 15(3))")
    policy: DsrPolicy
    inventory: Inventory

    @model_validator(mode="after")
    def _type_specific(self) -> RequestInput:
        if self.type is RequestType.RECTIFICATION and not (self.corrections or self.statements):
            raise ValueError("corrections: a rectification request names at least one correction or "
                             "supplementary statement")
        if self.statements and self.type is not RequestType.RECTIFICATION:
            raise ValueError("statements: a supplementary statement belongs to a rectification request (Art. 16)")
        if self.restriction_ground is not None and self.type is not RequestType.RESTRICTION:
            raise ValueError("restriction_ground: only a restriction request has one")
        if self.objection_direct_marketing and self.type is not RequestType.OBJECTION:
            raise ValueError("objection_direct_marketing: only an objection request concerns direct marketing")
        if self.further_copy_of is not None and (self.type is not RequestType.ACCESS
                                                 or self.further_copy_of == self.request_id):
            raise ValueError("further_copy_of: a further copy is asked for in an access request and names an "
                             "earlier access request (Art. 15(3))")
        if self.type is RequestType.OBJECTION and not self.objection_processing:
            raise ValueError("objection_processing: say which processing the person objects to")
        if self.on_behalf is Representation.PARENTAL_AUTHORITY and (self.subject_age is None or self.subject_age >= 18):
            raise ValueError("subject_age: parental authority applies to a child under 18 (seed 001 §3.5)")
        for statement in self.statements:
            if not any(s.id == statement.system_id for s in self.inventory.systems):
                raise ValueError(f"statements: unknown system '{statement.system_id}'")
        return self

    @model_validator(mode="after")
    def _fits_the_inventory(self, info: ValidationInfo) -> RequestInput:
        # One person, never a neighbour: only identifiers and columns the inventory knows (docs/person-resolution.md).
        # An intake rule (see `_new_requests_only`): a request received before it must still decode on replay.
        if not (info.context or {}).get("intake"):
            return self
        problems = identifier_problems(self.identifiers, self.inventory)
        problems += [p for c in self.corrections if (p := correction_problem(c.system_id, c.table, c.column,
                                                                              self.inventory))]
        if self.on_behalf is Representation.PARENTAL_AUTHORITY and any(
                v.strip().lower() == str(self.requester.email).lower() for v in self.identifiers.values()):
            problems.append("identifiers: a parent acting for a child identifies the child (e.g. elevnummer); "
                            "the parent's own e-mail is where the answer goes, not the child's identifier")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _new_requests_only(self, info: ValidationInfo) -> RequestInput:
        # Rules added while requests were already running are checked when a request is received
        # (`receive`), not when a stored input is decoded again: a restriction stays open for months,
        # and an input that no longer decodes would stop its workflow.
        if not (info.context or {}).get("intake"):
            return self
        if self.type is RequestType.RESTRICTION and self.restriction_ground is None:
            raise ValueError("restriction_ground: say which ground of Art. 18(1) applies: accuracy_contested, "
                             "unlawful_opposes_erasure, legal_claims or objection_pending")
        if self.transfer_to is not None and self.type is not RequestType.PORTABILITY:
            raise ValueError("transfer_to: only a portability request transfers data to a new controller")
        return self

    @classmethod
    def receive(cls, data: dict[str, Any]) -> RequestInput:
        """Validate a new request with every intake rule; every way in (CLI, tests, web) uses this."""
        return cls.model_validate(data, context={"intake": True})


# --- per-system results -------------------------------------------------------------------


class SystemStatus(str, enum.Enum):
    PENDING = "pending"
    DONE = "done"


class TableOutcome(Strict):
    table: str
    rows: list[dict[str, Any]] = Field(default_factory=list)  # access/portability: the data
    deleted: int = 0
    kept: int = 0
    kept_reason: str | None = None
    changes: list[dict[str, Any]] = Field(default_factory=list)  # rectification: before/after
    flagged: int = 0  # restriction/objection: rows marked


class SystemResult(Strict):
    system_id: str
    status: SystemStatus = SystemStatus.PENDING
    manual: bool = False
    tables: list[TableOutcome] = Field(default_factory=list)
    manual_result: str | None = None
    kept_reason: str | None = None
    completed_at: AwareDatetime | None = None
    completed_by: Actor | None = None
    reminders_sent: int = 0
    refused: bool = False  # the whole system is a refused part of the request (see RefusePart)


# --- commands (Temporal updates) ---------------------------------------------------------------


class VerifyIdentity(Command):
    """Identity, and the address it proved: the answer and every export go only there."""

    method: IdentityMethod
    details: Text = Field(description="what was checked, e.g. 'kørekort set', 'kontrolopringning til 12345678'")
    maturity_assessment: Text | None = Field(
        default=None, description="for a child: can the child receive the data itself, or only the holder?")
    verified_email: EmailStr | None = Field(
        default=None, description="the e-mail address the check proved (registered_address: the one in our records)")
    verified_postal_address: ShortText | None = Field(
        default=None, description="the postal address the check proved, when the answer goes by letter")
    verified_phone: ShortText | None = Field(
        default=None, description="a phone number the check proved; the export password is given there")
    reply_to: EmailStr | None = Field(
        default=None, description="answer to this address instead of the verified one (needs reply_to_reason)")
    reply_to_reason: Text | None = Field(default=None, description="why the other reply address is trusted")
    confirm_transfer_to: EmailStr | None = Field(
        default=None, description="portability: the new controller's address, confirmed (must match the request)")
    transfer_confirmation: Text | None = Field(
        default=None, description="how the new controller's address was confirmed")

    @model_validator(mode="after")
    def _confirmations_carry_reasons(self) -> VerifyIdentity:
        if self.reply_to is not None and self.reply_to_reason is None:
            raise ValueError("reply_to_reason: a reply address other than the verified one needs a reason")
        if (self.confirm_transfer_to is None) != (self.transfer_confirmation is None):
            raise ValueError("transfer_confirmation: confirm the new controller's address (confirm_transfer_to) "
                             "and say how it was confirmed (transfer_confirmation), both or neither")
        return self


class RequestInformation(Command):
    needed: Text


class RecordInformation(Command):
    answer: Text


class RefusalGround(str, enum.Enum):
    IDENTITY_NOT_ESTABLISHED = "identity_not_established"  # Art. 12(2) and (6)
    MANIFESTLY_UNFOUNDED = "manifestly_unfounded"  # Art. 12(5)
    EXCESSIVE = "excessive"  # Art. 12(5)


# The ground in words, as the key person and the DPO read it (the letter to the requester: requests/texts.py: REFUSAL_DA).
REFUSAL_GROUND_DA = {
    RefusalGround.IDENTITY_NOT_ESTABLISHED: "identiteten kunne ikke fastslås (art. 12, stk. 2 og 6)",
    RefusalGround.MANIFESTLY_UNFOUNDED: "anmodningen er åbenbart grundløs (art. 12, stk. 5)",
    RefusalGround.EXCESSIVE: "anmodningen er overdreven, fx fordi den gentages (art. 12, stk. 5)",
}


class Refuse(Command):
    ground: RefusalGround
    reasons: Text


class ChargeFee(Command):
    """A reasonable fee based on administrative costs: only on the grounds of Art. 12(5) or 15(3)."""

    ground: FeeGround
    amount_dkk: Decimal = Field(gt=0, le=100_000, max_digits=8, decimal_places=2,
                                description="the fee in Danish kroner")
    reasons: Text = Field(description="why the ground applies, e.g. 'samme anmodning for fjerde gang på to måneder'")
    cost_basis: Text = Field(description="how the amount follows from the administrative costs, "
                                         "e.g. '30 minutters arbejde à 400 kr. i timen'")


class FeeDecision(Strict):
    ground: FeeGround
    amount_dkk: Decimal
    reasons: str
    cost_basis: str
    decided_at: AwareDatetime
    decided_by: Actor


class RefusePart(Command):
    """Refuse one part of the request, with reasons and a legal basis; the rest is carried out."""

    system_id: Identifier
    table: Identifier | None = Field(default=None, description="only this table of the system (sql systems)")
    basis: PartRefusalBasis
    reasons: Text


class RefusedPart(Strict):
    system_id: str
    table: str | None = None
    basis: PartRefusalBasis
    reasons: str
    decided_at: AwareDatetime
    decided_by: Actor


class ReleaseThirdPartyData(Command):
    """Art. 15(4): give information about another person in this answer after all, with a reasoned decision."""

    system_id: Identifier
    table: Identifier
    column: Identifier
    ground: ThirdPartyGround
    reasons: Text


class ThirdPartyRelease(Strict):
    system_id: str
    table: str
    column: str
    ground: ThirdPartyGround
    reasons: str
    decided_at: AwareDatetime
    decided_by: Actor


class AssessErasure(Command):
    """Seed 001 §3.7: erase once the purpose is gone and nothing is outstanding."""

    purpose_no_longer_present: bool
    no_outstanding_obligations: bool
    reasons: Text


class DecideObjection(Command):
    """Art. 21(1): stop, unless compelling legitimate grounds override (reasons required)."""

    accept: bool
    reasons: Text


class CompleteManualTask(Command):
    system_id: Identifier
    result: Text = Field(description="what was found or done in the system")
    kept_reason: Text | None = Field(default=None, description="erasure: what was kept and why")


class ReviewAnswer(Review):
    """The answer to the requester, before it is sent (seed 001: the GDPR-ansvarlige/DPO approves)."""


class ReviseAnswer(Command):
    note: Text = Field(description="text added to the answer letter")


class Extend(Command):
    reasons: Text


class LiftRestriction(Command):
    reasons: Text


class SystemsDone(Command):
    """Internal: every system has reported; issued by the engine itself."""


# --- the case ----------------------------------------------------------------------------------


class AnswerVersion(Strict):
    version: int
    text_da: str
    refusal: bool
    submitted_at: AwareDatetime
    reviewed_by: Actor | None = None
    reviewed_at: AwareDatetime | None = None
    approved: bool | None = None
    comments: str | None = None


class RequestCase(Strict):
    request_id: str
    state: str
    inp: RequestInput
    deadline: AwareDatetime
    deadline_rule: str
    extended: bool = False
    extension_reasons: str | None = None
    overdue: bool = False
    verified_at: AwareDatetime | None = None
    identity_method: IdentityMethod | None = None
    identity_details: str | None = None
    maturity_assessment: str | None = None
    # Opened before verified addresses, Art. 19 notices and the Art. 20 scope existed (set by the
    # workflow from `workflow.patched`): such a case keeps its old behaviour so its history replays.
    legacy: bool = False
    verified_email: str | None = None
    verified_postal_address: str | None = None
    verified_phone: str | None = None
    reply_to: str | None = None
    reply_to_reason: str | None = None
    transfer_confirmed: bool = False
    transfer_confirmation: str | None = None
    recipients_notified: list[str] = Field(default_factory=list)  # Art. 19, in the letter
    recipients_via_owner: list[str] = Field(default_factory=list)  # Art. 19, no address: the owner tells them
    systems_planned: bool = False
    information_requests: list[str] = Field(default_factory=list)
    information_answers: list[str] = Field(default_factory=list)
    awaiting_information_since: AwareDatetime | None = None
    paused_seconds: float = 0.0
    erasure_assessment: str | None = None
    erasure_consent_only: bool = False  # purpose remains or obligations outstanding: only consent-based data go
    objection_decision: bool | None = None
    objection_reasons: str | None = None
    refusal_ground: RefusalGround | None = None
    refusal_reasons: str | None = None
    fee: FeeDecision | None = None  # absent: answering is free (Art. 12(5))
    refused_parts: list[RefusedPart] = Field(default_factory=list)  # partial refusal; the rest is carried out
    third_party_released: list[ThirdPartyRelease] = Field(default_factory=list)  # Art. 15(4): given after all
    systems: list[SystemResult] = Field(default_factory=list)
    resolution: PersonResolution | None = None  # whose rows: decided before any system is touched
    answer_note: str | None = None
    answers: list[AnswerVersion] = Field(default_factory=list)
    export_files: list[str] = Field(default_factory=list)
    exports_encrypted: bool = False  # written as AES ZIPs whose password goes to the key person
    answered_at: AwareDatetime | None = None
    restriction_lifted_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    reminders_sent: list[int] = Field(default_factory=list)
    timeline: list[TimelineEvent] = Field(default_factory=list)

    @property
    def type(self) -> RequestType:
        return self.inp.type

    def result(self, system_id: str) -> SystemResult:
        return next(r for r in self.systems if r.system_id == system_id)

    def all_systems_done(self) -> bool:
        # Planned with nothing in scope (e.g. portability where no system qualifies) counts as done.
        if self.systems_planned and not self.systems:
            return True
        return bool(self.systems) and all(r.status is SystemStatus.DONE for r in self.systems)

    def answered_in_time(self) -> bool | None:
        return None if self.answered_at is None else self.answered_at <= self.deadline


def systems_in_scope(case: RequestCase) -> list[System]:
    """The systems a request covers, before any part of it is refused."""
    systems = case.inp.inventory.systems
    if case.type is RequestType.RECTIFICATION:
        named = {c.system_id for c in case.inp.corrections} | {s.system_id for s in case.inp.statements}
        return [s for s in systems if s.id in named]
    if case.type is RequestType.PORTABILITY and not case.legacy:
        return [s for s in systems if s.portable_tables()]
    if case.type is RequestType.OBJECTION:
        return [s for s in systems if s.connector.kind == "manual"
                or any(t.objection_column for t in s.connector.tables)]
    return list(systems)


# --- what the answer gives (pure functions of the case) -----------------------------------------


def wholly_refused(case: RequestCase, system_id: str) -> bool:
    return any(p.system_id == system_id and p.table is None for p in case.refused_parts)


def refused_tables(case: RequestCase, system_id: str) -> set[str]:
    return {p.table for p in case.refused_parts if p.system_id == system_id and p.table is not None}


def answered_systems(case: RequestCase) -> list[SystemResult]:
    """The results the answer gives: refused systems and tables left out."""
    out: list[SystemResult] = []
    for result in case.systems:
        if result.refused or wholly_refused(case, result.system_id):
            continue
        refused = refused_tables(case, result.system_id)
        out.append(result.model_copy(update={"tables": [t for t in result.tables if t.table not in refused]})
                   if refused else result)
    return out


class ThirdPartyColumn(Strict):
    """A column about other persons that holds values in this answer, and what the export does with it."""

    system_id: str
    table: str
    column: str
    label: str  # what it holds, in Danish, from the inventory
    values: int
    release: ThirdPartyRelease | None = None  # None: the values are left out (Art. 15(4))


def third_party_columns(case: RequestCase) -> list[ThirdPartyColumn]:
    """Art. 15(4): the columns marked as concerning other persons that hold a value for this person."""
    found: list[ThirdPartyColumn] = []
    inventory = case.inp.inventory
    for result in answered_systems(case):
        system = inventory.system(result.system_id)
        if system.connector.kind != "sql":
            continue
        for outcome in result.tables:
            spec = next((t for t in system.connector.tables if t.name == outcome.table), None)
            for column, label in (spec.third_party if spec else {}).items():
                values = sum(1 for row in outcome.rows if row.get(column) not in (None, ""))
                if not values:
                    continue
                release = next((r for r in case.third_party_released
                                if (r.system_id, r.table, r.column) == (system.id, outcome.table, column)), None)
                found.append(ThirdPartyColumn(system_id=system.id, table=outcome.table, column=column, label=label,
                                               values=values, release=release))
    return found


class RequestView(Strict):
    request_id: str
    type: RequestType
    state: str
    state_label_da: str
    as_of: AwareDatetime
    received_at: AwareDatetime
    deadline: AwareDatetime
    extended: bool
    overdue: bool
    verified: bool
    next_actor: str | None
    allowed_actions: list[str]
    systems_done: list[str]
    systems_pending: list[str]
    timeline: list[TimelineEvent]
    pending_effects: int = 0


class RequestResult(Strict):
    request_id: str
    state: str
    answered_at: datetime | None
    in_time: bool | None
