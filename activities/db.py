"""Tables of the register database (SQLite by default, PostgreSQL in production).

A change here needs a migration (activities/migrations); tests/activities/test_migrations.py says so.
"""

from __future__ import annotations

from datetime import datetime, timezone
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean, Column, Connection, DateTime, Engine, Index, Integer, MetaData, String, Table, Text, UniqueConstraint,
    create_engine, event, make_url,
)

metadata = MetaData()

breach_register = Table(
    "breach_register", metadata,
    Column("case_id", String(40), primary_key=True),
    Column("state", String(40), nullable=False),
    Column("org_role", String(20), nullable=False),
    Column("is_breach", Boolean),
    Column("not_breach_reason", Text),
    Column("f1_discovered_by", Text, nullable=False),
    Column("f2_occurred_at", DateTime(timezone=True)),
    Column("aware_at", DateTime(timezone=True), nullable=False),
    Column("f3_what_happened", Text, nullable=False),
    Column("f4_cause", Text),
    Column("f5_data_categories", Text, nullable=False),
    Column("f6_consequences", Text),
    Column("f7_remedial_measures", Text),
    Column("f8_authority_notified_at", DateTime(timezone=True)),
    Column("f8_1_reason_not_notified", Text),
    Column("f9_subjects_communicated_at", DateTime(timezone=True)),
    Column("f9_1_reason_not_communicated", Text),
    Column("subject_categories", Text),
    Column("approx_subjects", Integer),
    Column("approx_records", Integer),
    Column("dpo_contact", Text, nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
    Column("overdue", Boolean, nullable=False),
    Column("risk_level", String(20)),
    Column("risk_reasons", Text),
    Column("proposed_level", String(20)),
    Column("deviation_reason", Text),
    Column("authority_reference", Text),
    Column("notification_delay_reasons", Text),
    Column("art34_exception", String(40)),
    Column("follow_ups", Integer, nullable=False),
    Column("lessons_learned", Text),
    Column("closed_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("last_seq", Integer),  # the timeline step this row shows; an earlier step never overwrites it
    Column("controller_notified_at", DateTime(timezone=True)),  # processor cases (seed 004)
    Column("no_decided_by", Text),  # a "no": the proposer and the DPO who co-decided (seed 003 activity 7)
)

dsr_register = Table(
    "dsr_register", metadata,
    Column("request_id", String(40), primary_key=True),
    Column("type", String(20), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("state", String(40), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
    Column("extended", Boolean, nullable=False),
    Column("extension_reasons", Text),
    Column("on_behalf", String(30)),
    Column("identity_method", String(30)),
    Column("verified_at", DateTime(timezone=True)),
    Column("refusal_ground", String(40)),
    Column("refusal_reasons", Text),
    Column("systems", Text, nullable=False),  # JSON: per system, what was done
    Column("identifiers", Text, nullable=False),  # JSON: how the subject is found (for the monthly control)
    Column("answered_at", DateTime(timezone=True)),
    Column("in_time", Boolean),
    Column("overdue", Boolean, nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("last_seq", Integer),  # the timeline step this row shows; an earlier step never overwrites it
    Column("fee", Text),  # JSON: a fee decided (ground, amount in DKK, reasons, cost basis, who, when)
    Column("refused_parts", Text),  # JSON: parts of the request refused, each with reasons and legal basis
    Column("third_party_released", Text),  # JSON: Art. 15(4) decisions to give information about others
)

# The workspace's lists (activities/case_index.py): one row per case, breach or request, written by the
# register activities in the same transaction as the register row (domain/case_index.py maps it). Only ids,
# states, roles and dates: no personal data. The indexes serve "open cases matching X, most urgent first":
# an equality prefix, then (deadline_met, deadline, case_id) so the ORDER BY (case_id breaks ties, for stable
# pages) is read from the index, never sorted.
case_index = Table(
    "case_index", metadata,
    Column("case_id", String(40), primary_key=True),
    Column("kind", String(10), nullable=False),  # breach | request
    Column("organisation", String(200), nullable=False),
    Column("state", String(40), nullable=False),
    Column("next_role", String(20)),  # the Role that acts next; NULL when nobody needs to act
    Column("task_da", Text, nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),  # UTC
    Column("deadline_met", Boolean, nullable=False),
    Column("closed", Boolean, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("request_type", String(20)),
    Column("last_seq", Integer, nullable=False),  # the timeline step this row shows
    Index("ix_case_index_open", "closed", "deadline_met", "deadline", "case_id"),
    Index("ix_case_index_role", "closed", "next_role", "deadline_met", "deadline", "case_id"),
    Index("ix_case_index_kind", "closed", "kind", "deadline_met", "deadline", "case_id"),
    Index("ix_case_index_state", "closed", "state", "deadline_met", "deadline", "case_id"),
    Index("ix_case_index_organisation", "organisation", "closed", "deadline_met", "deadline", "case_id"),
    Index("ix_case_index_closed", "closed", "updated_at", "case_id"),
)

control_reports = Table(
    "control_reports", metadata,
    Column("report_id", String(60), primary_key=True),
    Column("kind", String(30), nullable=False),  # monthly_requests | quarterly_breaches
    Column("period_start", DateTime(timezone=True), nullable=False),
    Column("period_end", DateTime(timezone=True), nullable=False),
    Column("findings", Integer, nullable=False),
    Column("report", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

case_events = Table(
    "case_events", metadata,
    Column("case_id", String(40), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_name", Text, nullable=False),
    Column("actor_role", String(20), nullable=False),
    Column("action", String(60), nullable=False),
    Column("summary", Text, nullable=False),
)

outbox = Table(
    "mail_outbox", metadata,
    Column("message_id", String(200), primary_key=True),
    Column("case_id", String(40), nullable=False),
    Column("mail_key", Text, nullable=False),
    Column("recipients", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("status", String(10), nullable=False),  # sending | sent
    Column("attempts", Integer, nullable=False),
    Column("sent_at", DateTime(timezone=True)),
)

restrictions = Table(
    "restrictions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(40), nullable=False),
    Column("system_id", String(63), nullable=False),
    Column("table_name", String(63), nullable=False),
    Column("row_key", String(200), nullable=False),
    Column("restricted_at", DateTime(timezone=True), nullable=False),
    Column("lifted_at", DateTime(timezone=True)),
)

connector_runs = Table(
    "connector_runs", metadata,
    Column("request_id", String(40), primary_key=True),
    Column("system_id", String(63), primary_key=True),
    Column("action", String(20), primary_key=True),
    Column("result", Text, nullable=False),
)

# Per table of one system action: the plan (the person's row keys, before-values) stored before acting,
# then the outcome once the table is done, so a retry after a crash continues instead of repeating or
# misreporting (activities/connectors.py).
connector_progress = Table(
    "connector_progress", metadata,
    Column("request_id", String(40), primary_key=True),
    Column("system_id", String(63), primary_key=True),
    Column("action", String(20), primary_key=True),
    Column("table_name", String(63), primary_key=True),
    Column("state", String(10), nullable=False),  # planned | done
    Column("plan", Text, nullable=False),  # JSON: TablePlan
)

# Side effects that failed for good (activities/deadletters.py): kind and key only, never content.
dead_letters = Table(
    "dead_letters", metadata,
    Column("letter_id", String(60), primary_key=True),  # "<case id>/<number within the case>"
    Column("case_id", String(40), nullable=False, index=True),
    Column("effect_kind", String(20), nullable=False),  # register | mail | system_action | exports
    Column("effect_key", Text, nullable=False),
    Column("error_type", String(100), nullable=False),
    Column("error_message", Text, nullable=False),  # scrubbed: no SQL, parameters, addresses or values
    Column("failed_at", DateTime(timezone=True), nullable=False),
    Column("failures", Integer, nullable=False),
    Column("status", String(12), nullable=False),  # open | retrying | resolved | discarded
    Column("changed_at", DateTime(timezone=True)),
    Column("changed_by", Text),
    Column("reason", Text),  # why an operator discarded it
)

# The password of an encrypted export, kept only until it is mailed to the key person (activities/exports.py).
export_passwords = Table(
    "export_passwords", metadata,
    Column("request_id", String(40), primary_key=True),
    Column("file_name", String(200), primary_key=True),
    Column("password", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Crypto-shredding: one AES-256 data key per case, stored only wrapped by the master key.
# Deleting a row makes that case's Temporal history unreadable for good.
case_keys = Table(
    "case_keys", metadata,
    # Any workflow id: schedule runs append a timestamp to theirs (e.g. monthly-request-control-2026-12-01T05:00:00Z).
    Column("case_id", String(255), primary_key=True),
    Column("wrapped_key", Text, nullable=False),  # base64 of AES-GCM(master key, data key), nonce first
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Tamper-evident audit trail (activities/audit.py): records chained by hash, in append order.
audit_log = Table(
    "audit_log", metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("case_id", String(40), nullable=False),
    Column("kind", String(10), nullable=False),  # event | closed | purge
    Column("seq", Integer, nullable=False),
    Column("body", Text),  # canonical JSON; removed by the purge, its hash stays
    Column("body_sha256", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("case_id", "kind", "seq"),
)

# The chain's newest position and hash (one row); appends lock it to serialise the chain.
audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("position", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

case_numbers = Table(
    "case_numbers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("year", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    UniqueConstraint("kind", "year", "number"),
)

# Each organisation served from the organisations folder has its own series (app/organisations.py); a
# single-organisation deployment keeps using `case_numbers` above, so its numbering simply goes on.
organisation_case_numbers = Table(
    "organisation_case_numbers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organisation", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("year", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    UniqueConstraint("organisation", "kind", "year", "number", name="uq_organisation_case_numbers"),
)


# Local accounts of the web workspace (web/accounts.py): the password only as an argon2id hash.
users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),  # stored lower-case
    Column("name", Text, nullable=False),
    Column("roles", Text, nullable=False),  # comma-separated WebRole values
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("failed_logins", Integer, nullable=False),  # consecutive, reset by a successful login
    Column("locked_until", DateTime(timezone=True)),
    Column("last_login_at", DateTime(timezone=True)),
)

# Personal tokens for the CLI, stored only as the SHA-256 of the token.
# Which organisations' cases an account works in (several for a DPO serving many; one for a nøgleperson).
# Only read when the deployment serves organisations from its folder; with one organisation, every account works in it.
user_organisations = Table(
    "user_organisations", metadata,
    Column("email", String(320), primary_key=True),
    Column("organisation", String(40), primary_key=True),
)

user_tokens = Table(
    "user_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("email", String(320), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)


def make_engine(url: str) -> Engine:
    """Engine with the schema migrated to the newest revision (activities/migrations).

    SQLite gets WAL so worker and CLI can share the file. PostgreSQL sessions run in UTC, so timestamps
    read back are UTC whatever the server's time zone (SQLite returns the stored UTC values as they are).
    """
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"options": "-c timezone=UTC"} if make_url(url).get_backend_name() == "postgresql" else {}
    engine = create_engine(url, future=True, hide_parameters=True, connect_args=connect_args)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("PRAGMA busy_timeout=5000")
                _use_wal(cursor)
            finally:
                cursor.close()
    from activities.migrations import migrate

    migrate(engine)
    return engine


def _use_wal(cursor: Any, attempts: int = 60) -> None:
    """WAL, so worker, web app and CLI share the file. Switching a new database to WAL takes its exclusive
    lock, and two connections switching at once (two workers and the web app starting together on an empty
    register) are a deadlock SQLite ends at once with "database is locked", without waiting out the busy
    timeout: so the loser waits a moment and tries again (the winner has switched the file by then)."""
    for attempt in range(attempts):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or attempt == attempts - 1:
                raise
            time.sleep(0.02 * (attempt + 1))


def dialect_insert(dialect: str) -> Any:
    """The dialect's own INSERT, which knows ON CONFLICT (SQLite and PostgreSQL say it the same way)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert
        return postgresql_insert
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert
        return sqlite_insert
    raise NotImplementedError(f"the register runs on SQLite or PostgreSQL, not {dialect}")


def upsert(conn: Connection, table: Table, values: dict[str, Any]) -> None:
    """Insert a row, or update the row with the same primary key: one atomic statement, in the dialect's own
    words (INSERT ... ON CONFLICT DO UPDATE on SQLite and PostgreSQL), so two writers of the same row never
    race into a unique violation."""
    keys = [column.name for column in table.primary_key.columns]
    statement = dialect_insert(conn.dialect.name)(table).values(**values)
    changes = {name: statement.excluded[name] for name in values if name not in keys}
    conn.execute(statement.on_conflict_do_update(index_elements=keys, set_=changes) if changes
                 else statement.on_conflict_do_nothing(index_elements=keys))


def to_utc(row: dict) -> dict:
    """Store UTC (SQLite drops offsets); read naive values back as UTC."""
    out = {}
    for key, value in row.items():
        if isinstance(value, datetime):
            value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        out[key] = value
    return out
_sqlite_writers: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_sqlite_writers_guard = threading.Lock()


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """`engine.begin()` for a write transaction; on SQLite, one writer of this process at a time.

    SQLite lets one transaction write at a time. Threads that find the file locked wait in SQLite's busy
    handler, which polls with sleeps that grow to 100 ms: with many activity threads writing at once (every
    step of every case writes the register, every mail the outbox), the lock then sits idle between
    writers and the wait can pass the busy timeout. Queued on a lock in this process instead, the next
    writer starts the moment the last one commits. Other processes (web app, CLI) still meet the busy
    timeout, as before. PostgreSQL locks rows, so its writers go straight on.
    """
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            yield conn
        return
    with _sqlite_writers_guard:
        lock = _sqlite_writers.setdefault(engine, threading.RLock())
    with lock, engine.begin() as conn:
        yield conn
