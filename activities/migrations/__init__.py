"""Migrations of the register schema (Alembic), applied by `migrate(engine)` whenever `make_engine` makes one.

- `versions/0001_baseline.py` is the schema as it was when migrations came: `baseline.py`, a frozen copy
  of `activities/db.py` then. A new database gets revision 0001 and every later one.
- A register made before migrations (our tables, no `alembic_version`) is first brought to that baseline
  the way `make_engine` used to do it (missing tables created, missing nullable columns added in place),
  stamped at 0001, and then upgraded like any other.
- The whole migration is one transaction that only one process holds at a time (an advisory lock on
  PostgreSQL, `BEGIN IMMEDIATE` on SQLite), so two workers and the web app starting together migrate
  once; a failed migration leaves the database as it was.
- No alembic.ini: the configuration is made here (`alembic_config`), so it works from an installed package.

A change to a table in `activities/db.py` needs a revision; tests/activities/test_migrations.py fails until
it is there. Write it against a scratch database at the current head:

    python -m activities.migrations revision --autogenerate --rev-id 0002 -m "what changes"

then read the generated file (autogenerate is a draft, not a proof) and set `HEAD` below to its id.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent
BASELINE = "0001"
# The newest revision in versions/. `migrate` compares it with the database's in one query, without
# importing Alembic (it costs a CLI command a noticeable part of a second); a test checks it is current.
HEAD = "0002"
VERSION_TABLE = "alembic_version"
# PostgreSQL advisory lock held by the migrating transaction (any constant the application uses for nothing else).
_LOCK_KEY = 7_142_001

log = logging.getLogger("activities.migrations")
# Alembic's `context` and `op` are module-level proxies: one migration at a time in this process too.
_IN_PROCESS = threading.Lock()


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """Alembic's configuration for the register, made in code (no alembic.ini)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def current_revision(conn: Connection) -> str | None:
    """The database's revision; None for an empty database or one made before migrations."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def migrate(engine: Engine) -> None:
    """Bring the register to the newest revision (see the module's docstring); cheap when it is there."""
    with engine.connect() as conn:
        if current_revision(conn) == HEAD:
            return
    with _IN_PROCESS, _exclusive_transaction(engine) as conn:
        current = current_revision(conn)  # again, now that no one else migrates
        if current == HEAD:
            return
        from alembic import command

        config = alembic_config(conn)
        if current is None and set(inspect(conn).get_table_names()) & set(_baseline().metadata.tables):
            added = adopt_unversioned(conn)
            log.info("register from before migrations stamped at the baseline", extra={"added_columns": added})
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
        log.info("register schema migrated", extra={"from_revision": current, "to_revision": HEAD})


def adopt_unversioned(conn: Connection) -> list[str]:
    """A register made by `metadata.create_all` before migrations, brought to revision 0001 exactly as
    `make_engine` did then: missing tables created, new nullable columns added; returns the columns added."""
    metadata = _baseline().metadata
    metadata.create_all(conn)  # only the tables that are missing
    inspector = inspect(conn)
    added = []
    for table in metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable:
                raise RuntimeError(f"{table.name}.{column.name} is missing and NOT NULL: this register is older "
                                   "than any release that could add it in place")
            kind = column.type.compile(dialect=conn.dialect)
            conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))
            added.append(f"{table.name}.{column.name}")
    return added


def _baseline() -> ModuleType:
    """Imported when needed: a register at head never loads the frozen tables."""
    from activities.migrations import baseline

    return baseline


@contextmanager
def _exclusive_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction for the whole migration, held by one process at a time."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            yield conn
        return
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        # pysqlite opens no transaction before CREATE or ALTER; this engine of its own runs them inside
        # BEGIN IMMEDIATE, which takes SQLite's write lock at once (waiting for another migrating process).
        own = create_engine(engine.url, poolclass=NullPool)

        @event.listens_for(own, "connect")
        def _connect(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA busy_timeout=60000")

        @event.listens_for(own, "begin")
        def _begin(conn: Connection) -> None:  # pragma: no cover - trivial
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        try:
            with own.begin() as conn:
                yield conn
        finally:
            own.dispose()
        return
    with engine.begin() as conn:  # an in-memory database: nobody else can see it
        yield conn
