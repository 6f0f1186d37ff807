"""Purge activities: remove what a closed case left behind once its retention period has run out.

Per case: its register row, timeline, mails, connector results, restriction records and export
files, the bodies of its audit records, and its data key (deleting the key is the crypto-shred:
the case's Temporal history can no longer be decrypted). The audit chain keeps every record's
header and hash, and gets a purge record of its own, so `gdpr register verify` still holds.

"Now" always comes from the workflow (`workflow.now()`), so the purge follows Temporal's clock.
"""

from __future__ import annotations

import json
import shutil
from datetime import timedelta, timezone
from pathlib import Path

from pydantic import AwareDatetime, Field
from sqlalchemy import Connection, Engine, delete, func, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import audit
from app.codec import destroy_case_key
from activities.db import (
    audit_log, breach_register, case_events, case_index, case_keys, connector_progress, connector_runs, dead_letters,
    dsr_register, export_passwords, outbox, restrictions,
)
from domain.kernel.model import Strict


class RetentionPeriods(Strict):
    breach_retention_days: int = Field(ge=1)
    request_retention_days: int = Field(ge=1)


class ExpiredCasesQuery(RetentionPeriods):
    now: AwareDatetime
    limit: int = Field(default=500, ge=1, le=5000)


class PurgeCaseRequest(RetentionPeriods):
    case_id: str = Field(min_length=1, max_length=40)
    now: AwareDatetime


class NotExpired(ApplicationError):
    """The case is open, younger than its period, or unknown: nothing is removed (never retried)."""

    def __init__(self, case_id: str) -> None:
        super().__init__(f"{case_id} has not outlived its retention period", type="NotExpired", non_retryable=True)


class PurgedCase(Strict):
    """What was removed for one case: ids and counts only, never content."""

    case_id: str
    register_rows: int
    timeline_events: int
    mails: int
    connector_results: int
    restrictions: int
    dead_letters: int = 0  # failed effects set aside (kind, key, error; no content)
    export_passwords: int = 0  # passwords of encrypted exports never mailed
    export_files: int
    audit_bodies: int
    key_destroyed: bool


class RetentionActivities:
    def __init__(self, engine: Engine, key_engine: Engine, exports_dir: Path) -> None:
        self._engine = engine
        self._keys = key_engine
        self._exports = exports_dir

    @activity.defn(name="expired_cases")
    def expired_cases(self, query: ExpiredCasesQuery) -> list[str]:
        """Cases closed longer ago than their period, and purged cases whose key or files are still there
        (a purge interrupted after its register transaction)."""
        now = query.now.astimezone(timezone.utc)
        breach_cutoff = now - timedelta(days=query.breach_retention_days)
        request_cutoff = now - timedelta(days=query.request_retention_days)
        with self._engine.connect() as conn:
            expired = list(conn.execute(select(breach_register.c.case_id).where(
                breach_register.c.closed_at.is_not(None), breach_register.c.closed_at < breach_cutoff,
            ).order_by(breach_register.c.case_id).limit(query.limit)).scalars())
            expired += conn.execute(select(dsr_register.c.request_id).where(
                dsr_register.c.closed_at.is_not(None), dsr_register.c.closed_at < request_cutoff,
            ).order_by(dsr_register.c.request_id).limit(query.limit)).scalars()
            purged = set(conn.execute(select(audit_log.c.case_id).where(
                audit_log.c.kind == audit.AuditKind.PURGE)).scalars())
        with self._keys.connect() as conn:
            leftover = set(conn.execute(select(case_keys.c.case_id).where(
                case_keys.c.case_id.in_(purged))).scalars()) if purged else set()
        leftover |= {case_id for case_id in purged if (self._exports / case_id).exists()}
        activity.logger.info("expired cases found", extra={"expired": len(expired), "unfinished": len(leftover)})
        return sorted(set(expired) | leftover)[:query.limit]

    @activity.defn(name="purge_case")
    def purge_case(self, req: PurgeCaseRequest) -> PurgedCase:
        """Idempotent: the register transaction (rows, audit bodies, purge record) comes first; files and
        the key follow and are simply gone on a retry. The purge record states what was found."""
        case_id = req.case_id
        folder = self._exports / case_id
        files = sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0
        with self._keys.connect() as conn:
            has_key = conn.execute(select(func.count()).select_from(case_keys)
                                   .where(case_keys.c.case_id == case_id)).scalar_one() > 0
        with self._engine.begin() as conn:
            done = conn.execute(select(audit_log.c.body).where(
                audit_log.c.case_id == case_id, audit_log.c.kind == audit.AuditKind.PURGE)).scalar()
            if done is None and not _expired(conn, req):
                raise NotExpired(case_id)
            counts = {
                "register_rows": conn.execute(delete(breach_register).where(breach_register.c.case_id == case_id))
                .rowcount + conn.execute(delete(dsr_register).where(dsr_register.c.request_id == case_id)).rowcount,
                "timeline_events": conn.execute(delete(case_events).where(case_events.c.case_id == case_id)).rowcount,
                "mails": conn.execute(delete(outbox).where(outbox.c.case_id == case_id)).rowcount,
                "connector_results": conn.execute(delete(connector_runs).where(connector_runs.c.request_id == case_id))
                .rowcount + conn.execute(delete(connector_progress).where(connector_progress.c.request_id == case_id))
                .rowcount,
                "restrictions": conn.execute(delete(restrictions).where(restrictions.c.request_id == case_id)).rowcount,
                # An export password is forgotten once mailed; one still here (mail failed for good) goes now.
                "export_passwords": conn.execute(delete(export_passwords)
                                                 .where(export_passwords.c.request_id == case_id)).rowcount,
                "dead_letters": conn.execute(delete(dead_letters).where(dead_letters.c.case_id == case_id)).rowcount,
                "audit_bodies": audit.remove_bodies(conn, case_id),
            }
            # The list row goes with the register row (ids and dates only, so it is not counted as case data).
            conn.execute(delete(case_index).where(case_index.c.case_id == case_id))
            result = PurgedCase(case_id=case_id, export_files=files, key_destroyed=has_key, **counts)
            if done is None:
                audit.append(conn, case_id, audit.AuditKind.PURGE, 0,
                             {"purged_at": req.now, **result.model_dump(mode="json")})
            else:  # a retry after the register transaction: report what the first attempt found
                result = _recorded(done)
        if folder.exists():
            shutil.rmtree(folder)
        destroy_case_key(self._keys, case_id)  # also forgets it in this process's key cache at once
        # `case_id` on a log line is the purge workflow's own id; the purged case goes in its own field.
        activity.logger.info("case purged", extra={**result.model_dump(exclude={"case_id"}), "purged_case": case_id})
        return result


def _expired(conn: Connection, req: PurgeCaseRequest) -> bool:
    """Checked again inside the purge itself, so no caller can remove an open or younger case."""
    now = req.now.astimezone(timezone.utc)
    for key, period in ((breach_register.c.case_id, req.breach_retention_days),
                        (dsr_register.c.request_id, req.request_retention_days)):
        row = conn.execute(select(key.table.c.closed_at).where(key == req.case_id)).first()
        if row is not None:
            closed_at = row.closed_at
            if closed_at is None:
                return False
            closed_at = closed_at.replace(tzinfo=timezone.utc) if closed_at.tzinfo is None else closed_at
            return closed_at < now - timedelta(days=period)
    return False


def _recorded(body: str) -> PurgedCase:
    data = json.loads(body)
    data.pop("purged_at", None)
    return PurgedCase.model_validate(data)
