"""'Mine opgaver': what waits for me, the most urgent first, coloured by the time left."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from activities.case_index import list_cases
from domain.case_index import current_task_da
from domain.deadlines import format_da
from web.accounts import Account
from web.acting import case_roles
from web.app import render
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
    words = f"{int(hours)} t {int(left.total_seconds() // 60 % 60)} min" if hours < 48 else f"{left.days} dage"
    return ("under2" if hours < 2 else "under24" if hours < 24 else "over24"), words


@router.get("/", response_class=HTMLResponse)
async def my_tasks(request: Request, user: Account = Depends(current_user)) -> HTMLResponse:
    roles = {role.value for role in case_roles(user)}
    page = list_cases(request.app.state.engine, next_roles=roles, limit=50)
    now = datetime.now(timezone.utc)
    rows = []
    for row in page.rows:
        css, left = urgency(row.deadline, now, row.deadline_met)
        rows.append({"href": f"/{PATH[row.kind.value]}/{row.case_id}", "case_id": row.case_id,
                     "kind": KIND_DA[row.kind.value], "task": current_task_da(row),
                     "deadline": format_da(row.deadline), "left": left, "css": css})
    return render(request, "tasks.html", user, rows=rows, rest=page.rest)
