"""The registers in the browser: breaches and requests as tables and CSV files, and a case report to print.

Everything is read from the register database (activities/register_lists.py), closed cases included;
the lists never ask Temporal. Only the printable report asks Temporal, and only for the texts of the
approved drafts, which the register does not hold; without Temporal the report says so and is otherwise
whole. Key persons, the DPO and management may read the registers (`REGISTER_ROLES`), checked on the router.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from activities.register_lists import (
    PAGE, MAX_EXPORT, RegisterFilter, breach_entry, breach_years, case_timeline, list_breaches, list_requests,
    request_years,
)
from domain.requests.model import RequestType
from web.accounts import Account
from web.organisations import check_case, list_filter
from web.app import render
from web.register_view import (
    BREACH_FIELDS, COPENHAGEN, REQUEST_FIELDS, breach_table_row, date_da, register_csv, report_events,
    report_fields, request_table_row, request_type_da,
)
from web.roles import REGISTER_ROLES
from web.security import current_user, require

router = APIRouter(dependencies=[Depends(require(*REGISTER_ROLES))])

STATUS = {"aabne": False, "lukkede": True, "alle": None}
YES_NO = {"ja": True, "nej": False}


class Query:
    """The filters as the page's GET form sends them; anything unknown means "any"."""

    def __init__(self, request: Request, organisations: set[str] | None = None) -> None:
        self.organisations = organisations
        q = request.query_params
        status, notified = q.get("status", "alle"), q.get("anmeldt", "")
        self.status = status if status in STATUS else "alle"
        year = q.get("aar", "")
        self.year = int(year) if year.isdigit() and 1900 < int(year) < 3000 else None
        self.notified = notified if notified in YES_NO else ""
        self.type = q.get("type") if q.get("type") in {t.value for t in RequestType} else ""
        page = q.get("side", "1")
        self.page = max(1, int(page)) if page.isdigit() and len(page) < 7 else 1

    def filter(self) -> RegisterFilter:
        return RegisterFilter(closed=STATUS[self.status], year=self.year,
                              notified=YES_NO.get(self.notified), request_type=self.type or None,
                              organisations=sorted(self.organisations) if self.organisations is not None else None)

    def params(self, **changes) -> str:
        values = {"status": self.status, "aar": self.year or "", "anmeldt": self.notified, "type": self.type,
                  "side": self.page} | changes
        defaults = {"status": "alle", "side": 1}  # left out, so the plain address is the first page of everything
        return urlencode({k: v for k, v in values.items() if v not in ("", None) and defaults.get(k) != v})


def _paging(query: Query, base: str, total_after: int) -> dict:
    return {"previous": f"{base}?{query.params(side=query.page - 1)}" if query.page > 1 else None,
            "next": f"{base}?{query.params(side=query.page + 1)}" if total_after else None}


def _today() -> str:
    return datetime.now(COPENHAGEN).strftime("%Y-%m-%d")


def _csv_response(text: str, name: str) -> Response:
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}-{_today()}.csv"',
                             "Cache-Control": "no-store"})


@router.get("/register/brud", response_class=HTMLResponse)
async def breaches(request: Request, user: Account = Depends(current_user)) -> HTMLResponse:
    query = Query(request, list_filter(request, user))
    engine = request.app.state.engine
    page = list_breaches(engine, query.filter(), limit=PAGE, offset=(query.page - 1) * PAGE)
    return render(request, "register_breaches.html", user, rows=[breach_table_row(e) for e in page.rows],
                  total=page.total, rest=page.rest, q=query, years=breach_years(engine),
                  paging=_paging(query, "/register/brud", page.rest),
                  csv_href="/register/brud.csv" + (f"?{query.params(side=1)}" if query.params(side=1) else ""))


@router.get("/register/brud.csv")
async def breaches_csv(request: Request, user: Account = Depends(current_user)) -> Response:
    """The whole filtered register (no pages), every field."""
    page = list_breaches(request.app.state.engine, Query(request, list_filter(request, user)).filter(), limit=MAX_EXPORT)
    return _csv_response(register_csv(BREACH_FIELDS, page.rows), "brudregister")


@router.get("/register/anmodninger", response_class=HTMLResponse)
async def requests(request: Request, user: Account = Depends(current_user)) -> HTMLResponse:
    query = Query(request, list_filter(request, user))
    engine = request.app.state.engine
    page = list_requests(engine, query.filter(), limit=PAGE, offset=(query.page - 1) * PAGE)
    return render(request, "register_requests.html", user, rows=[request_table_row(e) for e in page.rows],
                  total=page.total, rest=page.rest, q=query, years=request_years(engine),
                  types=[(t.value, request_type_da(t.value)) for t in RequestType],
                  paging=_paging(query, "/register/anmodninger", page.rest),
                  csv_href="/register/anmodninger.csv" + (f"?{query.params(side=1)}" if query.params(side=1) else ""))


@router.get("/register/anmodninger.csv")
async def requests_csv(request: Request, user: Account = Depends(current_user)) -> Response:
    page = list_requests(request.app.state.engine, Query(request, list_filter(request, user)).filter(), limit=MAX_EXPORT)
    return _csv_response(register_csv(REQUEST_FIELDS, page.rows), "anmodningsregister")


@router.get("/brud/{case_id}/rapport", response_class=HTMLResponse)
async def case_report(request: Request, case_id: str, user: Account = Depends(current_user)) -> HTMLResponse:
    """The case for Datatilsynet, printable: the register entry, the decisions and who made them, the
    timeline, and the approved drafts when Temporal still has the case."""
    from web.routes.breaches import _check_id

    _check_id(case_id)
    check_case(request, user, case_id)
    engine = request.app.state.engine
    entry = breach_entry(engine, case_id)
    if entry is None:
        raise HTTPException(status_code=404, detail=f"Sagen {case_id} findes ikke i registeret.")
    timeline, decisions = report_events(case_timeline(engine, case_id))
    drafts = await _approved_drafts(request, case_id)
    return render(request, "register_report.html", user, entry=entry, fields=report_fields(entry),
                  timeline=timeline, decisions=decisions, drafts=drafts, printed=date_da(datetime.now(COPENHAGEN)))


async def _approved_drafts(request: Request, case_id: str) -> list[dict] | None:
    """The approved drafts' texts, which only the case in Temporal holds; None when it cannot be asked
    (Temporal away, or the case's history gone after its retention period)."""
    from domain.breach.model import DraftStatus
    from web.app import temporal
    from web.routes.breaches import draft_history
    from workflows.breach import BreachCaseWorkflow

    try:
        client = await asyncio.wait_for(temporal(request), timeout=5)
        details = await asyncio.wait_for(client.get_workflow_handle(case_id).query(BreachCaseWorkflow.details),
                                         timeout=5)
    except Exception:  # noqa: BLE001 - the report stands on the register; the drafts are extra
        return None
    approved = {(d.kind, d.version) for d in details.drafts if d.status is DraftStatus.APPROVED}
    return [d for d, draft in zip(draft_history(details), details.drafts) if (draft.kind, draft.version) in approved]
