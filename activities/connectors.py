"""Connectors: find the data subject's rows, then perform a request's action on exactly those rows.

Tables and columns come from the data inventory and are reflected with SQLAlchemy, so
no name from a file is ever pasted into SQL.

`resolve_person` is read-only: per table it reads the key and identifier columns of the
rows matching any supplied identifier (never data columns) and lets `domain.requests.person`
decide whose rows they are. `perform_sql_action` then acts by primary key only.

Crash safety, per table: the plan (the person's rows present now, before-values) is
stored in the register first, the action runs by key in the target database, the
counts are derived from the plan plus a check of what is there afterwards, and the
table is marked done. A retry after a crash continues from the stored state, so it
neither repeats an action nor reports 0 for rows it had already deleted. The system's
result is stored last (keyed by request, system, action) and returned on any retry.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Engine, MetaData, Table, create_engine, delete, func, insert, or_, select, update,
)
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.db import connector_progress, connector_runs, restrictions
from activities.failures import is_permanent
from domain.requests.model import Correction, SystemResult, SystemStatus, TableOutcome
from domain.requests.inventory import LegalBasis, SqlTable, System
from domain.kernel.model import Strict
from domain.requests.person import (
    PersonResolution, RowFacts, RowKey, SystemResolution, TableFacts, Verdict, resolve_system, unreadable_system,
    with_shared_identifiers,
)

# Why rows not based on consent were kept; the erasure letter quotes it to the person (source: seed 001 §3.7).
CONSENT_ONLY_REASON = "formålet består eller der er udeståender"


class SqlActionRequest(Strict):
    request_id: str
    action: str  # collect | erase | rectify | restrict | unrestrict | object | verify_erased | verify_restricted
    system: System
    identifiers: dict[str, str]
    corrections: list[Correction] = []
    consent_only: bool = False  # erasure where the purpose remains: only consent-based data go
    tables: list[str] | None = None  # verification: only these tables (where the request acted)
    row_keys: dict[str, list[RowKey]] | None = None  # the person's rows per table; None: resolve here first
    at: datetime


class ResolveRequest(Strict):
    request_id: str
    systems: list[System]
    identifiers: dict[str, str]


class VerifyResult(Strict):
    system_id: str
    ok: bool
    details: list[str]


class TablePlan(Strict):
    """What one table's action will do, stored before it is done."""

    present: list[RowKey]  # the person's rows that exist when planning
    outcome: TableOutcome  # counts and before-values known before acting; completed after


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
            raise ApplicationError("the system's URL names an environment variable the worker does not have",
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
        """Candidates only (rows matching ANY identifier): used to read identifier columns, never to act."""
        clauses = [table.c[column] == identifiers[key] for key, column in spec.match.items() if key in identifiers]
        return or_(*clauses) if clauses else None

    # --- resolution (read-only) -------------------------------------------------------------

    def _table_facts(self, engine: Engine, spec: SqlTable, identifiers: dict[str, str]) -> TableFacts:
        table = self._reflect(engine, spec)
        facts = TableFacts(table=spec.name, kinds=list(spec.match))
        where = self._where(table, spec, identifiers)
        if where is None:
            return facts
        kinds = list(spec.match.items())
        with engine.connect() as conn:  # only the key and the identifier columns: no data column is read
            rows = conn.execute(select(table.c[spec.key], *[table.c[col] for _, col in kinds]).where(where)).all()
        facts.rows = [RowFacts(key=row[0], ids={kind: None if v is None or str(v).strip() == "" else str(v)
                                                for (kind, _), v in zip(kinds, row[1:])}) for row in rows]
        return facts

    def _resolve_system(self, system: System, identifiers: dict[str, str]) -> SystemResolution:
        assert system.connector.kind == "sql"
        engine = self._engine(system.connector.url)
        facts = []
        for spec in system.connector.tables:
            facts.append(self._table_facts(engine, spec, identifiers))
            activity.heartbeat(f"{system.id}.{spec.name}")
        return resolve_system(system.id, facts, identifiers)

    @activity.defn(name="resolve_person")
    def resolve_person(self, req: ResolveRequest) -> PersonResolution:
        """Whose rows are these? Decided for every SQL system before any system is touched.

        A system whose inventory does not fit its database is left out; its action then
        fails the same check and becomes a manual task, as before.
        """
        resolved = []
        for system in (s for s in req.systems if s.connector.kind == "sql"):
            try:
                resolved.append(self._resolve_system(system, req.identifiers))
            except ApplicationError as err:
                if err.type != "InventoryError":
                    raise
            except Exception as err:  # noqa: BLE001 - a retry cannot fix it: this system waits for a person
                if not is_permanent(err):
                    raise  # a connection or a lock: the activity retries
                resolved.append(unreadable_system(system.id))
        resolution = with_shared_identifiers(PersonResolution(systems=resolved))
        activity.logger.info("person resolved", extra={
            "request": req.request_id, "conflict": resolution.conflict,
            "verdicts": {s.system_id: s.verdict.value for s in resolved}})
        return resolution

    # --- acting by key -------------------------------------------------------------------------

    @activity.defn(name="perform_sql_action")
    def perform_sql_action(self, req: SqlActionRequest) -> SystemResult:
        stored = self._stored(req)
        if stored is not None:
            return stored
        assert req.system.connector.kind == "sql"
        engine = self._engine(req.system.connector.url)
        keys = req.row_keys
        if keys is None:  # a request started before resolution existed: resolve this system now
            resolution = self._resolve_system(req.system, req.identifiers)
            if resolution.verdict in (Verdict.AMBIGUOUS, Verdict.CONFLICT):
                raise ApplicationError(" ".join(resolution.reasons_da()), type="AmbiguousPerson", non_retryable=True)
            keys = resolution.keys()
        outcomes = []
        for spec in req.system.connector.tables:
            outcomes.append(self._table(engine, req, spec, keys.get(spec.name, [])))
            activity.heartbeat(spec.name)
        result = SystemResult(system_id=req.system.id, status=SystemStatus.DONE, tables=outcomes)
        self._store(req, result)
        activity.logger.info("system action done", extra={"system": req.system.id, "action": req.action,
                                                          "tables": len(outcomes)})
        return result

    def _table(self, engine: Engine, req: SqlActionRequest, spec: SqlTable, keys: list[RowKey]) -> TableOutcome:
        state, plan = self._progress(req, spec.name)
        if state == "done" and plan is not None:  # a stored state always comes with its plan
            return plan.outcome
        table = self._reflect(engine, spec)
        if plan is None:
            plan = self._plan(engine, req, spec, table, keys)
            self._save_progress(req, spec.name, "planned", plan)
        outcome = self._act(engine, req, spec, table, plan)
        self._save_progress(req, spec.name, "done", TablePlan(present=plan.present, outcome=outcome))
        return outcome

    def _plan(self, engine: Engine, req: SqlActionRequest, spec: SqlTable, table: Table,
              keys: list[RowKey]) -> TablePlan:
        outcome = TableOutcome(table=spec.name)
        if not keys:
            return TablePlan(present=[], outcome=outcome)
        key = table.c[spec.key]
        with engine.connect() as conn:
            rows = conn.execute(select(key, *[table.c[c] for c in spec.columns]).where(key.in_(keys))
                                .order_by(key)).mappings().all()
        present = [r[spec.key] for r in rows]
        if req.action == "collect":
            outcome.rows = [{c: _plain(r[c]) for c in spec.columns} for r in rows]
        elif req.action == "erase":
            # Art. 17(3): a legal retention duty is checked before anything is deleted, consent rows included.
            if spec.retention_duty:
                outcome.kept, outcome.kept_reason = len(present), spec.retention_duty
            elif req.consent_only and req.system.basis_of(spec) is not LegalBasis.CONSENT:
                outcome.kept, outcome.kept_reason = len(present), CONSENT_ONLY_REASON
        elif req.action == "rectify":
            for correction in self._corrections(req, spec):
                outcome.changes += [{"key": _plain(r[spec.key]), "column": correction.column,
                                     "before": _plain(r[correction.column]), "after": correction.new_value}
                                    for r in rows]
        return TablePlan(present=present, outcome=outcome)

    @staticmethod
    def _corrections(req: SqlActionRequest, spec: SqlTable) -> list[Correction]:
        found = [c for c in req.corrections if c.system_id == req.system.id and c.table == spec.name]
        for correction in found:
            if correction.column not in spec.columns:
                raise ApplicationError(f"{spec.name}.{correction.column} is not a data column in the inventory",
                                       type="InventoryError", non_retryable=True)
        return found

    def _act(self, engine: Engine, req: SqlActionRequest, spec: SqlTable, table: Table,
             plan: TablePlan) -> TableOutcome:
        """Act on the planned rows by key; counts come from the plan and what is there afterwards."""
        outcome = plan.outcome.model_copy(deep=True)
        if not plan.present:
            return outcome
        mine = table.c[spec.key].in_(plan.present)
        with engine.begin() as conn:
            if req.action == "erase" and not outcome.kept:
                conn.execute(delete(table).where(mine))
                remaining = conn.execute(select(func.count()).select_from(table).where(mine)).scalar_one()
                outcome.deleted = len(plan.present) - remaining
            elif req.action == "rectify":
                for correction in self._corrections(req, spec):
                    conn.execute(update(table).where(mine).values({correction.column: correction.new_value}))
            elif req.action in ("restrict", "unrestrict") and spec.restricted_column:
                flag = 1 if req.action == "restrict" else 0
                outcome.flagged = self._set_flag(conn, table, mine, spec.restricted_column, flag)
            elif req.action == "object" and spec.objection_column:
                outcome.flagged = self._set_flag(conn, table, mine, spec.objection_column, 1)
        if req.action in ("restrict", "unrestrict") and spec.restricted_column:
            self._restriction_register(req, spec, [str(k) for k in plan.present], 1 if req.action == "restrict" else 0)
        return outcome

    @staticmethod
    def _set_flag(conn: Any, table: Table, mine: Any, column: str, flag: int) -> int:
        conn.execute(update(table).where(mine).values({column: flag}))
        return conn.execute(select(func.count()).select_from(table).where(mine, table.c[column] == flag)).scalar_one()

    def _restriction_register(self, req: SqlActionRequest, spec: SqlTable, keys: list[str], flag: int) -> None:
        """Idempotent: a retry neither registers a row twice nor lifts twice."""
        scope = (restrictions.c.request_id == req.request_id, restrictions.c.system_id == req.system.id,
                 restrictions.c.table_name == spec.name)
        with self._register.begin() as conn:
            if flag:
                open_keys = set(conn.execute(select(restrictions.c.row_key).where(
                    *scope, restrictions.c.lifted_at.is_(None))).scalars())
                for row_key in (k for k in keys if k not in open_keys):
                    conn.execute(insert(restrictions).values(
                        request_id=req.request_id, system_id=req.system.id, table_name=spec.name, row_key=row_key,
                        restricted_at=req.at))
            else:
                conn.execute(update(restrictions).where(*scope, restrictions.c.lifted_at.is_(None))
                             .values(lifted_at=req.at))

    # --- stored state ---------------------------------------------------------------------------

    def _progress(self, req: SqlActionRequest, table_name: str) -> tuple[str | None, TablePlan | None]:
        with self._register.connect() as conn:
            row = conn.execute(select(connector_progress.c.state, connector_progress.c.plan).where(
                connector_progress.c.request_id == req.request_id, connector_progress.c.system_id == req.system.id,
                connector_progress.c.action == req.action, connector_progress.c.table_name == table_name)).first()
        return (row.state, TablePlan.model_validate_json(row.plan)) if row else (None, None)

    def _save_progress(self, req: SqlActionRequest, table_name: str, state: str, plan: TablePlan) -> None:
        scope = (connector_progress.c.request_id == req.request_id, connector_progress.c.system_id == req.system.id,
                 connector_progress.c.action == req.action, connector_progress.c.table_name == table_name)
        with self._register.begin() as conn:
            conn.execute(delete(connector_progress).where(*scope))
            conn.execute(insert(connector_progress).values(
                request_id=req.request_id, system_id=req.system.id, action=req.action, table_name=table_name,
                state=state, plan=plan.model_dump_json()))

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

    # --- the monthly control ---------------------------------------------------------------------

    def _acted_on(self, req: SqlActionRequest, action: str) -> dict[str, list[RowKey]] | None:
        """The rows the request acted on, per table, from its stored plans (None: none stored)."""
        with self._register.connect() as conn:
            rows = conn.execute(select(connector_progress.c.table_name, connector_progress.c.plan).where(
                connector_progress.c.request_id == req.request_id, connector_progress.c.system_id == req.system.id,
                connector_progress.c.action == action)).all()
        return {r.table_name: TablePlan.model_validate_json(r.plan).present for r in rows} if rows else None

    @activity.defn(name="verify_sql_effect")
    def verify_sql_effect(self, req: SqlActionRequest) -> VerifyResult:
        """For the monthly control: is the erasure or restriction really in effect? (seed 001 §3.7-3.8)

        Checks the rows the request acted on (its stored plan) and the person's rows now (a row restored
        from a backup), never everyone an identifier happens to match.
        """
        assert req.system.connector.kind == "sql"
        engine = self._engine(req.system.connector.url)
        resolution = self._resolve_system(req.system, req.identifiers)  # the person's rows now (e.g. restored)
        if resolution.verdict in (Verdict.AMBIGUOUS, Verdict.CONFLICT):
            return VerifyResult(system_id=req.system.id, ok=False, details=resolution.reasons_da())
        acted = self._acted_on(req, "erase" if req.action == "verify_erased" else "restrict") or {}
        found = resolution.keys()
        acted = {t: sorted({*acted.get(t, []), *found.get(t, [])}, key=str) for t in {*acted, *found}}
        details, ok = [], True
        with engine.connect() as conn:
            for spec in req.system.connector.tables:
                keys = acted.get(spec.name, [])
                if (req.tables is not None and spec.name not in req.tables) or not keys:
                    continue
                table = self._reflect(engine, spec)
                mine = table.c[spec.key].in_(keys)
                if req.action == "verify_erased":
                    count = conn.execute(select(func.count()).select_from(table).where(mine)).scalar_one()
                    if count:
                        ok = False
                        details.append(f"{spec.name}: {count} row(s) still present")
                elif req.action == "verify_restricted" and spec.restricted_column:
                    column = table.c[spec.restricted_column]
                    count = conn.execute(select(func.count()).select_from(table).where(
                        mine, or_(column.is_(None), column != 1))).scalar_one()
                    if count:
                        ok = False
                        details.append(f"{spec.name}: {count} row(s) not restricted")
        return VerifyResult(system_id=req.system.id, ok=ok, details=details)
