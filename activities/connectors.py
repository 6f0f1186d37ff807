"""Connectors: perform a request's action in an organisation's SQL system.

Tables and columns come from the data inventory and are reflected with SQLAlchemy, so
no name from a file is ever pasted into SQL. One system's change runs in one
transaction. A result is stored (keyed by request, system, action) before it is
returned, so a retried activity returns the first result instead of acting twice.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Engine, MetaData, Table, create_engine, delete, insert, or_, select, update,
)
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.db import connector_runs, restrictions
from domain.dsr_model import Correction, SystemResult, SystemStatus, TableOutcome
from domain.inventory import LegalBasis, SqlTable, System
from domain.model import Strict


class SqlActionRequest(Strict):
    request_id: str
    action: str  # collect | erase | rectify | restrict | unrestrict | object | verify_erased | verify_restricted
    system: System
    identifiers: dict[str, str]
    corrections: list[Correction] = []
    consent_only: bool = False  # erasure where the purpose remains: only consent-based data go
    tables: list[str] | None = None  # verification: only these tables (where the request acted)
    at: datetime


class VerifyResult(Strict):
    system_id: str
    ok: bool
    details: list[str]


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class ConnectorActivities:
    def __init__(self, register: Engine) -> None:
        self._register = register
        self._engines: dict[str, Engine] = {}

    def _engine(self, url: str) -> Engine:
        url = os.path.expandvars(url)  # credentials stay out of the inventory and the workflow history
        if "$" in url:
            raise ApplicationError(f"the system's URL names an environment variable the worker does not have: {url}",
                                   type="InventoryError", non_retryable=True)
        if url not in self._engines:
            self._engines[url] = create_engine(url, future=True, hide_parameters=True)
        return self._engines[url]

    @staticmethod
    def _reflect(engine: Engine, spec: SqlTable) -> Table:
        table = Table(spec.name, MetaData(), autoload_with=engine)
        wanted = {spec.key, *spec.columns, *spec.match.values(), spec.restricted_column, spec.objection_column}
        missing = sorted(c for c in wanted if c and c not in table.c)
        if missing:
            raise ApplicationError(f"inventory names columns that {spec.name} does not have: {missing}",
                                   type="InventoryError", non_retryable=True)
        return table

    @staticmethod
    def _where(table: Table, spec: SqlTable, identifiers: dict[str, str]) -> Any:
        clauses = [table.c[column] == identifiers[key] for key, column in spec.match.items() if key in identifiers]
        return or_(*clauses) if clauses else None

    @activity.defn(name="perform_sql_action")
    def perform_sql_action(self, req: SqlActionRequest) -> SystemResult:
        stored = self._stored(req)
        if stored is not None:
            return stored
        assert req.system.connector.kind == "sql"
        engine = self._engine(req.system.connector.url)
        outcomes: list[TableOutcome] = []
        with engine.begin() as conn:
            for spec in req.system.connector.tables:
                table = self._reflect(engine, spec)
                where = self._where(table, spec, req.identifiers)
                outcome = TableOutcome(table=spec.name)
                if where is not None:
                    self._apply(conn, req, spec, table, where, outcome)
                outcomes.append(outcome)
        result = SystemResult(system_id=req.system.id, status=SystemStatus.DONE, tables=outcomes)
        self._store(req, result)
        activity.logger.info("system action done", extra={"system": req.system.id, "action": req.action})
        return result

    def _apply(self, conn: Any, req: SqlActionRequest, spec: SqlTable, table: Table, where: Any,
               outcome: TableOutcome) -> None:
        key = table.c[spec.key]
        rows = conn.execute(select(key, *[table.c[c] for c in spec.columns]).where(where)).mappings().all()
        if req.action == "collect":
            outcome.rows = [{c: _plain(r[c]) for c in spec.columns} for r in rows]
        elif req.action == "erase":
            basis = req.system.basis_of(spec)
            if basis is LegalBasis.CONSENT:
                outcome.deleted = conn.execute(delete(table).where(where)).rowcount
            elif req.consent_only:
                outcome.kept, outcome.kept_reason = len(rows), "formålet består eller der er udeståender (seed 001 §3.7)"
            elif spec.retention_duty:
                outcome.kept, outcome.kept_reason = len(rows), spec.retention_duty
            else:
                outcome.deleted = conn.execute(delete(table).where(where)).rowcount
        elif req.action == "rectify":
            for correction in (c for c in req.corrections if c.system_id == req.system.id and c.table == spec.name):
                if correction.column not in spec.columns:
                    raise ApplicationError(f"{spec.name}.{correction.column} is not a data column in the inventory",
                                           type="InventoryError", non_retryable=True)
                for row in rows:
                    outcome.changes.append({"key": _plain(row[spec.key]), "column": correction.column,
                                            "before": _plain(row[correction.column]), "after": correction.new_value})
                conn.execute(update(table).where(where).values({correction.column: correction.new_value}))
        elif req.action in ("restrict", "unrestrict") and spec.restricted_column:
            flag = 1 if req.action == "restrict" else 0
            outcome.flagged = conn.execute(update(table).where(where).values({spec.restricted_column: flag})).rowcount
            self._restriction_register(req, spec, [str(r[spec.key]) for r in rows], flag)
        elif req.action == "object" and spec.objection_column:
            outcome.flagged = conn.execute(update(table).where(where).values({spec.objection_column: 1})).rowcount

    def _restriction_register(self, req: SqlActionRequest, spec: SqlTable, keys: list[str], flag: int) -> None:
        with self._register.begin() as conn:
            if flag:
                for row_key in keys:
                    conn.execute(insert(restrictions).values(
                        request_id=req.request_id, system_id=req.system.id, table_name=spec.name, row_key=row_key,
                        restricted_at=req.at))
            else:
                conn.execute(update(restrictions).where(
                    restrictions.c.request_id == req.request_id, restrictions.c.system_id == req.system.id,
                    restrictions.c.lifted_at.is_(None)).values(lifted_at=req.at))

    def _stored(self, req: SqlActionRequest) -> SystemResult | None:
        with self._register.connect() as conn:
            raw = conn.execute(select(connector_runs.c.result).where(
                connector_runs.c.request_id == req.request_id, connector_runs.c.system_id == req.system.id,
                connector_runs.c.action == req.action)).scalar()
        return SystemResult.model_validate_json(raw) if raw else None

    def _store(self, req: SqlActionRequest, result: SystemResult) -> None:
        with self._register.begin() as conn:
            conn.execute(insert(connector_runs).values(request_id=req.request_id, system_id=req.system.id,
                                                       action=req.action, result=result.model_dump_json()))

    @activity.defn(name="verify_sql_effect")
    def verify_sql_effect(self, req: SqlActionRequest) -> VerifyResult:
        """For the monthly control: is the erasure or restriction really in effect? (seed 001 §3.7-3.8)"""
        assert req.system.connector.kind == "sql"
        engine = self._engine(req.system.connector.url)
        details, ok = [], True
        with engine.connect() as conn:
            for spec in req.system.connector.tables:
                if req.tables is not None and spec.name not in req.tables:
                    continue
                table = self._reflect(engine, spec)
                where = self._where(table, spec, req.identifiers)
                if where is None:
                    continue
                if req.action == "verify_erased":
                    count = len(conn.execute(select(table.c[spec.key]).where(where)).all())
                    if count:
                        ok = False
                        details.append(f"{spec.name}: {count} row(s) still present")
                elif req.action == "verify_restricted" and spec.restricted_column:
                    open_rows = conn.execute(select(table.c[spec.key]).where(
                        where, or_(table.c[spec.restricted_column].is_(None), table.c[spec.restricted_column] != 1))).all()
                    if open_rows:
                        ok = False
                        details.append(f"{spec.name}: {len(open_rows)} row(s) not restricted")
        return VerifyResult(system_id=req.system.id, ok=ok, details=details)
