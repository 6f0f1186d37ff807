"""One person, never a neighbour: decide which rows belong to the data subject.

Before a request reads, changes or deletes anything, a read-only look at each SQL table
(only its key and identifier columns, never data columns) yields `TableFacts`. This
module decides, without I/O, whether the rows belong to exactly one person:

- every identifier the request supplies *and the table holds* must agree on a row;
  a row where one matches and another differs or is empty is ambiguous;
- matching rows that carry different values of an identifier the request did not
  supply (a shared family e-mail on two pupils' rows) are several people: ambiguous;
- two supplied identifiers that each match rows in a table but never the same row point
  at different people: a conflict, and the whole request stops for manual review.

A clean table is acted on by primary key only (never an OR of identifiers); an
ambiguous one makes its system a manual review task for the owner.
"""

from __future__ import annotations

import enum
import unicodedata
from itertools import combinations
from typing import Any, Iterable

from pydantic import Field

from domain.requests.inventory import Inventory
from domain.kernel.model import Strict

RowKey = int | str

# How identifier kinds are named in Danish texts; an unlisted kind is shown as written in the inventory.
KIND_DA = {"email": "e-mailadresse", "elevnummer": "elevnummer", "cpr": "CPR-nummer", "telefon": "telefonnummer"}


def kind_da(kind: str) -> str:
    return KIND_DA.get(kind, kind)


# --- submit-time checks (used by RequestInput's validator, so CLI and workflow agree) ------------


def known_identifier_kinds(inventory: Inventory) -> set[str]:
    """The kinds a request may use: the union of the `match` keys of every SQL table."""
    return {kind for system in inventory.systems if system.connector.kind == "sql"
            for table in system.connector.tables for kind in table.match}


def identifier_problems(identifiers: dict[str, str], inventory: Inventory) -> list[str]:
    known = known_identifier_kinds(inventory)
    problems = []
    for kind, value in identifiers.items():
        if kind not in known:
            problems.append(f"identifiers: '{kind}' is not an identifier any system in the inventory knows "
                            f"(known: {', '.join(sorted(known)) or 'none'})")
        elif not value.strip():
            problems.append(f"identifiers: the value of '{kind}' is empty")
        elif any(unicodedata.category(ch) == "Cc" for ch in value):
            problems.append(f"identifiers: the value of '{kind}' contains control characters")
    return problems


def correction_problem(system_id: str, table: str, column: str, inventory: Inventory) -> str | None:
    """A correction must name a data column the inventory lists (`SqlTable.columns`)."""
    system = next((s for s in inventory.systems if s.id == system_id), None)
    if system is None:
        return f"corrections: unknown system '{system_id}'"
    if system.connector.kind != "sql":
        return f"corrections: '{system_id}' is handled by hand; it has no tables to correct"
    spec = next((t for t in system.connector.tables if t.name == table), None)
    if spec is None:
        return f"corrections: system '{system_id}' has no table '{table}' in the inventory"
    if column not in spec.columns:
        return (f"corrections: '{column}' is not a data column of {system_id}.{table} in the inventory "
                f"(data columns: {', '.join(spec.columns)})")
    return None


# --- facts and verdicts ----------------------------------------------------------------------------


class RowFacts(Strict):
    key: RowKey
    ids: dict[str, str | None] = Field(description="identifier kind -> the row's value (None when empty)")


class TableFacts(Strict):
    """Read-only: the rows that match ANY supplied identifier, with their key and identifier columns."""

    table: str
    kinds: list[str] = Field(description="identifier kinds this table holds (its match keys)")
    rows: list[RowFacts] = Field(default_factory=list)


class Verdict(str, enum.Enum):
    NOT_HELD = "not_held"  # the table holds none of the supplied identifiers
    CLEAN = "clean"  # the rows belong to exactly one person (or none were found)
    AMBIGUOUS = "ambiguous"  # rows of several people, disagreeing or partly matching rows
    CONFLICT = "conflict"  # the supplied identifiers point at different people

    @property
    def rank(self) -> int:
        return [Verdict.NOT_HELD, Verdict.CLEAN, Verdict.AMBIGUOUS, Verdict.CONFLICT].index(self)


class TableResolution(Strict):
    table: str
    verdict: Verdict
    keys: list[RowKey] = Field(default_factory=list, description="the person's rows (clean tables only)")
    matched: int = 0  # rows matching any supplied identifier (a count only: no one else's data)
    reason_da: str | None = None
    held: list[str] = Field(default_factory=list, description="supplied identifier kinds this table holds")
    shared: list[str] = Field(default_factory=list,
                              description="supplied kinds this table shows to belong to more than one person")


class SystemResolution(Strict):
    system_id: str
    verdict: Verdict
    tables: list[TableResolution] = Field(default_factory=list)

    def keys(self) -> dict[str, list[RowKey]]:
        return {t.table: t.keys for t in self.tables}

    def reasons_da(self) -> list[str]:
        return [t.reason_da for t in self.tables if t.reason_da]


class PersonResolution(Strict):
    systems: list[SystemResolution] = Field(default_factory=list)
    unresolved: bool = Field(default=False, description="the read-only look failed for good: nobody is resolved")

    @property
    def conflict(self) -> bool:
        return any(s.verdict is Verdict.CONFLICT for s in self.systems)

    def system(self, system_id: str) -> SystemResolution | None:
        return next((s for s in self.systems if s.system_id == system_id), None)

    def needs_review(self, system_id: str) -> bool:
        """Under a conflict every system waits for a person; otherwise only the ambiguous ones."""
        if self.conflict or self.unresolved:
            return True
        found = self.system(system_id)
        return found is not None and found.verdict is Verdict.AMBIGUOUS


def _matches(row: RowFacts, kind: str, supplied: dict[str, str]) -> bool:
    return row.ids.get(kind) is not None and str(row.ids[kind]) == supplied[kind]


def resolve_table(facts: TableFacts, supplied: dict[str, str]) -> TableResolution:
    held = [k for k in facts.kinds if k in supplied]
    if not held:
        return TableResolution(table=facts.table, verdict=Verdict.NOT_HELD)
    rows = [r for r in facts.rows if any(_matches(r, k, supplied) for k in held)]
    base: dict[str, Any] = {"table": facts.table, "matched": len(rows), "held": sorted(held)}
    for a, b in combinations(sorted(held), 2):
        with_a = {r.key for r in rows if _matches(r, a, supplied)}
        with_b = {r.key for r in rows if _matches(r, b, supplied)}
        if with_a and with_b and not with_a & with_b:
            return TableResolution(**base, verdict=Verdict.CONFLICT, reason_da=(
                f"Tabellen {facts.table}: {kind_da(a)} og {kind_da(b)} i anmodningen hører til forskellige personer."))
    full = [r for r in rows if all(_matches(r, k, supplied) for k in held)]
    disagreeing = [r for r in rows if r not in full and all(r.ids.get(k) is not None for k in held)]
    if disagreeing:
        shown = " og ".join(kind_da(k) for k in held)
        shared = sorted({k for r in disagreeing for k in held if _matches(r, k, supplied)})
        return TableResolution(**base, verdict=Verdict.AMBIGUOUS, shared=shared, reason_da=(
            f"Tabellen {facts.table}: {len(disagreeing)} række(r) passer kun på en del af oplysningerne "
            f"({shown}) og ser ud til at tilhøre en anden person."))
    if len(full) < len(rows):
        return TableResolution(**base, verdict=Verdict.AMBIGUOUS, reason_da=(
            f"Tabellen {facts.table}: {len(rows) - len(full)} række(r) mangler en af oplysningerne i anmodningen, "
            "så det kan ikke afgøres, hvem de tilhører."))
    for kind in (k for k in facts.kinds if k not in supplied):
        people = {str(r.ids[kind]) for r in full if r.ids.get(kind) is not None}
        if len(people) > 1:
            return TableResolution(**base, verdict=Verdict.AMBIGUOUS, shared=sorted(held), reason_da=(
                f"Tabellen {facts.table}: oplysningerne i anmodningen passer på {len(people)} forskellige personer "
                f"(forskelligt {kind_da(kind)})."))
    return TableResolution(**base, verdict=Verdict.CLEAN, keys=[r.key for r in full])


def unreadable_system(system_id: str) -> SystemResolution:
    """A system whose rows could not be looked at (e.g. a key of a type the look cannot carry)."""
    return SystemResolution(system_id=system_id, verdict=Verdict.AMBIGUOUS, tables=[TableResolution(
        table="-", verdict=Verdict.AMBIGUOUS, reason_da=(
            "Systemet kunne ikke læses automatisk, så det kan ikke afgøres, hvilke rækker der tilhører personen."))])


def resolve_system(system_id: str, tables: Iterable[TableFacts], supplied: dict[str, str]) -> SystemResolution:
    return resolve_verdict(system_id, [resolve_table(t, supplied) for t in tables])


def with_shared_identifiers(resolution: PersonResolution) -> PersonResolution:
    """An identifier that one table shows to belong to several people (a family e-mail on two pupils)
    identifies nobody: a table that holds only such identifiers cannot tell whose its rows are either,
    even where it finds a single row, so it waits for a person too."""
    shared = {k for s in resolution.systems for t in s.tables for k in t.shared}
    if not shared:
        return resolution
    systems = []
    for system in resolution.systems:
        tables = [t.model_copy(update={"verdict": Verdict.AMBIGUOUS, "keys": [], "reason_da": (
                      f"Tabellen {t.table}: {' og '.join(kind_da(k) for k in t.held)} i anmodningen deles af flere "
                      "personer i et andet system, så rækkerne her kan ikke sikkert henføres til personen.")})
                  if t.verdict is Verdict.CLEAN and t.held and set(t.held) <= shared else t for t in system.tables]
        systems.append(resolve_verdict(system.system_id, tables))
    return PersonResolution(systems=systems)


def resolve_verdict(system_id: str, resolved: list[TableResolution]) -> SystemResolution:
    verdict = max((t.verdict for t in resolved), key=lambda v: v.rank, default=Verdict.NOT_HELD)
    if verdict in (Verdict.AMBIGUOUS, Verdict.CONFLICT):  # nothing in this system is acted on
        resolved = [t.model_copy(update={"keys": []}) for t in resolved]
    return SystemResolution(system_id=system_id, verdict=verdict, tables=resolved)


def resolution_summary_da(resolution: PersonResolution, names: dict[str, str]) -> str:
    """For the timeline: system names and counts only."""
    if resolution.unresolved:
        return ("Personen kunne ikke fastslås, fordi systemerne ikke kunne læses automatisk. Intet er læst, ændret "
                "eller slettet; alle systemer gennemgås manuelt.")
    if resolution.conflict:
        where = ", ".join(names[s.system_id] for s in resolution.systems if s.verdict is Verdict.CONFLICT)
        return (f"Personen kunne ikke entydigt fastslås: oplysningerne i anmodningen peger på forskellige personer "
                f"({where}). Intet er læst, ændret eller slettet; alle systemer gennemgås manuelt.")
    parts = []
    for s in resolution.systems:
        rows = sum(len(t.keys) for t in s.tables)
        parts.append(f"{names[s.system_id]}: {'manuel gennemgang' if s.verdict is Verdict.AMBIGUOUS else f'{rows} rækker'}")
    return "Personen er fastslået før handling: " + ("; ".join(parts) or "ingen systemer")
