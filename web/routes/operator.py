"""'Drift': the operator's page. Effects that failed for good (dead letters), retried or discarded through
their case's workflow with the operator's login as the actor; the Temporal Schedules and when they run
next; links into the Temporal Web UI for every case shown.

Thin like every route: the list is `activities.deadletters.list_dead_letters`, the change is
`app.cli.deadletters.change_letter`, the same functions `gdpr deadletters` uses.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.deadletters import list_dead_letters
from app.cli.deadletters import STATUS_DA, LetterRefused, change_letter
from domain.kernel.dead_letters import KIND_DA, DiscardDeadLetter, EffectKind, RetryDeadLetter, parse_letter_id
from domain.kernel.deadlines import format_da
from domain.kernel.model import Actor, Role
from app.schedules import SCHEDULE_DA
from app.settings import Settings
from web.accounts import Account
from web.app import render, temporal
from web.roles import WebRole
from web.security import require

# Every route here is for operators only; anonymous requests are sent to the login by `require` itself.
router = APIRouter(dependencies=[Depends(require(WebRole.OPERATOR))])
operator = require(WebRole.OPERATOR)


def case_path(case_id: str) -> str:
    return f"/anmodning/{case_id}" if case_id.startswith("dsr-") else f"/brud/{case_id}"


def temporal_ui(settings: Settings, case_id: str | None = None, schedule_id: str | None = None) -> str:
    """The Temporal Web UI's page for a case's workflow (its id is the case id), a schedule, or the namespace."""
    base = f"{settings.temporal_ui_url.rstrip('/')}/namespaces/{quote(settings.temporal_namespace, safe='')}"
    if case_id:
        return f"{base}/workflows/{quote(case_id, safe='')}"
    if schedule_id:
        return f"{base}/schedules/{quote(schedule_id, safe='')}"
    return f"{base}/workflows"


def _letters(request: Request, include_closed: bool) -> list[dict]:
    settings: Settings = request.app.state.settings
    rows = []
    for row in list_dead_letters(request.app.state.engine, include_closed=include_closed):
        case_id = row["case_id"]
        kind = row["effect_kind"]
        rows.append({
            "letter_id": row["letter_id"], "case_id": case_id, "case_href": case_path(case_id),
            "temporal_href": temporal_ui(settings, case_id=case_id),
            "kind": KIND_DA[EffectKind(kind)] if kind in {k.value for k in EffectKind} else kind,
            "failed_at": format_da(row["failed_at"]), "failures": row["failures"],
            "status": STATUS_DA.get(row["status"], row["status"]), "open": row["status"] == "open",
            "error": f"{row['error_type']}: {row['error_message']}",
            "changed_by": row["changed_by"], "reason": row["reason"],
        })
    return rows


async def _schedules(client: Client) -> list[dict]:
    """The schedules the worker sets up (app/schedules.py), described one by one, then any other in the namespace."""
    async def describe(schedule_id: str) -> dict:
        try:
            found = await client.get_schedule_handle(schedule_id).describe()
        except RPCError as err:
            if err.status is RPCStatusCode.NOT_FOUND:
                return {"id": schedule_id, "exists": False}
            raise
        recent = found.info.recent_actions
        return {"id": schedule_id, "exists": True, "paused": found.schedule.state.paused,
                "next": _when(found.info.next_action_times[0] if found.info.next_action_times else None),
                "last": _when(recent[-1].started_at if recent else None)}

    out = list(await asyncio.gather(*(describe(schedule_id) for schedule_id in SCHEDULE_DA)))
    try:
        async for entry in await client.list_schedules():
            if entry.id not in SCHEDULE_DA:
                nexts = entry.info.next_action_times if entry.info else []
                out.append({"id": entry.id, "exists": True, "paused": None, "next": _when(nexts[0] if nexts else None),
                            "last": None})
    except RPCError:  # listing is a visibility query; the known schedules above are already described
        pass
    for row in out:
        row["name"] = SCHEDULE_DA.get(row["id"], "Anden planlagt kørsel")
    return out


def _when(moment: datetime | None) -> str:
    return format_da(moment) if moment else "–"


async def _page(request: Request, user: Account, client: Client, *, include_closed: bool = False,
                status_code: int = 200, refusal: str | None = None, open_letter: str | None = None,
                errors: dict[str, str] | None = None, reason: str = "") -> HTMLResponse:
    settings: Settings = request.app.state.settings
    notice = request.session.pop("drift_notice", None)
    schedules = await _schedules(client)
    for row in schedules:
        row["href"] = temporal_ui(settings, schedule_id=row["id"])
    return render(request, "operator.html", user, status_code=status_code, letters=_letters(request, include_closed),
                  include_closed=include_closed, schedules=schedules, notice=notice, refusal=refusal,
                  open_letter=open_letter, errors=errors or {}, reason=reason, temporal_home=temporal_ui(settings))


@router.get("/drift", response_class=HTMLResponse)
async def operations(request: Request, alle: bool = False, user: Account = Depends(operator),
                     client: Client = Depends(temporal)) -> HTMLResponse:
    return await _page(request, user, client, include_closed=alle)


def actor_of(user: Account) -> Actor:
    """The operator acts as themselves: name and login from the session, never from the form."""
    return Actor(name=user.name, role=Role.OPERATOR, login=user.email)


def _is_open(request: Request, letter_id: str) -> bool:
    """Only an open letter is retried or discarded (the workflow's validator says the same, in English)."""
    return any(row["letter_id"] == letter_id and row["status"] == "open"
               for row in list_dead_letters(request.app.state.engine))


@router.post("/drift/gentag")
async def retry(request: Request, letter_id: str = Form(""), user: Account = Depends(operator),
                client: Client = Depends(temporal)) -> Response:
    return await _change(request, user, client, letter_id.strip(), retry=True)


@router.post("/drift/afvis")
async def discard(request: Request, letter_id: str = Form(""), reason: str = Form(""),
                  user: Account = Depends(operator), client: Client = Depends(temporal)) -> Response:
    return await _change(request, user, client, letter_id.strip(), retry=False, reason=reason)


async def _change(request: Request, user: Account, client: Client, letter_id: str, *, retry: bool,
                  reason: str = "") -> Response:
    try:
        _, number = parse_letter_id(letter_id)
    except ValueError:
        return await _page(request, user, client, status_code=404, refusal="Den fejlede handling findes ikke.")
    if not _is_open(request, letter_id):
        return await _page(request, user, client, status_code=409,
                           refusal=f"{letter_id} er ikke længere åben; siden viser, hvordan den står nu.")
    try:
        command = (RetryDeadLetter(actor=actor_of(user), number=number) if retry
                   else DiscardDeadLetter(actor=actor_of(user), number=number, reason=reason))
    except ValidationError:
        return await _page(request, user, client, status_code=422, open_letter=letter_id, reason=reason,
                           errors={letter_id: "Skriv en begrundelse: hvorfor opgives handlingen, og hvad er gjort "
                                              "i stedet? (mindst 3 tegn, én linje)"})
    try:
        await change_letter(client, request.app.state.engine, letter_id, command)
    except LetterRefused as err:
        return await _page(request, user, client, status_code=409, open_letter=None if retry else letter_id,
                           reason=reason, refusal=str(err))
    request.session["drift_notice"] = (f"{letter_id} gentages nu. Status skifter til løst, når handlingen er lykkedes."
                                       if retry else f"{letter_id} er afvist med din begrundelse.")
    return RedirectResponse("/drift", status_code=303)
