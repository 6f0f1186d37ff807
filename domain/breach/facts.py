"""The facts of a breach, as a person or a tool reports them, and the Art. 34(3) exceptions: what the risk
engine (domain/breach/risk.py) reads. Kept apart from the case model so `gdpr assess` builds only these."""

from __future__ import annotations

import enum

from pydantic import Field, model_validator

from domain.kernel.model import MAX_ITEMS, Count, Hours, Moment, ShortText, Strict, Text


class BreachType(str, enum.Enum):
    CONFIDENTIALITY = "confidentiality"
    INTEGRITY = "integrity"
    AVAILABILITY = "availability"


class DataCategory(str, enum.Enum):
    IDENTITY = "identity"
    CONTACT = "contact"
    NATIONAL_ID = "national_id"  # CPR
    FINANCIAL = "financial"
    CREDENTIALS = "credentials"
    LOCATION = "location"
    BEHAVIOURAL = "behavioural"
    COMMUNICATIONS = "communications"
    SPECIAL_CATEGORIES = "special_categories"  # Art. 9
    CRIMINAL = "criminal"  # Art. 10
    CHILDREN = "children"


class ControllerContext(str, enum.Enum):
    """ENISA 2013's context factor: where the data were processed can reveal more than the data say."""

    HEALTH = "health"  # hospital, clinic, general practice
    PSYCHOTHERAPY = "psychotherapy"  # being a client is itself health data (Art. 9)
    SOCIAL_SERVICES = "social_services"
    CHILDRENS_INSTITUTION = "childrens_institution"  # school, day care, club
    VULNERABLE_ADULTS = "vulnerable_adults"  # care homes, shelters, addiction treatment
    OTHER = "other"


class BreachFacts(Strict):
    """The structured facts. Keys are a contract other tools rely on; None means 'not yet known'."""

    breach_types: list[BreachType] = Field(min_length=1, max_length=MAX_ITEMS)
    # Empty, like None elsewhere, means "not yet known": an intake form or an import may not know them yet.
    data_categories: list[DataCategory] = Field(default_factory=list, max_length=MAX_ITEMS,
                                                description="empty: not yet known (assessed cautiously)")
    subject_categories: list[ShortText] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="e.g. elever, forældre, ansatte; empty: not yet known")
    approx_subjects: Count | None = None
    approx_records: Count | None = None
    systems: list[ShortText] = Field(default_factory=list, max_length=MAX_ITEMS)
    suppliers: list[ShortText] = Field(default_factory=list, max_length=MAX_ITEMS)
    measures_in_place: Text | None = Field(default=None, description="e.g. encryption, access control")
    cause: Text | None = None
    started_at: Moment | None = None
    ended_at: Moment | None = None
    vulnerable_subjects: bool | None = None
    encrypted: bool | None = None
    backup_available: bool | None = None
    exfiltrated: bool | None = None
    malicious: bool | None = None
    recipient_known_and_trusted: bool | None = None
    data_retrieved_or_deleted_confirmed: bool | None = None
    publicly_exposed: bool | None = None
    unavailability_hours: Hours | None = None
    controller_context: ControllerContext | None = Field(
        default=None, description="where the data were processed (ENISA context factor)")
    protected_address: bool | None = Field(
        default=None, description="a person with name and address protection (navne- og adressebeskyttelse) is affected")
    other_eea_countries: list[ShortText] | None = Field(
        default=None, max_length=MAX_ITEMS,
        description="other EU/EEA countries whose residents are affected; empty: none known; null: not yet known")

    @model_validator(mode="after")
    def _started_before_ended(self) -> BreachFacts:
        if self.started_at and self.ended_at and self.ended_at < self.started_at:
            raise ValueError("ended_at: cannot be before started_at")
        return self


class Art34Exception(str, enum.Enum):
    """Art. 34(3): when high risk still need not be communicated."""

    UNINTELLIGIBLE = "unintelligible"  # (a) e.g. state-of-the-art encryption
    RISK_NO_LONGER_LIKELY = "risk_no_longer_likely"  # (b) subsequent measures
    DISPROPORTIONATE_EFFORT = "disproportionate_effort"  # (c) public communication instead
