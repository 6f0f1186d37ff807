"""The workspace's lists, read from the case index (activities/db.py `case_index`).

Temporal's visibility store is no place for these lists (about 1,000 workflows per second, no
ORDER BY on the dev server), so every list is one indexed query on the application database:
open cases with unmet deadlines first, then by deadline; closed cases, when asked for, after all
open ones, the most recently changed first. Every WHERE and ORDER BY uses indexed columns only.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Engine, false, func, select, true

from activities.db import case_index, to_utc
from domain.case_index import CaseIndexRow

DEFAULT_PAGE = 50
MAX_PAGE = 500


class CasePage(BaseModel):
    rows: list[CaseIndexRow]
    total: int  # every case that matches, on this page or not

    @property
    def rest(self) -> int:
        """How many matching cases are not on this page."""
        return self.total - len(self.rows)


def _filters(*, next_roles: set[str] | None, kind: str | None, state: str | None,
             organisation: str | set[str] | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if next_roles is not None:
        # sorted: set iteration order must not change the SQL text (statement cache, plans)
        conditions.append(case_index.c.next_role.in_(sorted(next_roles)))
    if kind is not None:
        conditions.append(case_index.c.kind == kind)
    if state is not None:
        conditions.append(case_index.c.state == state)
    if isinstance(organisation, (set, frozenset)):  # the organisations a login works in (sorted: stable SQL)
        conditions.append(case_index.c.organisation.in_(sorted(organisation)))
    elif organisation is not None:
        conditions.append(case_index.c.organisation == organisation)
    return conditions


def open_cases_query(conditions: list):
    return (select(case_index).where(case_index.c.closed == false(), *conditions)
            .order_by(case_index.c.deadline_met, case_index.c.deadline, case_index.c.case_id))


def closed_cases_query(conditions: list):
    return (select(case_index).where(case_index.c.closed == true(), *conditions)
            .order_by(case_index.c.updated_at.desc(), case_index.c.case_id.desc()))


def list_cases(engine: Engine, *, next_roles: set[str] | None = None, kind: str | None = None,
               state: str | None = None, organisation: str | set[str] | None = None, include_closed: bool = False,
               limit: int = DEFAULT_PAGE, offset: int = 0) -> CasePage:
    """One page of cases, the most urgent first, and the count of all that match.

    `next_roles`: only cases where one of these roles acts next (None: any case; an empty set: none).
    Closed cases have nobody acting next, so a role filter never lists them.
    """
    limit = max(0, min(limit, MAX_PAGE))
    offset = max(0, offset)
    conditions = _filters(next_roles=next_roles, kind=kind, state=state, organisation=organisation)
    with engine.connect() as conn:
        open_total = conn.execute(select(func.count()).select_from(case_index).where(
            case_index.c.closed == false(), *conditions)).scalar_one()
        rows = []
        if offset < open_total and limit:
            rows = list(conn.execute(open_cases_query(conditions).limit(limit).offset(offset)).mappings())
        total = open_total
        if include_closed:
            total += conn.execute(select(func.count()).select_from(case_index).where(
                case_index.c.closed == true(), *conditions)).scalar_one()
            wanted = limit - len(rows)
            if wanted > 0:
                closed_offset = max(0, offset - open_total)
                rows += conn.execute(closed_cases_query(conditions).limit(wanted).offset(closed_offset)).mappings()
    return CasePage(rows=[_row(r) for r in rows], total=total)


def _row(mapping) -> CaseIndexRow:
    return CaseIndexRow.model_validate(to_utc(dict(mapping)))



def backfill_case_index(engine: Engine, organisation: str) -> int:
    """Index the cases the register holds but the index does not (cases from before the index existed).

    Run by the worker at start; a case already indexed is left alone, so it is cheap to repeat. Two workers
    starting together may index the same case at once: the loser's transaction is done again, finding less.
    """
    from sqlalchemy.exc import IntegrityError

    for attempt in range(3):
        try:
            return _backfill(engine, organisation)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _backfill(engine: Engine, organisation: str) -> int:
    from activities.db import breach_register, dsr_register
    from activities.register import index_if_absent, to_utc
    from domain.kernel.case_ids import organisation_of
    from domain.case_index import index_row
    from domain.requests.register import RequestRegisterEntry
    from domain.breach.register import RegisterEntry

    added = 0
    with engine.begin() as conn:
        indexed = select(case_index.c.case_id)
        for table, key, model in ((breach_register, breach_register.c.case_id, RegisterEntry),
                                  (dsr_register, dsr_register.c.request_id, RequestRegisterEntry)):
            # Read to the end before writing: on SQLite an open read would hold a snapshot that cannot become
            # a write once another process has written.
            for row in conn.execute(select(table).where(key.not_in(indexed))).mappings().all():
                values = {name: row[name] for name in model.model_fields}
                entry = model.model_validate(values)
                named = organisation_of(str(row[key.name]))
                index = index_row(entry, organisation=named or organisation, seq=row["last_seq"] or 0)
                # Another worker may have indexed it since the read: then it is not counted here.
                added += index_if_absent(conn, to_utc(index.model_dump(mode="python")) | {"kind": index.kind.value})
    return added
