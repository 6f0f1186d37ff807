"""Register migrations (activities/migrations): a new register, one from before migrations and one at the
baseline all end at the newest revision with their rows, and that revision is exactly activities/db.py."""

from __future__ import annotations

import threading

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, MetaData, Table, Text, create_engine, inspect, select, text
from temporalio.testing import ActivityEnvironment

from activities import audit
from activities.db import make_engine, metadata
from activities.migrations import BASELINE, HEAD, alembic_config, baseline, current_revision
from activities.register import RegisterActivities, StepRecord
from domain.breach.register import build_register_entry
from tests.unit.cases import NOW, S, case_in

# What a release before migrations had not yet added (the register then grew them in place).
OLDER_RELEASE_LACKS = [("breach_register", "proposed_level"), ("breach_register", "deviation_reason"),
                       ("dsr_register", "third_party_released")]


def _schema_differences(engine: Engine, target: MetaData = metadata) -> list:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), target)


def _plain_engine(url: str) -> Engine:
    """An engine that migrates nothing (make_engine would)."""
    connect_args = {"options": "-c timezone=UTC"} if url.startswith("postgresql") else {}
    return create_engine(url, connect_args=connect_args)


def _record_closed_case(engine: Engine) -> None:
    case = case_in(S.CLOSED)
    entry = build_register_entry(case, NOW)
    for event in case.timeline:
        ActivityEnvironment().run(RegisterActivities(engine, "Eksempel Skole").record_step,
                                  StepRecord(event=event, entry=entry))


def _contents(engine: Engine) -> dict[str, list[dict]]:
    """Every row of every register table, without the columns an older release lacked."""
    lacking = set(OLDER_RELEASE_LACKS)
    contents = {}
    with engine.connect() as conn:
        for name in sorted(set(inspect(conn).get_table_names()) & set(baseline.metadata.tables)):
            table = Table(name, MetaData(), autoload_with=conn)  # as the database has it, not as db.py says
            order = baseline.metadata.tables[name].primary_key.columns.keys()
            rows = conn.execute(select(table).order_by(*[table.c[key] for key in order])).mappings()
            contents[name] = [{k: v for k, v in row.items() if (name, k) not in lacking} for row in rows]
    return contents


def test_head_is_the_single_newest_revision_and_the_chain_starts_at_the_baseline():
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [HEAD], "set activities.migrations.HEAD to the newest revision"
    chain = [rev.revision for rev in script.walk_revisions()]
    assert chain[-1] == BASELINE and chain[0] == HEAD and len(set(chain)) == len(chain)


def test_a_new_register_is_migrated_to_exactly_the_tables_of_db_py(database_url: str):
    engine = make_engine(database_url)
    assert _schema_differences(engine) == []
    with engine.connect() as conn:
        assert current_revision(conn) == HEAD
    assert make_engine(database_url)  # again: nothing to do


def test_a_column_added_to_db_py_without_a_revision_is_a_difference(database_url: str):
    """What the test above would report if someone changed activities/db.py and wrote no migration."""
    engine = make_engine(database_url)
    grown = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(grown)
    grown.tables["case_index"].append_column(Column("organisation_id", Text))
    differences = _schema_differences(engine, grown)
    assert [(d[0], d[2], d[3].name) for d in differences] == [("add_column", "case_index", "organisation_id")]


def test_a_register_from_before_migrations_is_stamped_and_upgraded_and_keeps_its_rows(database_url: str):
    old = _plain_engine(database_url)
    baseline.metadata.create_all(old)  # what metadata.create_all made before migrations
    _record_closed_case(old)
    with old.begin() as conn:  # and a release older still: a few nullable columns came later
        for table, column in OLDER_RELEASE_LACKS:
            conn.execute(text(f'ALTER TABLE {table} DROP COLUMN "{column}"'))
        conn.execute(text("DROP TABLE user_tokens"))
    before = _contents(old)
    assert before["breach_register"] and before["audit_log"] and before["case_index"]
    old.dispose()

    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert current_revision(conn) == HEAD
        columns = {c["name"] for c in inspect(conn).get_columns("breach_register")}
    assert {"proposed_level", "deviation_reason"} <= columns
    assert _contents(engine) == before | {"user_tokens": []}
    assert _schema_differences(engine) == [] and audit.verify_chain(engine).ok


def test_a_register_at_the_baseline_revision_is_upgraded_to_head_and_keeps_its_rows(database_url: str):
    old = _plain_engine(database_url)
    with old.begin() as conn:
        command.upgrade(alembic_config(conn), BASELINE)
    _record_closed_case(old)
    before = _contents(old)
    old.dispose()

    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert current_revision(conn) == HEAD
    assert _contents(engine) == before and _schema_differences(engine) == []


def test_processes_starting_together_migrate_the_register_once(database_url: str):
    """Two workers and the web app start at the same time against an empty register."""
    errors: list[BaseException] = []

    def start() -> None:
        try:
            make_engine(database_url).dispose()
        except BaseException as err:  # noqa: BLE001 - collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    assert _schema_differences(engine) == []


def test_the_revisions_are_installed_with_the_package():
    """No alembic.ini and no source tree at run time: the revisions must be in the wheel (a package)."""
    import tomllib
    from pathlib import Path

    from setuptools import find_packages

    root = Path(__file__).parents[2]
    setup = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = find_packages(str(root), include=setup["packages"]["find"]["include"])
    assert {"activities.migrations", "activities.migrations.versions"} <= set(packages)
    assert "migrations/script.py.mako" in setup["package-data"]["activities"]


def test_a_connection_that_finds_the_new_register_locked_switches_it_to_wal_once_the_lock_is_gone(tmp_path):
    """Two processes switching a new register to WAL at once: SQLite refuses one at once ("database is
    locked", no busy wait); it must wait for the other and switch, not fail the process's start."""
    import sqlite3

    from activities.db import _use_wal

    path = tmp_path / "register.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    late = sqlite3.connect(path, isolation_level=None, timeout=0)
    with_lock_held = late.cursor()
    try:
        with_lock_held.execute("PRAGMA journal_mode=WAL")
        raise AssertionError("the exclusive lock should refuse the switch")
    except sqlite3.OperationalError as err:
        assert "locked" in str(err)
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    release.start()
    _use_wal(with_lock_held)
    release.join()
    assert late.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    late.close()
    holder.close()
