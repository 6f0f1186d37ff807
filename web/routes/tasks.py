"""'Mine opgaver': what waits for me, the most urgent first, coloured by the time left."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from activities.case_index import list_cases
from domain.case_index import current_task_da
from domain.kernel.deadlines import format_da
from domain.kernel.model import Role
from domain.breach.view import ROLE_DA
from web.accounts import Account
from web.acting import case_roles
from web.app import render
from web.organisations import list_filter
from web.roles import WebRole
from web.security import current_user

router = APIRouter()
KIND_DA = {"breach": "Brud", "request": "Anmodning"}
PATH = {"breach": "brud", "request": "anmodning"}


def urgency(deadline: datetime, now: datetime, met: bool) -> tuple[str, str]:
    """CSS class and words for the time left: more than 24 hours, less than 24, less than 2, overdue."""
    left = deadline - now
    if met:
        return "over24", "fristen er overholdt"
    if left < timedelta(0):
        return "overdue", "overskredet"
    hours = left.total_seconds() / 3600
    minutes = int(left.total_seconds() // 60)
    words = (f"{minutes // 60} t {minutes % 60} min" if hours < 48
             else f"{left.days} dage {left.seconds // 3600} t")  # 71 hours is nearly three days, not "2 dage"
    return ("under2" if hours < 2 else "under24" if hours < 24 else "over24"), words


# Who may see every open case of a kind, not only those waiting for them: the kind's readers.
READERS = {"breach": {WebRole.KEY_PERSON, WebRole.DPO, WebRole.MANAGEMENT}, "request": {WebRole.KEY_PERSON, WebRole.DPO}}
KIND_PARAM = {"brud": "breach", "anmodninger": "request"}
PAGE = 50


def _role_da(value: str | None) -> str:
    if value is None:
        return "ingen"
    try:
        return ROLE_DA[Role(value)]
    except ValueError:
        return value


@router.get("/", response_class=HTMLResponse)
async def my_tasks(request: Request, vis: str = "", alle: bool = False, side: int = 1,
                   user: Account = Depends(current_user)) -> HTMLResponse:
    """Mine opgaver: what waits for me, most urgent first; or, for a kind's readers, every open case of it."""
    kind = KIND_PARAM.get(vis)
    may_see_all = any(roles & set(user.roles) for roles in READERS.values())
    readable = [k for k, roles in READERS.items() if roles & set(user.roles) and kind in (None, k)]
    show_all = alle and bool(readable)
    side = max(1, side)
    if show_all and len(readable) == 1:
        kind = readable[0]  # management reads breaches only
    roles = None if show_all else {role.value for role in case_roles(user)}
    page = list_cases(request.app.state.engine, next_roles=roles, kind=kind, organisation=list_filter(request, user),
                      limit=PAGE, offset=(side - 1) * PAGE)
    now = datetime.now(timezone.utc)
    rows = []
    for row in page.rows:
        css, left = urgency(row.deadline, now, row.deadline_met)
        rows.append({"href": f"/{PATH[row.kind.value]}/{row.case_id}", "case_id": row.case_id,
                     "kind": KIND_DA[row.kind.value], "task": current_task_da(row), "deadline": format_da(row.deadline),
                     "left": left, "css": css, "who": _role_da(row.next_role)})
    first = (side - 1) * PAGE + 1
    query = {"vis": vis if kind else "", "alle": "1" if show_all else ""}
    link = lambda n: "/?" + urlencode({**{k: v for k, v in query.items() if v}, "side": n})  # noqa: E731
    return render(request, "tasks.html", user, rows=rows, total=page.total, first=first, last=first + len(rows) - 1,
                  vis=vis if kind else "", show_all=show_all, may_see_all=may_see_all,
                  previous=link(side - 1) if side > 1 else None,
                  next=link(side + 1) if first - 1 + len(rows) < page.total else None)
