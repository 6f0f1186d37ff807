"""The SQL connector against the real example school database (SQLite and PostgreSQL), in Temporal's
ActivityEnvironment."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pytest
from sqlalchemy import Engine, create_engine, event, text
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.connectors import ConnectorActivities, ResolveRequest, SqlActionRequest
from activities.db import make_engine, restrictions
from activities.inventory_file import load_inventory
from domain.requests.model import Correction
from domain.requests.inventory import System
from domain.requests.person import Verdict
from scripts.example_school import MISMATCHED_PAIR

ROOT = Path(__file__).parents[2]
AT = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


class WorkerDied(Exception):
    """Stands in for a worker killed between two tables."""


def _system(system_id: str) -> System:
    return load_inventory(ROOT / "examples" / "inventory.yaml").system(system_id)


def _rows(url: str, sql: str) -> list[tuple]:
    """Straight from the school's database, past the connector."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _count(url: str, sql: str) -> int:
    return _rows(url, sql)[0][0] or 0


def _keys(connectors: ConnectorActivities, system: System, identifiers: dict[str, str]) -> dict[str, list]:
    resolution = ActivityEnvironment().run(connectors.resolve_person, ResolveRequest(
        request_id="dsr-2026-0001", systems=[system], identifiers=identifiers))
    return resolution.systems[0].keys()


def _crash_when_marking_done(monkeypatch: pytest.MonkeyPatch, table_name: str) -> Callable[[], None]:
    """The target database has committed the table's action; the worker dies before recording it.
    Returns what restarts the worker (the real method back)."""
    real = ConnectorActivities._save_progress

    def save(self, req, name, state, plan):
        if name == table_name and state == "done":
            raise WorkerDied(name)
        return real(self, req, name, state, plan)

    monkeypatch.setattr(ConnectorActivities, "_save_progress", save)
    return lambda: monkeypatch.setattr(ConnectorActivities, "_save_progress", real)


def test_a_retry_after_a_crash_between_tables_neither_repeats_nor_reports_zero(
        database_url: str, school_url: str, monkeypatch: pytest.MonkeyPatch):
    # One system, two tables that both lose rows: absence (no duty) and the photo consent.
    school = _system("elevadministration")
    foto = _system("foto").connector.tables[0]
    school.connector.tables = [t for t in school.connector.tables if t.name == "fravaer"] + [foto]
    connectors = ConnectorActivities(make_engine(database_url))
    keys = _keys(connectors, school, {"elevnummer": "E9001"})
    assert _count(school_url, "select count(*) from fravaer where elevnummer='E9001'") == 2
    req = SqlActionRequest(request_id="dsr-2026-0001", action="erase", system=school,
                           identifiers={"elevnummer": "E9001"}, row_keys=keys, at=AT)

    restart = _crash_when_marking_done(monkeypatch, "fravaer")
    with pytest.raises(WorkerDied):
        ActivityEnvironment().run(connectors.perform_sql_action, req)
    assert _count(school_url, "select count(*) from fravaer where elevnummer='E9001'") == 0  # committed
    assert _count(school_url, "select count(*) from foto_samtykke where elevnummer='E9001'") == 1  # not reached
    restart()

    heartbeats: list[Any] = []
    env = ActivityEnvironment()
    env.on_heartbeat = lambda *details: heartbeats.append(details)
    result = env.run(connectors.perform_sql_action, req)
    assert {t.table: t.deleted for t in result.tables} == {"fravaer": 2, "foto_samtykke": 1}
    assert heartbeats == [("fravaer",), ("foto_samtykke",)]
    assert _count(school_url, "select count(*) from fravaer where elevnummer='E9002'") == 2  # the sibling's rows
    assert ActivityEnvironment().run(connectors.perform_sql_action, req) == result  # stored: never acts twice


def test_a_retried_rectification_still_shows_the_value_before_the_change(
        database_url: str, school_url: str, monkeypatch: pytest.MonkeyPatch):
    school = _system("elevadministration")
    connectors = ConnectorActivities(make_engine(database_url))
    identifiers = {"elevnummer": "E1001"}
    req = SqlActionRequest(request_id="dsr-2026-0002", action="rectify", system=school, identifiers=identifiers,
                           row_keys=_keys(connectors, school, identifiers), at=AT, corrections=[Correction(
                               system_id="elevadministration", table="elever", column="adresse",
                               new_value="Havnegade 3, 8000 Aarhus C")])
    restart = _crash_when_marking_done(monkeypatch, "elever")
    with pytest.raises(WorkerDied):
        ActivityEnvironment().run(connectors.perform_sql_action, req)
    restart()
    result = ActivityEnvironment().run(connectors.perform_sql_action, req)
    [change] = next(t for t in result.tables if t.table == "elever").changes
    assert (change["before"], change["after"]) == ("Skolevej 12, 8000 Aarhus C", "Havnegade 3, 8000 Aarhus C")


def test_a_retried_restriction_registers_each_row_once(database_url: str, school_url: str,
                                                       monkeypatch: pytest.MonkeyPatch):
    register = make_engine(database_url)
    school = _system("elevadministration")
    connectors = ConnectorActivities(register)
    identifiers = {"elevnummer": "E9011"}
    req = SqlActionRequest(request_id="dsr-2026-0003", action="restrict", system=school, identifiers=identifiers,
                           row_keys=_keys(connectors, school, identifiers), at=AT)
    restart = _crash_when_marking_done(monkeypatch, "fravaer")
    with pytest.raises(WorkerDied):
        ActivityEnvironment().run(connectors.perform_sql_action, req)
    restart()
    result = ActivityEnvironment().run(connectors.perform_sql_action, req)
    assert {t.table: t.flagged for t in result.tables} == {"elever": 1, "fravaer": 2, "karakterer": 0}
    with register.connect() as conn:
        assert len(conn.execute(restrictions.select()).all()) == 3
    assert _count(school_url, "select sum(begraenset) from fravaer where elevnummer='E9012'") == 0  # same name


def test_consent_based_rows_under_a_retention_duty_are_kept_not_deleted(database_url: str, school_url: str):
    foto = _system("foto")
    foto.connector.tables[0].retention_duty = "Samtykkeerklæringer gemmes som dokumentation i 3 år"
    connectors = ConnectorActivities(make_engine(database_url))
    identifiers = {"elevnummer": "E1001"}
    result = ActivityEnvironment().run(connectors.perform_sql_action, SqlActionRequest(
        request_id="dsr-2026-0004", action="erase", system=foto, identifiers=identifiers,
        row_keys=_keys(connectors, foto, identifiers), at=AT))
    [table] = result.tables
    assert (table.deleted, table.kept, table.kept_reason) == (0, 1, "Samtykkeerklæringer gemmes som dokumentation i 3 år")
    assert _count(school_url, "select count(*) from foto_samtykke where elevnummer='E1001'") == 1


def test_the_resolution_reads_only_keys_and_identifier_columns_and_changes_nothing(database_url: str, school_url: str):
    statements: list[str] = []

    def capture(conn, cursor, statement, *args) -> None:
        statements.append(statement.lower())

    event.listen(Engine, "before_cursor_execute", capture)
    try:
        connectors = ConnectorActivities(make_engine(database_url))
        before = _rows(school_url, "select * from elever order by id")
        resolution = ActivityEnvironment().run(connectors.resolve_person, ResolveRequest(
            request_id="dsr-2026-0005", systems=[_system("elevadministration"), _system("foto")],
            identifiers=MISMATCHED_PAIR))
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    assert resolution.conflict and resolution.system("elevadministration").verdict is Verdict.CONFLICT
    assert all(keys == [] for s in resolution.systems for keys in s.keys().values())
    reads = [s for s in statements if "from elever" in s or "from fravaer" in s or "from foto_samtykke" in s]
    assert reads and not any(col in s for s in reads for col in ("navn", "adresse", "foedselsdato", "aarsag", "billede"))
    assert not any(s.startswith(("update", "delete", "insert")) for s in reads)
    assert _rows(school_url, "select * from elever order by id") == before


def test_an_action_without_resolved_keys_resolves_its_system_first_and_refuses_when_ambiguous(
        database_url: str, school_url: str):
    """Requests started before resolution existed reach the connector without row keys."""
    connectors = ConnectorActivities(make_engine(database_url))
    before = _count(school_url, "select count(*) from foto_samtykke")
    shared = SqlActionRequest(request_id="dsr-2026-0006", action="erase", system=_system("foto"),
                              identifiers={"email": "familien.berg@example.dk"}, at=AT)
    with pytest.raises(ApplicationError) as refused:
        ActivityEnvironment().run(connectors.perform_sql_action, shared)
    assert refused.value.type == "AmbiguousPerson" and refused.value.non_retryable
    assert "2 forskellige personer" in refused.value.message
    own = shared.model_copy(update={"request_id": "dsr-2026-0007", "identifiers": {"elevnummer": "E9021"}})
    assert ActivityEnvironment().run(connectors.perform_sql_action, own).tables[0].deleted == 1
    assert _count(school_url, "select count(*) from foto_samtykke") == before - 1


def test_a_system_the_look_cannot_read_waits_for_a_person_and_the_others_are_still_resolved(
        database_url: str, school_url: str):
    # A key the resolution cannot carry (here a fractional number) is a permanent failure for that system only.
    school = create_engine(school_url)
    with school.begin() as db:
        db.execute(text("CREATE TABLE foto_arkiv (id REAL PRIMARY KEY, foraelder_email TEXT, elevnummer TEXT, "
                        "billede TEXT, givet_dato TEXT)"))
        db.execute(text("INSERT INTO foto_arkiv VALUES (1.5, 'karen.jensen@example.dk', 'E1001', 'a.jpg', "
                        "'2025-08-15')"))
    school.dispose()
    foto = _system("foto")
    foto.connector.tables[0].name = "foto_arkiv"
    connectors = ConnectorActivities(make_engine(database_url))
    resolution = ActivityEnvironment().run(connectors.resolve_person, ResolveRequest(
        request_id="dsr-2026-0006", systems=[_system("elevadministration"), foto],
        identifiers={"elevnummer": "E1001"}))
    assert resolution.needs_review("foto") and resolution.system("foto").keys() == {"-": []}
    assert "kunne ikke læses automatisk" in resolution.system("foto").reasons_da()[0]
    assert not resolution.needs_review("elevadministration") and resolution.system("elevadministration").keys()["elever"]
