"""Control activities: read the registers for a period, and store a control report."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Column, Engine, Table, select
from temporalio import activity

from activities.db import breach_register, control_reports, dsr_register, upsert
from activities.inventory_file import load_inventory
from activities.register import to_utc
from domain.controls import ControlReport, Period
from domain.requests.register import RequestRegisterEntry
from domain.requests.inventory import Inventory
from domain.breach.register import RegisterEntry


class ControlActivities:
    def __init__(self, engine: Engine, inventory_file: Path) -> None:
        self._engine = engine
        self._inventory_file = inventory_file

    def _in_period(self, table: Table, since: Column, period: Period) -> list[dict]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(table).where(
                since >= period.start.astimezone(timezone.utc), since < period.end.astimezone(timezone.utc),
            ).order_by(since)).mappings().all()
        return [to_utc({k: v for k, v in r.items() if k != "last_seq"}) for r in rows]  # last_seq: bookkeeping

    @activity.defn(name="requests_in_period")
    def requests_in_period(self, period: Period) -> list[RequestRegisterEntry]:
        rows = self._in_period(dsr_register, dsr_register.c.received_at, period)
        return [RequestRegisterEntry.model_validate(r) for r in rows]

    @activity.defn(name="breaches_in_period")
    def breaches_in_period(self, period: Period) -> list[RegisterEntry]:
        """Breaches the organisation became aware of in the period."""
        return [RegisterEntry.model_validate(r) for r in self._in_period(breach_register, breach_register.c.aware_at,
                                                                         period)]

    @activity.defn(name="current_inventory")
    def current_inventory(self) -> Inventory:
        return load_inventory(self._inventory_file)

    @activity.defn(name="store_control_report")
    def store_control_report(self, report: ControlReport) -> None:
        values = dict(kind=report.kind, period_start=report.period.start.astimezone(timezone.utc),
                      period_end=report.period.end.astimezone(timezone.utc), findings=len(report.findings),
                      report=report.text, created_at=datetime.now(timezone.utc))
        with self._engine.begin() as conn:
            upsert(conn, control_reports, {"report_id": report.report_id, **values})
        activity.logger.info("control report stored", extra={"report": report.report_id,
                                                             "findings": len(report.findings)})


def list_reports(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(control_reports).order_by(control_reports.c.created_at.desc())).mappings().all()
    return [to_utc(dict(r)) for r in rows]
