"""Breach cases in the browser: report one (any employee), see one, act on it in your role."""

from __future__ import annotations

import difflib
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from temporalio.client import Client

from domain.breach.machine import BREACH, COMMAND_TYPES, Trigger
from domain.kernel.case_ids import is_case_id
from domain.breach.case import KIND_DA
from domain.kernel.deadlines import format_da
from domain.breach.model import BreachReport, DraftKind
from domain.breach.proposal import LEVEL_LABEL_DA
from domain.breach.view import ROLE_DA
from app.cli.breach import open_breach
from web.accounts import Account
from web.acting import actor_for, run_action
from web.app import render, temporal
from web.forms import errors_da, form_for, parse_form, refill
from web.labels import ACTION_DA
from web.organisations import check_case, pick, served
from web.routes.tasks import urgency
from web.roles import WebRole
from web.security import current_user, require
from workflows.breach import BreachCaseWorkflow

router = APIRouter()
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
REPORT_FIELDS_DA = {
    "what_happened": "Hvad er der sket?", "aware_at": "Hvornår blev du opmærksom på det?",
    "affected_people": "Hvem er berørt?", "affected_data": "Hvilke oplysninger er berørt?",
    "how_discovered": "Hvordan blev det opdaget?",
}


def _local_now() -> str:
    return datetime.now(COPENHAGEN).strftime("%Y-%m-%dT%H:%M")


@router.get("/brud/ny", response_class=HTMLResponse)
async def report_form(request: Request, organisation: str | None = None,
                      user: Account = Depends(current_user)) -> HTMLResponse:
    chosen, options = pick(request, user, organisation)
    if chosen is None:
        return render(request, "choose_organisation.html", user, heading="Anmeld et brud", path="/brud/ny",
                      organisations=options)
    return render(request, "report.html", user, values={"aware_at": _local_now()}, errors={},
                  labels=REPORT_FIELDS_DA, organisation=chosen, several=len(options) > 1)


@router.post("/brud/ny")
async def report(request: Request, user: Account = Depends(current_user), client: Client = Depends(temporal),
                 what_happened: str = Form(""), aware_at: str = Form(""), affected_people: str = Form(""),
                 affected_data: str = Form(""), how_discovered: str = Form(""),
                 organisation: str = Form("")) -> Response:
    """Any logged-in person may report, in an organisation they work in; the reporter is the login."""
    chosen, options = pick(request, user, organisation or None)
    if chosen is None:  # several, and the form named none of them (or one the login does not work in)
        raise HTTPException(status_code=403, detail="Vælg en organisation, du arbejder i.")
    values = {"what_happened": what_happened, "aware_at": aware_at, "affected_people": affected_people,
              "affected_data": affected_data, "how_discovered": how_discovered}
    errors = {name: "Skal udfyldes" for name, value in values.items() if not value.strip()}
    aware = None
    if aware_at.strip():
        try:
            aware = datetime.fromisoformat(aware_at).replace(tzinfo=COPENHAGEN).astimezone(timezone.utc)
        except ValueError:
            errors["aware_at"] = "Angiv dato og klokkeslæt"
        else:
            if aware > datetime.now(timezone.utc):
                errors["aware_at"] = "Kan ikke ligge i fremtiden"
    if not errors:
        try:
            breach = BreachReport.model_validate({
                "reporter": {"name": user.name, "email": user.email}, "aware_at": aware,
                "what_happened": what_happened, "how_discovered": how_discovered,
                "affected_people": affected_people, "affected_data": affected_data})
        except ValidationError as err:
            errors = {str(e["loc"][0]): "Ugyldig værdi" for e in err.errors()}
    if errors:  # everything typed comes back, with the reason next to each field
        return render(request, "report.html", user, status_code=422, values=values, errors=errors,
                      labels=REPORT_FIELDS_DA, organisation=chosen, several=len(options) > 1)
    view = await open_breach(client, request.app.state.settings, breach, served(request), chosen.id)
    return render(request, "report_done.html", user, case_id=view.case_id)


# --- a case: what it is, what I may do now -------------------------------------------------


def form_values(form) -> dict[str, str | list[str]]:
    """Starlette's multi-dict as the mapping web/forms.py reads: repeated names become lists."""
    out: dict[str, str | list[str]] = {}
    for key in form.keys():
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        out[key] = values if len(values) > 1 else (values[0] if values else "")
    return out


def draft_history(details) -> list[dict]:
    """Every draft version, with what changed since the version before of the same kind."""
    out: list[dict] = []
    previous: dict[DraftKind, str] = {}
    for draft in details.drafts:
        text = draft.text_da or ""
        before = previous.get(draft.kind)
        diff = None
        if before is not None:
            diff = [(line[0], line[2:]) for line in difflib.ndiff(before.splitlines(), text.splitlines())
                    if line[:1] in "+- "]
        previous[draft.kind] = text
        status = {"in_review": "til godkendelse", "approved": "godkendt", "rejected": "afvist"}[draft.status.value]
        out.append({"title": f"Udkast {draft.version} til {KIND_DA[draft.kind]}", "status": status,
                    "author": draft.author.name, "reviewed_by": draft.reviewed_by.name if draft.reviewed_by else None,
                    "comments": draft.review_comments, "text": text, "diff": diff})
    return out


async def _case_page(request: Request, user: Account, client: Client, case_id: str, *, open_action: str | None = None,
                     values: dict | None = None, errors: dict | None = None, refusal: str | None = None,
                     status_code: int = 200) -> HTMLResponse:
    handle = client.get_workflow_handle(case_id)
    try:
        view = await handle.query(BreachCaseWorkflow.view)
        details = await handle.query(BreachCaseWorkflow.details)
    except Exception:  # noqa: BLE001 - an unknown case id is "not found", whatever the SDK raises
        return render(request, "error.html", user, status_code=404, message=f"Sagen {case_id} findes ikke.")
    actions = []
    for name in view.allowed_actions:
        trigger = Trigger(name)
        if actor_for(user, BREACH, trigger) is None:
            continue
        model = COMMAND_TYPES[trigger]
        given = refill(model, values) if open_action == name and values is not None else None
        actions.append({"name": name, "label": ACTION_DA[trigger], "fields": form_for(model, given),
                        "open": open_action == name, "errors": (errors or {}) if open_action == name else {}})
    css, left = urgency(view.deadline, view.as_of, view.deadline_met)
    return render(request, "case.html", user, status_code=status_code, view=view, actions=actions,
                  proposal=_proposal(view),
                  drafts=draft_history(details), deadline=format_da(view.deadline), left=left, css=css,
                  timeline=[{"at": format_da(e.at), "who": e.actor.name, "role": ROLE_DA[e.actor.role], "what": e.summary}
                            for e in view.timeline],
                  refusal=refusal, path=f"/brud/{case_id}")


def _proposal(view) -> dict | None:
    """The engine's proposal while the notification decision is open (as `gdpr case show` prints it)."""
    p = view.proposal
    if p is None or view.state not in ("fact_finding", "awaiting_suppliers"):
        return None
    yes_no = {True: "ja", False: "nej"}
    return {"level": LEVEL_LABEL_DA[p.level], "severity": f"{p.severity:g}".replace(".", ","),
            "severity_level": p.severity_level, "authority": yes_no[p.notify_authority],
            "subjects": yes_no[p.notify_subjects], "reasons": p.reasons_da}


# Who may read a breach case: the people in its procedure. An employee who reported one sees the receipt,
# not the case (it holds what others reported, and decisions about them).
CASE_READERS = (WebRole.KEY_PERSON, WebRole.DPO, WebRole.MANAGEMENT)


@router.get("/brud/{case_id}", response_class=HTMLResponse)
async def case_page(request: Request, case_id: str, user: Account = Depends(require(*CASE_READERS)),
                    client: Client = Depends(temporal)) -> HTMLResponse:
    _check_id(case_id)
    check_case(request, user, case_id)
    return await _case_page(request, user, client, case_id)


@router.post("/brud/{case_id}/handling/{action}")
async def act(request: Request, case_id: str, action: str, user: Account = Depends(current_user),
              client: Client = Depends(temporal)) -> Response:
    """An action in the case: the role is the server's choice from the login; the workflow's validator decides."""
    _check_id(case_id)
    check_case(request, user, case_id)
    try:
        trigger = Trigger(action)
    except ValueError:
        raise HTTPException(status_code=404, detail="Den handling findes ikke.") from None
    actor = actor_for(user, BREACH, trigger)
    if actor is None:  # refused here: nothing reaches the case's history
        raise HTTPException(status_code=403, detail="Du har ikke en rolle, der må udføre denne handling.")
    values = form_values(await request.form())
    model = COMMAND_TYPES[trigger]
    try:
        command = model.model_validate(parse_form(model, values, actor))
    except ValidationError as err:
        return await _case_page(request, user, client, case_id, open_action=action, values=values,
                                errors=errors_da(err, model), status_code=422)
    refusal = await run_action(client, case_id, trigger, command)
    if refusal is not None:
        return await _case_page(request, user, client, case_id, open_action=action, values=values,
                                refusal=refusal, status_code=409)
    return RedirectResponse(f"/brud/{case_id}", status_code=303)


def _check_id(case_id: str) -> None:
    if not is_case_id(case_id, "breach"):
        raise HTTPException(status_code=404, detail="Sagen findes ikke.")
