"""Register activities: the breach register and case timeline, written at every step."""

from __future__ import annotations

from datetime import timezone
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, func, insert, or_, select, text
from sqlalchemy.exc import IntegrityError
from temporalio import activity

from activities import audit
from activities.db import (  # to_utc lives in db.py so the read models need no Temporal SDK
    breach_register, case_events, case_index, case_numbers, dialect_insert, dsr_register, organisation_case_numbers,
    to_utc, writing,
)
from activities.failures import effect_errors
from domain.kernel.case_ids import organisation_of
from domain.case_index import CaseIndexRow, index_row
from domain.kernel.model import Strict, TimelineEvent
from domain.requests.register import RequestRegisterEntry
from domain.breach.register import RegisterEntry


class StepRecord(Strict):
    """One step of a case: the timeline event and the register row as it now stands."""

    event: TimelineEvent
    entry: RegisterEntry


class StepBatch(Strict):
    """Steps of one case that queued while the case's previous register write ran, in step order: written
    in one transaction, each as `record_step` writes it."""

    records: list[StepRecord]


class RequestStepRecord(Strict):
    event: TimelineEvent
    entry: RequestRegisterEntry


class RequestStepBatch(Strict):
    """A request's steps that queued while its previous register write ran, in step order (as `StepBatch`)."""

    records: list[RequestStepRecord]


class RegisterActivities:
    def __init__(self, engine: Engine, organisation: str = "") -> None:
        self._engine = engine
        # The case index's organisation column: the organisation the case id names (domain/kernel/case_ids.py), or,
        # for a short id, the one organisation of a single-organisation deployment (GDPR_ORGANISATION_ID).
        self._organisation = organisation

    @activity.defn(name="record_step")
    def record_step(self, record: StepRecord) -> None:
        """Idempotent: the event is keyed by (case id, seq); the row is an upsert."""
        self._record(breach_register, "case_id", [self._breach_step(record)])

    @activity.defn(name="record_steps")
    def record_steps(self, batch: StepBatch) -> None:
        """Several steps of one case in one transaction, in order; idempotent as `record_step`."""
        self._record(breach_register, "case_id", [self._breach_step(record) for record in batch.records])

    @activity.defn(name="record_request_step")
    def record_request_step(self, record: RequestStepRecord) -> None:
        self._record(dsr_register, "request_id", [self._request_step(record)])

    @activity.defn(name="record_request_steps")
    def record_request_steps(self, batch: RequestStepBatch) -> None:
        self._record(dsr_register, "request_id", [self._request_step(record) for record in batch.records])

    def _request_step(self, record: RequestStepRecord) -> tuple[TimelineEvent, dict, CaseIndexRow]:
        return (record.event, to_utc(record.entry.model_dump()),
                index_row(record.entry, organisation=self._organisation_of(record.entry.request_id),
                          seq=record.event.seq))

    def _breach_step(self, record: StepRecord) -> tuple[TimelineEvent, dict, CaseIndexRow]:
        return (record.event, to_utc(record.entry.model_dump()),
                index_row(record.entry, organisation=self._organisation_of(record.entry.case_id),
                          seq=record.event.seq))

    def _organisation_of(self, case_id: str) -> str:
        return organisation_of(case_id) or self._organisation

    def _record(self, table, key: str, steps: list[tuple[TimelineEvent, dict, CaseIndexRow]]) -> None:
        """Effects run side by side, so steps may arrive out of order: the row keeps the latest step
        (highest seq). A race between two first records of the audit chain's head is retried."""
        writes = [(event, row | {"last_seq": event.seq},
                   to_utc(index.model_dump(mode="python")) | {"kind": index.kind.value})
                  for event, row, index in steps]
        with effect_errors():
            for attempt in range(3):
                try:
                    with writing(self._engine) as conn:
                        for event, row, index_values in writes:
                            self._write(conn, table, key, event, row, index_values)
                    break
                except IntegrityError:
                    if attempt == 2:
                        raise
        for event, _, _ in writes:
            activity.logger.info("register row written", extra={"seq": event.seq, "action": event.action})

    @staticmethod
    def _event_values(case_id: str, event: TimelineEvent) -> dict:
        return dict(case_id=case_id, seq=event.seq, at=event.at.astimezone(timezone.utc), actor_name=event.actor.name,
                    actor_role=event.actor.role.value, action=event.action, summary=event.summary)

    def _write(self, conn: Connection, table, key: str, event: TimelineEvent, row: dict, index_values: dict) -> None:
        """One step, one statement per table: the event once, the audit record, the register row and the list
        row each inserted or updated in place (ON CONFLICT), values bound as parameters so every statement is
        compiled once per process."""
        case_id = row[key]
        conn.execute(_first_insert(conn.dialect.name, case_events), self._event_values(case_id, event))
        # The same step in the audit chain, in the same transaction: both or neither.
        audit.append(conn, case_id, audit.AuditKind.EVENT, event.seq, event.model_dump(mode="json"))
        if row.get("closed_at") is not None:
            audit.append(conn, case_id, audit.AuditKind.CLOSED, event.seq,
                         {k: v for k, v in row.items() if k != "last_seq"})
        conn.execute(_latest_upsert(conn.dialect.name, table, key, tuple(row)), row)
        # The workspace's list row, in the same transaction: never older than the register row.
        upsert_case_index(conn, index_values)


@lru_cache(maxsize=None)
def _first_insert(dialect: str, table: Table) -> Any:
    """INSERT that keeps the row already there (a retried step)."""
    return dialect_insert(dialect)(table).on_conflict_do_nothing()


@lru_cache(maxsize=None)
def _latest_upsert(dialect: str, table: Table, key: str, columns: tuple[str, ...]) -> Any:
    """INSERT of a register row, or UPDATE of these columns unless the row holds a later step already."""
    statement = dialect_insert(dialect)(table)
    return statement.on_conflict_do_update(
        index_elements=[key], set_={name: statement.excluded[name] for name in columns if name != key},
        where=or_(table.c.last_seq.is_(None), table.c.last_seq <= statement.excluded.last_seq))


@lru_cache(maxsize=None)
def _index_upsert(dialect: str, columns: tuple[str, ...]) -> Any:
    statement = dialect_insert(dialect)(case_index)
    newer = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["case_id"], set_={name: newer[name] for name in columns if name != "case_id"},
        where=or_(case_index.c.last_seq < newer.last_seq,
                  and_(case_index.c.last_seq == newer.last_seq, case_index.c.updated_at <= newer.updated_at)))


def index_if_absent(conn: Connection, values: dict) -> bool:
    """Insert a case_index row unless the case is indexed already; True if this call inserted it."""
    inserted = _first_insert(conn.dialect.name, case_index).returning(case_index.c.case_id)
    return conn.execute(inserted, values).first() is not None


def upsert_case_index(conn: Connection, values: dict) -> None:
    """Insert or update one case_index row in one statement (ON CONFLICT, SQLite and PostgreSQL): a later step
    wins; at the same step (a retry, or a system step that reuses the last event) the newer entry wins."""
    conn.execute(_index_upsert(conn.dialect.name, tuple(values)), values)


def allocate_case_number(engine: Engine, kind: str, year: int, organisation: str = "") -> int:
    """Next number in the series for a readable case id (breach-2026-0007, or an organisation's own
    breach-vestskolen-2026-0007); unique even under races.

    On PostgreSQL the allocating transactions take turns (a table lock that lets readers through), so
    none reads a maximum another is about to take. On SQLite a lost race is a unique violation; the whole
    transaction is retried (as it would be on PostgreSQL, which aborts a transaction after an error).
    """
    table = organisation_case_numbers if organisation else case_numbers
    series = [table.c.kind == kind, table.c.year == year]
    values: dict[str, object] = {"kind": kind, "year": year}
    if organisation:
        series.append(organisation_case_numbers.c.organisation == organisation)
        values["organisation"] = organisation
    for _ in range(20):
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":  # take numbers in turn: no lost race to retry
                    conn.execute(text(f"LOCK TABLE {table.name} IN SHARE ROW EXCLUSIVE MODE"))
                current = conn.execute(select(func.max(table.c.number)).where(*series)).scalar()
                number = (current or 0) + 1
                conn.execute(insert(table).values(**values, number=number))
            return number
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a case number")


def export_register(engine: Engine, organisation: str | None = None) -> list[dict]:
    """The whole breach register, or one organisation's (its cases as the case index knows them)."""
    query = select(breach_register).order_by(breach_register.c.case_id)
    if organisation is not None:
        query = query.where(breach_register.c.case_id.in_(
            select(case_index.c.case_id).where(case_index.c.organisation == organisation)))
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [to_utc({k: v for k, v in r.items() if k != "last_seq"}) for r in rows]
