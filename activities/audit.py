"""Tamper-evident audit trail: every register step, chained by hash, kept independent of Temporal.

Each record is a header (position, case id, kind, seq, sha256 of its body) and a body (canonical
JSON of what happened). Its hash is sha256(previous hash + canonical JSON of the header), so
editing a body, a header or a hash, or removing a record, breaks the chain from that record on.

The body is hashed separately so a purge can remove it (personal data must go when the retention
period ends) while the header and hash stay: the chain still verifies, and a body may only be
missing for a case whose purge is itself a record in the chain.

`audit_head` holds the newest position and hash. Every append first updates that one row, which
takes the write lock on SQLite and a row lock on PostgreSQL, so concurrent appends are serialised
and the head also shows when the newest records were cut off.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from activities.db import audit_head, audit_log
from domain.kernel.model import Strict

GENESIS = "0" * 64
HEAD_ID = 1


class AuditKind:
    EVENT = "event"  # one timeline event of a case
    CLOSED = "closed"  # the register row (the case's decisions) once the case is closed
    PURGE = "purge"  # the case's data was removed at the end of its retention period


class ChainReport(Strict):
    ok: bool
    records: int
    head_hash: str
    broken_at: int | None = None  # position of the first record that does not verify
    reason: str | None = None


def canonical_json(value: Any) -> str:
    """One byte-exact text per value: sorted keys, no spaces, times as UTC ISO-8601."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)


def _plain(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_hash(prev_hash: str, position: int, case_id: str, kind: str, seq: int, body_sha256: str) -> str:
    header = {"position": position, "case_id": case_id, "kind": kind, "seq": seq, "body_sha256": body_sha256}
    return sha256(prev_hash + canonical_json(header))


def append(conn: Connection, case_id: str, kind: str, seq: int, body: dict[str, Any]) -> bool:
    """Append one record inside the caller's transaction; False if (case id, kind, seq) is already there.

    The caller retries the whole transaction on IntegrityError (see `append_in_new_transaction`).
    """
    head = conn.execute(_LOCK_HEAD).first()
    if head is None:
        conn.execute(insert(audit_head).values(id=HEAD_ID, position=0, hash=GENESIS))
        head = conn.execute(_LOCK_HEAD).one()
    if conn.execute(_RECORDED, {"b_case_id": case_id, "b_kind": kind, "b_seq": seq}).first():
        return False
    text = canonical_json(body)
    body_sha256 = sha256(text)
    position = head.position + 1
    digest = record_hash(head.hash, position, case_id, kind, seq, body_sha256)
    conn.execute(insert(audit_log), {"position": position, "case_id": case_id, "kind": kind, "seq": seq,
                                     "body": text, "body_sha256": body_sha256, "prev_hash": head.hash, "hash": digest})
    conn.execute(_MOVE_HEAD, {"b_position": position, "b_hash": digest})
    return True


# Statements with their values bound at execution, so each is compiled once per process. Taking the head
# updates its row (to itself), which takes the write lock (SQLite) or the row lock (PostgreSQL) and reads it.
_LOCK_HEAD = (update(audit_head).where(audit_head.c.id == HEAD_ID).values(position=audit_head.c.position)
              .returning(audit_head.c.position, audit_head.c.hash))
_RECORDED = select(audit_log.c.position).where(
    audit_log.c.case_id == bindparam("b_case_id"), audit_log.c.kind == bindparam("b_kind"),
    audit_log.c.seq == bindparam("b_seq"))
_MOVE_HEAD = update(audit_head).where(audit_head.c.id == HEAD_ID).values(
    position=bindparam("b_position"), hash=bindparam("b_hash"))


def append_in_new_transaction(engine: Engine, case_id: str, kind: str, seq: int, body: dict[str, Any]) -> bool:
    """Append in a transaction of its own; a lost race on the very first head row is retried."""
    for _ in range(5):
        try:
            with engine.begin() as conn:
                return append(conn, case_id, kind, seq, body)
        except IntegrityError:
            continue
    raise RuntimeError("could not append to the audit chain")


def remove_bodies(conn: Connection, case_id: str) -> int:
    """Drop the bodies (the personal data) of a case's records; headers and hashes stay for the chain."""
    return conn.execute(update(audit_log).where(
        audit_log.c.case_id == case_id, audit_log.c.kind != AuditKind.PURGE, audit_log.c.body.is_not(None),
    ).values(body=None)).rowcount


def verify_chain(engine: Engine) -> ChainReport:
    """Recompute every hash from the first record; report the first one that does not hold."""
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log).order_by(audit_log.c.position)).mappings().all()
        head = conn.execute(select(audit_head).where(audit_head.c.id == HEAD_ID)).mappings().first()
    purged = {r["case_id"] for r in rows if r["kind"] == AuditKind.PURGE}
    prev_hash, expected = GENESIS, 1

    def broken(position: int, reason: str) -> ChainReport:
        return ChainReport(ok=False, records=len(rows), head_hash=prev_hash, broken_at=position, reason=reason)

    for row in rows:
        position = row["position"]
        if position != expected:
            return broken(expected, f"record {expected} is missing")
        if row["prev_hash"] != prev_hash:
            return broken(position, "does not follow the previous record (a record before it was changed or removed)")
        if row["body"] is None:
            if row["case_id"] not in purged:
                return broken(position, "content removed without a purge of its case")
        elif sha256(row["body"]) != row["body_sha256"]:
            return broken(position, "content changed")
        if record_hash(prev_hash, position, row["case_id"], row["kind"], row["seq"], row["body_sha256"]) != row["hash"]:
            return broken(position, "header or hash changed")
        prev_hash, expected = row["hash"], expected + 1
    head_position, head_hash = (head["position"], head["hash"]) if head else (0, GENESIS)
    if (head_position, head_hash) != (len(rows), prev_hash):
        return broken(len(rows) + 1, f"the chain ends at record {len(rows)} but its head says {head_position}: "
                                     "the newest records were removed")
    return ChainReport(ok=True, records=len(rows), head_hash=prev_hash)
