"""Register activities: the breach register and case timeline, written at every step."""

from __future__ import annotations

from datetime import timezone

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from temporalio import activity

from activities import audit
from activities.db import (  # to_utc lives in db.py so the read models need no Temporal SDK
    breach_register, case_events, case_index, case_numbers, dsr_register, to_utc,
)
from activities.failures import effect_errors
from domain.case_index import CaseIndexRow, index_row
from domain.model import Strict, TimelineEvent
from domain.dsr_register import RequestRegisterEntry
from domain.register import RegisterEntry


class StepRecord(Strict):
    """One step of a case: the timeline event and the register row as it now stands."""

    event: TimelineEvent
    entry: RegisterEntry


class RequestStepRecord(Strict):
    event: TimelineEvent
    entry: RequestRegisterEntry


class RegisterActivities:
    def __init__(self, engine: Engine, organisation: str = "") -> None:
        self._engine = engine
        # The case index's organisation column. The register entries do not carry it (activity inputs
        # stay as they are for running cases), so the worker passes the configured organisation name,
        # the same setting every case policy is taken from; a multi-organisation change fills it per case.
        self._organisation = organisation

    @activity.defn(name="record_step")
    def record_step(self, record: StepRecord) -> None:
        """Idempotent: the event is keyed by (case id, seq); the row is an upsert."""
        self._record(breach_register, "case_id", record.event, to_utc(record.entry.model_dump()),
                     index_row(record.entry, organisation=self._organisation, seq=record.event.seq))

    @activity.defn(name="record_request_step")
    def record_request_step(self, record: RequestStepRecord) -> None:
        self._record(dsr_register, "request_id", record.event, to_utc(record.entry.model_dump()),
                     index_row(record.entry, organisation=self._organisation, seq=record.event.seq))

    def _record(self, table, key: str, event: TimelineEvent, row: dict, index: CaseIndexRow) -> None:
        """Effects run side by side, so steps may arrive out of order: the row keeps the latest step
        (highest seq), and a race between two first inserts is retried as an update."""
        row = row | {"last_seq": event.seq}
        index_values = to_utc(index.model_dump(mode="python")) | {"kind": index.kind.value}
        with effect_errors():
            for attempt in range(3):
                try:
                    self._write(table, key, event, row, index_values)
                    break
                except IntegrityError:
                    if attempt == 2:
                        raise
        activity.logger.info("register row written", extra={"seq": event.seq, "action": event.action})

    @staticmethod
    def _event_values(case_id: str, event: TimelineEvent) -> dict:
        return dict(case_id=case_id, seq=event.seq, at=event.at.astimezone(timezone.utc), actor_name=event.actor.name,
                    actor_role=event.actor.role.value, action=event.action, summary=event.summary)

    def _write(self, table, key: str, event: TimelineEvent, row: dict, index_values: dict) -> None:
        with self._engine.begin() as conn:
            case_id = row[key]
            seen = conn.execute(select(case_events.c.seq).where(
                case_events.c.case_id == case_id, case_events.c.seq == event.seq)).first()
            if seen is None:
                conn.execute(insert(case_events).values(**self._event_values(case_id, event)))
            # The same step in the audit chain, in the same transaction: both or neither.
            audit.append(conn, case_id, audit.AuditKind.EVENT, event.seq, event.model_dump(mode="json"))
            if row.get("closed_at") is not None:
                audit.append(conn, case_id, audit.AuditKind.CLOSED, event.seq,
                             {k: v for k, v in row.items() if k != "last_seq"})
            existing = conn.execute(select(table.c.last_seq).where(table.c[key] == case_id)).first()
            if existing is None:
                conn.execute(insert(table).values(**row))
            elif existing.last_seq is None or existing.last_seq <= event.seq:
                conn.execute(update(table).where(table.c[key] == case_id).values(**row))
            # The workspace's list row, in the same transaction: never older than the register row.
            upsert_case_index(conn, index_values)


def upsert_case_index(conn: Connection, values: dict) -> None:
    """Insert or update one case_index row, portably (SQLite and PostgreSQL): a later step wins; at the
    same step (a retry, or a system step that reuses the last event) the newer entry wins. A race between
    two first inserts is a unique violation, and the caller retries the whole transaction."""
    current = conn.execute(select(case_index.c.last_seq, case_index.c.updated_at).where(
        case_index.c.case_id == values["case_id"])).first()
    if current is None:
        conn.execute(insert(case_index).values(**values))
        return
    current_updated = to_utc({"at": current.updated_at})["at"]
    if current.last_seq < values["last_seq"] or (
            current.last_seq == values["last_seq"] and current_updated <= values["updated_at"]):
        conn.execute(update(case_index).where(case_index.c.case_id == values["case_id"]).values(**values))


def allocate_case_number(engine: Engine, kind: str, year: int) -> int:
    """Next number for a readable case id (breach-2026-0007); unique even under races.

    A lost race is a unique violation; the whole transaction is retried (PostgreSQL aborts a
    transaction after an error, so the retry must start a new one).
    """
    for _ in range(20):
        try:
            with engine.begin() as conn:
                current = conn.execute(select(func.max(case_numbers.c.number)).where(
                    case_numbers.c.kind == kind, case_numbers.c.year == year)).scalar()
                number = (current or 0) + 1
                conn.execute(insert(case_numbers).values(kind=kind, year=year, number=number))
            return number
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a case number")


def export_register(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(breach_register).order_by(breach_register.c.case_id)).mappings().all()
    return [to_utc({k: v for k, v in r.items() if k != "last_seq"}) for r in rows]
