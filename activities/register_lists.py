"""The registers as lists and one case's record, read from the register database only.

The breach register (`breach_register`), the request register (`dsr_register`) and a case's
timeline (`case_events`) are written by the register activities at every step and kept after a
case closes, so everything here works for closed cases and without Temporal. The web workspace's
register pages and CSV files read these functions; they never ask Temporal.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import Engine, and_, func, or_, select

from activities.db import breach_register, case_events, case_index, dsr_register
from activities.register import to_utc
from domain.requests.register import RequestRegisterEntry
from domain.kernel.model import Strict
from domain.breach.register import RegisterEntry

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
PAGE = 50
MAX_EXPORT = 100_000  # a CSV file holds the whole filtered register, but not without end


class RegisterFilter(Strict):
    """What a register list is narrowed to; None means "any"."""

    closed: bool | None = None  # True: closed cases only; False: open only
    year: int | None = None  # the year (Danish time) the organisation became aware / the request arrived
    notified: bool | None = None  # breaches: notified to Datatilsynet or not
    request_type: str | None = None  # requests: access, erasure, ...
    organisations: list[str] | None = None  # only these organisations' cases (from the case index)


class BreachPage(BaseModel):
    rows: list[RegisterEntry]
    total: int
    offset: int

    @property
    def rest(self) -> int:
        """Matching cases after this page."""
        return max(0, self.total - self.offset - len(self.rows))


class RequestPage(BaseModel):
    rows: list[RequestRegisterEntry]
    total: int
    offset: int

    @property
    def rest(self) -> int:
        return max(0, self.total - self.offset - len(self.rows))


class CaseEvent(Strict):
    seq: int
    at: datetime
    actor_name: str
    actor_role: str
    action: str
    summary: str


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    """The Danish calendar year as a UTC interval (the register stores UTC)."""
    start = datetime(year, 1, 1, tzinfo=COPENHAGEN).astimezone(timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=COPENHAGEN).astimezone(timezone.utc)
    return start, end


def _closed(table) -> Any:
    return or_(table.c.closed_at.is_not(None), table.c.state == "closed")


def _breach_conditions(f: RegisterFilter) -> list:
    t = breach_register
    conditions = []
    if f.closed is not None:
        conditions.append(_closed(t) if f.closed else and_(t.c.closed_at.is_(None), t.c.state != "closed"))
    if f.year is not None:
        start, end = _year_bounds(f.year)
        conditions += [t.c.aware_at >= start, t.c.aware_at < end]
    if f.notified is not None:
        conditions.append(t.c.f8_authority_notified_at.is_not(None) if f.notified
                          else t.c.f8_authority_notified_at.is_(None))
    return conditions + _organisation_conditions(t.c.case_id, f)


def _organisation_conditions(key, f: RegisterFilter) -> list:
    """The case index knows each case's organisation (open and closed): the register rows keep to those."""
    if f.organisations is None:
        return []
    return [key.in_(select(case_index.c.case_id).where(case_index.c.organisation.in_(sorted(f.organisations))))]


def _request_conditions(f: RegisterFilter) -> list:
    t = dsr_register
    conditions = []
    if f.closed is not None:
        conditions.append(_closed(t) if f.closed else and_(t.c.closed_at.is_(None), t.c.state != "closed"))
    if f.year is not None:
        start, end = _year_bounds(f.year)
        conditions += [t.c.received_at >= start, t.c.received_at < end]
    if f.request_type is not None:
        conditions.append(t.c.type == f.request_type)
    return conditions + _organisation_conditions(t.c.request_id, f)


def _entry(model, row) -> Any:
    return model.model_validate(to_utc({k: v for k, v in dict(row).items() if k != "last_seq"}))


def list_breaches(engine: Engine, f: RegisterFilter, *, limit: int = PAGE, offset: int = 0) -> BreachPage:
    """The breach register, newest awareness first, closed cases included unless filtered out."""
    t, conditions = breach_register, _breach_conditions(f)
    limit, offset = max(0, min(limit, MAX_EXPORT)), max(0, offset)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(t).where(*conditions)).scalar_one()
        rows = conn.execute(select(t).where(*conditions).order_by(t.c.aware_at.desc(), t.c.case_id.desc())
                            .limit(limit).offset(offset)).mappings().all()
    return BreachPage(rows=[_entry(RegisterEntry, r) for r in rows], total=total, offset=offset)


def list_requests(engine: Engine, f: RegisterFilter, *, limit: int = PAGE, offset: int = 0) -> RequestPage:
    """The request register, the most recently received first."""
    t, conditions = dsr_register, _request_conditions(f)
    limit, offset = max(0, min(limit, MAX_EXPORT)), max(0, offset)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(t).where(*conditions)).scalar_one()
        rows = conn.execute(select(t).where(*conditions).order_by(t.c.received_at.desc(), t.c.request_id.desc())
                            .limit(limit).offset(offset)).mappings().all()
    return RequestPage(rows=[_entry(RequestRegisterEntry, r) for r in rows], total=total, offset=offset)


def breach_years(engine: Engine) -> list[int]:
    """The years (Danish time) the breach register has cases in, newest first: the year filter's options."""
    with engine.connect() as conn:
        moments = conn.execute(select(func.min(breach_register.c.aware_at), func.max(breach_register.c.aware_at))).one()
    return _years(moments)


def request_years(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        moments = conn.execute(select(func.min(dsr_register.c.received_at), func.max(dsr_register.c.received_at))).one()
    return _years(moments)


def _years(moments) -> list[int]:
    first, last = (to_utc({"at": m})["at"] if m is not None else None for m in moments)
    if first is None or last is None:
        return []
    return list(range(last.astimezone(COPENHAGEN).year, first.astimezone(COPENHAGEN).year - 1, -1))


def breach_entry(engine: Engine, case_id: str) -> RegisterEntry | None:
    with engine.connect() as conn:
        row = conn.execute(select(breach_register).where(breach_register.c.case_id == case_id)).mappings().first()
    return _entry(RegisterEntry, row) if row is not None else None


def case_timeline(engine: Engine, case_id: str) -> list[CaseEvent]:
    """Every step of a case as the register activities recorded it, in order."""
    with engine.connect() as conn:
        rows = conn.execute(select(case_events).where(case_events.c.case_id == case_id)
                            .order_by(case_events.c.seq)).mappings().all()
    return [CaseEvent.model_validate(to_utc({k: v for k, v in dict(r).items() if k != "case_id"})) for r in rows]
