"""The periodic controls of seed 001: monthly for requests (§3.5-3.10), quarterly for breaches (§3.18).

Pure: periods and the report text from register rows and connector checks.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from domain.kernel.deadlines import COPENHAGEN, format_da
from domain.breach.machine import STATE_INFO as BREACH_STATE_INFO, BreachState
from domain.requests.model import TYPE_DA, RequestType
from domain.requests.register import RequestRegisterEntry
from domain.breach.model import RiskLevel
from domain.kernel.model import Strict
from domain.breach.proposal import LEVEL_LABEL_DA
from domain.breach.register import RegisterEntry


class Period(Strict):
    start: datetime
    end: datetime
    label: str


def previous_month(now: datetime) -> Period:
    local = now.astimezone(COPENHAGEN)
    first_this = datetime.combine(local.date().replace(day=1), time(0), tzinfo=COPENHAGEN)
    first_prev = datetime.combine((first_this - timedelta(days=1)).date().replace(day=1), time(0), tzinfo=COPENHAGEN)
    return Period(start=first_prev, end=first_this, label=f"{first_prev:%Y-%m}")


def previous_quarter(now: datetime) -> Period:
    local = now.astimezone(COPENHAGEN)
    quarter_start_month = 3 * ((local.month - 1) // 3) + 1
    end = datetime(local.year, quarter_start_month, 1, tzinfo=COPENHAGEN)
    start_month, start_year = (end.month - 3, end.year) if end.month > 3 else (end.month + 9, end.year - 1)
    start = datetime(start_year, start_month, 1, tzinfo=COPENHAGEN)
    return Period(start=start, end=end, label=f"{start.year}-Q{(start.month - 1) // 3 + 1}")


class EffectCheck(Strict):
    request_id: str
    system_id: str
    ok: bool
    details: list[str]


class ControlReport(Strict):
    report_id: str
    kind: str
    period: Period
    findings: list[str]
    text: str


def monthly_request_report(period: Period, rows: list[RequestRegisterEntry], checks: list[EffectCheck],
                           now: datetime) -> ControlReport:
    findings: list[str] = []
    # The report is mailed to people: words only (the source is seed 001 §3.5-3.10).
    lines = [f"Månedlig kontrol af registreredes anmodninger, {period.label}", ""]
    for row in rows:
        answered = row.answered_at
        status = ("besvaret rettidigt" if row.in_time else "besvaret EFTER fristen") if answered else (
            "IKKE besvaret, fristen er overskredet" if row.deadline < now else "ikke besvaret endnu (frist ikke nået)")
        lines.append(f"- {row.request_id}, anmodning om {_type_da(row.type)}: {status}; "
                     f"frist {format_da(row.deadline)}")
        if (answered and not row.in_time) or (not answered and row.deadline < now):
            findings.append(f"{row.request_id}: not answered in time")
        systems = json.loads(row.systems)
        pending = sorted(s for s, v in systems.items() if v["status"] != "done")
        if answered and pending:
            findings.append(f"{row.request_id}: answered with systems pending: {', '.join(pending)}")
    for check in checks:
        if not check.ok:
            what = "; ".join(check.details)
            findings.append(f"{check.request_id}: not in effect in {check.system_id}: {what}")
            lines.append(f"- AFVIGELSE {check.request_id} i {check.system_id}: {what}")
    if not rows:
        lines.append("- ingen anmodninger modtaget i perioden")
    lines += ["", f"Kontrolleret {format_da(now)}: {len(rows)} anmodning(er), {len(checks)} systemkontrol(ler), "
              f"{len(findings)} afvigelse(r)."]
    return ControlReport(report_id=f"monthly-{period.label}", kind="monthly_requests", period=period,
                         findings=findings, text="\n".join(lines) + "\n")


def quarterly_breach_report(period: Period, rows: list[RegisterEntry], now: datetime) -> ControlReport:
    findings: list[str] = []
    lines = [f"Kvartalsvis gennemgang af sikkerhedsbrudsloggen, {period.label}", ""]  # seed 001 §3.18
    for row in rows:
        notified = row.f8_authority_notified_at or row.controller_notified_at
        late = notified is not None and notified > row.deadline
        how = "dataansvarlig underrettet" if row.controller_notified_at else "anmeldt"
        lines.append(f"- {row.case_id}: {_breach_state_da(row.state)}; risiko: {_risk_da(row.risk_level)}; "
                     f"{how} {format_da(notified) if notified else 'nej'}{' (for sent)' if late else ''}")
        if row.overdue or late:
            findings.append(f"{row.case_id}: notification deadline missed")
        if row.is_breach and row.risk_level == "no_risk" and not row.f8_1_reason_not_notified:
            findings.append(f"{row.case_id}: no reason recorded for not notifying")
        if row.state == "closed" and row.is_breach and not row.lessons_learned:
            findings.append(f"{row.case_id}: closed without lessons learned")
        if row.deviation_reason:
            lines.append(f"  afveg fra forslaget ({_risk_da(row.proposed_level)}): {row.deviation_reason}")
    if not rows:
        lines.append("- ingen brud i perioden")
    lines += ["", f"Gennemgået {format_da(now)}: {len(rows)} brud, {len(findings)} afvigelse(r)."]
    return ControlReport(report_id=f"quarterly-{period.label}", kind="quarterly_breaches", period=period,
                         findings=findings, text="\n".join(lines) + "\n")


def _type_da(value: str) -> str:
    try:
        return TYPE_DA[RequestType(value)]
    except ValueError:
        return value


def _breach_state_da(value: str) -> str:
    """'lukket', or 'åben' and the task the case waits for."""
    if value == BreachState.CLOSED.value:
        return "lukket"
    try:
        return f"åben ({BREACH_STATE_INFO[BreachState(value)].task_da.lower()})"
    except (KeyError, ValueError):  # a state a newer version added
        return "åben"


def _risk_da(value: str | None) -> str:
    try:
        return LEVEL_LABEL_DA[RiskLevel(value)] if value else "ikke vurderet"
    except ValueError:
        return value or "ikke vurderet"
