"""Where personal data lives: the organisation's systems (seed 001 §3.11, "kortlægning").

Each system carries what Art. 15 requires to be told (purposes, categories, recipients
incl. third countries, retention, source, automated decisions) and how to reach the
data: a `sql` connector (any SQLAlchemy URL; the tables and columns that identify a
person and hold their data) or `manual` (a task for the system owner).
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import EmailStr, Field, StringConstraints, model_validator

from domain.kernel.model import Contact, ShortText, Strict, Text

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")]


def words(identifier: str) -> str:
    """A table or column name as a person reads it in a letter: 'foraelder_email' -> 'foraelder email'."""
    return identifier.replace("_", " ").strip()


class LegalBasis(str, enum.Enum):
    CONSENT = "consent"  # Art. 6(1)(a): always erasable on request (seed 001 §3.7)
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"


LEGAL_BASIS_DA = {
    LegalBasis.CONSENT: "samtykke (art. 6, stk. 1, litra a)",
    LegalBasis.CONTRACT: "kontrakt (art. 6, stk. 1, litra b)",
    LegalBasis.LEGAL_OBLIGATION: "retlig forpligtelse (art. 6, stk. 1, litra c)",
    LegalBasis.VITAL_INTERESTS: "vitale interesser (art. 6, stk. 1, litra d)",
    LegalBasis.PUBLIC_TASK: "myndighedsudøvelse / opgave i samfundets interesse (art. 6, stk. 1, litra e)",
    LegalBasis.LEGITIMATE_INTERESTS: "legitim interesse (art. 6, stk. 1, litra f)",
}


class Recipient(Strict):
    name: ShortText
    third_country: ShortText | None = None
    safeguard: ShortText | None = Field(default=None, description="e.g. EU standard contractual clauses")
    email: EmailStr | None = Field(
        default=None, description="where Art. 19 notices go; without it the system owner is asked to tell them")


class SqlTable(Strict):
    name: Identifier
    title: ShortText | None = Field(
        default=None, description="what the table holds, in words, as letters to the person name it (e.g. "
                                  "'samtykke til fotos'); without it the name is used, underscores as spaces")
    key: Identifier = Field(description="primary key column")
    match: dict[Identifier, Identifier] = Field(
        min_length=1, description="subject identifier (e.g. email, elevnummer) -> column holding it")
    columns: list[Identifier] = Field(min_length=1, description="columns holding the person's data")
    legal_basis: LegalBasis | None = Field(default=None, description="overrides the system's legal basis")
    retention_duty: Text | None = Field(
        default=None, description="a legal duty to keep these rows: erasure keeps them and names this reason")
    restricted_column: Identifier | None = Field(default=None, description="set to 1 while restricted (Art. 18)")
    objection_column: Identifier | None = Field(
        default=None, description="set to 1 when processing stops after an objection (Art. 21)")
    third_party: dict[Identifier, ShortText] = Field(
        default_factory=dict,
        description="data columns that hold information about other persons, with what they hold in words "
                    "(e.g. noedkontakt: 'nødkontakt (navn og telefon på en anden person)'). An access or "
                    "portability export leaves their values out unless the key person decides otherwise (Art. 15(4))")

    @model_validator(mode="after")
    def _third_party_are_data_columns(self) -> SqlTable:
        unknown = sorted(set(self.third_party) - set(self.columns))
        if unknown:
            raise ValueError(f"third_party: {unknown} are not among the table's columns")
        return self


class SqlConnector(Strict):
    kind: Literal["sql"] = "sql"
    url: str = Field(description="SQLAlchemy URL; ${VAR} is expanded from the worker's environment")
    tables: list[SqlTable] = Field(min_length=1)


class ManualConnector(Strict):
    kind: Literal["manual"] = "manual"
    instructions: Text


class System(Strict):
    id: Identifier
    name: ShortText
    owner: Contact
    data_categories: list[ShortText] = Field(min_length=1)
    purposes: list[ShortText] = Field(min_length=1)
    legal_basis: LegalBasis
    recipients: list[Recipient] = Field(default_factory=list)
    retention: Text
    processor: ShortText | None = None
    dpa_status: Literal["signed", "missing", "not_applicable"] = "not_applicable"
    source: Text = "Oplysningerne er indsamlet hos dig selv."
    automated_decisions: Text | None = None
    connector: Annotated[SqlConnector | ManualConnector, Field(discriminator="kind")]

    @model_validator(mode="after")
    def _processor_has_agreement_status(self) -> System:
        if self.processor and self.dpa_status == "not_applicable":
            raise ValueError("dpa_status: a system run by a processor needs 'signed' or 'missing'")
        return self

    def basis_of(self, table: SqlTable) -> LegalBasis:
        return table.legal_basis or self.legal_basis

    def table_da(self, table: str) -> str:
        """A table of this system as letters and mails name it: its title, else its name in words."""
        tables = self.connector.tables if self.connector.kind == "sql" else []
        spec = next((t for t in tables if t.name == table), None)
        return spec.title if spec is not None and spec.title else words(table)

    def portable_tables(self) -> list[str]:
        """Art. 20(1): only data processed by automated means on consent or contract may be ported."""
        if self.connector.kind != "sql":
            return []
        return [t.name for t in self.connector.tables if self.basis_of(t) in PORTABLE_BASES]


PORTABLE_BASES = frozenset({LegalBasis.CONSENT, LegalBasis.CONTRACT})


class Inventory(Strict):
    systems: list[System] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Inventory:
        ids = [s.id for s in self.systems]
        if len(ids) != len(set(ids)):
            raise ValueError("systems: ids must be unique")
        return self

    def system(self, system_id: str) -> System:
        return next(s for s in self.systems if s.id == system_id)
