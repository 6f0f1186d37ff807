"""Data-subject requests in the browser: receive one (key person, DPO), see it, act on it in your role,
and a system owner's manual task in a system.

Routes stay thin: the intake calls `app.cli.requests.open_request`, the one application function the CLI's
`gdpr request submit` calls too; the actions are the workflow's updates with the forms from their models.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from temporalio.client import Client

from domain.kernel.deadlines import format_da
from domain.kernel.case_ids import is_case_id
from domain.requests.machine import COMMAND_TYPES, REQUEST, RequestTrigger
from domain.requests.model import TYPE_DA, CompleteManualTask, RequestCase, RequestInput, RequestView, SystemStatus
from domain.requests.texts import statements_for
from domain.kernel.model import Role, ShortText
from domain.requests.person import identifier_problems, kind_da, known_identifier_kinds
from domain.breach.view import ROLE_DA
from web.accounts import Account
from web.acting import actor_for, run_action
from web.organisations import check_case, pick, served
from web.app import render, temporal
from web.forms import errors_da, form_for, parse_form, refill, to_form
from web.labels import ACTION_DA
from web.roles import WebRole
from web.routes.breaches import form_values
from web.routes.tasks import urgency
from web.security import current_user, require

router = APIRouter()
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
T = RequestTrigger
# What the intake form does not ask: the number is taken on receipt, policy and inventory come from the
# settings, and the identifiers are pairs the form builds by hand (a dict has no generated input).
INTAKE_EXCLUDE = frozenset({"request_id", "identifiers", "policy", "inventory"})
# Never a person's action: the engine reports that every system is done. Manual tasks have their own page.
NOT_OFFERED = {T.SYSTEMS_DONE, T.COMPLETE_MANUAL_TASK}
INTAKE_ROLES = (WebRole.KEY_PERSON, WebRole.DPO)
EARLIER_COPY_DA = {
    "not_found": "Der findes ingen anmodning med det nummer.",
    "no_copy_given": "Den tidligere anmodning er ikke en besvaret anmodning om indsigt, der gav en kopi.",
    "other_person": "Den tidligere anmodning handler om en anden person (ingen fælles oplysninger).",
}
_SHORT_TEXT = TypeAdapter(ShortText)


def _inventory(request: Request, organisation):
    return request.app.state.organisations.inventory(organisation)


def _local_now() -> str:
    return datetime.now(COPENHAGEN).strftime("%Y-%m-%dT%H:%M")


def _check_id(request_id: str) -> None:
    if not is_case_id(request_id, "request"):
        raise HTTPException(status_code=404, detail="Anmodningen findes ikke.")


# --- intake ----------------------------------------------------------------------------------------


def _identifier_rows(form: Any | None) -> list[tuple[str, str]]:
    """The (kind, value) pairs as typed, in order; blank rows dropped."""
    if form is None:
        return []
    kinds, values = form.getlist("id_kind"), form.getlist("id_value")
    rows = [(str(k).strip(), str(v).strip()) for k, v in zip(kinds, values)]
    return [(k, v) for k, v in rows if k or v]


def _identifier_errors(rows: list[tuple[str, str]], inventory) -> str | None:
    """The identifiers in Danish: the domain decides which kinds the inventory knows."""
    if not rows:
        return "Angiv mindst én oplysning, personen kan findes ved i systemerne."
    kinds = [k for k, _ in rows]
    if any(not k for k in kinds):
        return "Vælg hvilken slags oplysning hver værdi er."
    if any(not v for _, v in rows):
        return "Udfyld værdien for hver valgt slags oplysning."
    if len(set(kinds)) != len(kinds):
        return "Hver slags oplysning må kun stå én gang."
    try:
        for _, value in rows:
            _SHORT_TEXT.validate_python(value)
    except ValidationError:
        return "En værdi er for lang (højst 500 tegn)."
    if identifier_problems(dict(rows), inventory):
        return "Personen kan kun findes ved de slags oplysninger, systemerne kender; vælg en af dem."
    return None


def _intake_page(request: Request, user: Account, inventory, values: dict | None, rows: list[tuple[str, str]],
                 errors: dict[str, str], status_code: int = 200, organisation=None, several: bool = False
                 ) -> HTMLResponse:
    if values is None:
        given: dict = {"received_at": _local_now()}
    else:  # as parse_form reads it, but the time exactly as typed (also when it is not a valid time)
        given = {**to_form(parse_form(RequestInput, values, exclude=INTAKE_EXCLUDE), RequestInput,
                           exclude=INTAKE_EXCLUDE), "received_at": values.get("received_at", "")}
    fields = form_for(RequestInput, given, exclude=INTAKE_EXCLUDE)
    for f in fields:
        if f.name == "subject_name":
            f.required = False  # empty: the requester is the person the data are about
    kinds = [(kind, kind_da(kind)[:1].upper() + kind_da(kind)[1:]) for kind in sorted(known_identifier_kinds(inventory))]
    rows = rows + [("", "")] * max(1, 3 - len(rows))
    summary = [message for message in dict.fromkeys(errors.values())]
    return render(request, "request_new.html", user, status_code=status_code, fields=fields, kinds=kinds,
                  rows=rows, errors=errors, summary=summary, organisation=organisation, several=several)


@router.get("/anmodning/ny", response_class=HTMLResponse)
async def intake_form(request: Request, organisation: str | None = None,
                      user: Account = Depends(require(*INTAKE_ROLES))) -> HTMLResponse:
    chosen, options = pick(request, user, organisation)
    if chosen is None:
        return render(request, "choose_organisation.html", user, heading="Ny anmodning", path="/anmodning/ny",
                      organisations=options)
    return _intake_page(request, user, _inventory(request, chosen), None, [], {}, organisation=chosen,
                        several=len(options) > 1)


@router.post("/anmodning/ny")
async def intake(request: Request, user: Account = Depends(require(*INTAKE_ROLES)),
                 client: Client = Depends(temporal)) -> Response:
    from app.cli.requests import EarlierCopyRefused, open_request, receive

    form = await request.form()
    wanted = form.get("organisation")
    chosen, options = pick(request, user, wanted if isinstance(wanted, str) and wanted else None)
    if chosen is None:  # several, and the form named none the login works in
        raise HTTPException(status_code=403, detail="Vælg en organisation, du arbejder i.")
    inventory = _inventory(request, chosen)
    values = form_values(form)
    rows = _identifier_rows(form)
    errors: dict[str, str] = {}
    fields = parse_form(RequestInput, values, exclude=INTAKE_EXCLUDE)
    if "subject_name" not in fields and isinstance(fields.get("requester"), dict) and fields["requester"].get("name"):
        fields["subject_name"] = fields["requester"]["name"]
    id_error = _identifier_errors(rows, inventory)
    if id_error:
        errors["identifiers"] = id_error
    # With the identifiers refused above, a known kind stands in so every other field is still checked.
    stand_in = {sorted(known_identifier_kinds(inventory))[0]: "x"}
    fields["identifiers"] = stand_in if id_error else dict(rows)
    try:
        inp = receive(request.app.state.settings, fields, inventory)
    except ValidationError as err:
        errors = {**errors_da(err, RequestInput), **errors}
    else:
        if inp.received_at > datetime.now(timezone.utc):
            errors["received_at"] = "Kan ikke ligge i fremtiden."
    if not errors:
        try:
            view = await open_request(client, request.app.state.settings, fields, inventory, served(request),
                                      chosen.id)
        except EarlierCopyRefused as err:
            errors["further_copy_of"] = EARLIER_COPY_DA[err.reason]
    if errors:  # everything typed comes back, with the reason next to each field
        return _intake_page(request, user, inventory, values, rows, errors, status_code=422, organisation=chosen,
                            several=len(options) > 1)
    return render(request, "request_done.html", user, request_id=view.request_id, deadline=format_da(view.deadline))


# --- the request page -------------------------------------------------------------------------------


async def _load(client: Client, request_id: str) -> tuple[RequestView, RequestCase] | None:
    from workflows.request import DataSubjectRequestWorkflow

    handle = client.get_workflow_handle(request_id)
    try:
        return (await handle.query(DataSubjectRequestWorkflow.view),
                await handle.query(DataSubjectRequestWorkflow.details))
    except Exception:  # noqa: BLE001 - an unknown id is "not found", whatever the SDK raises
        return None


def _role_da(role: Role) -> str:
    return "den registrerede" if role is Role.REPORTER else ROLE_DA[role]


def owns_or_runs(user: Account, system) -> bool:
    """A system owner works the tasks of the systems the inventory names them owner of; the nøgleperson and
    the DPO may record any (they run the request). A role alone is not enough: it is the login's system."""
    if {WebRole.KEY_PERSON, WebRole.DPO} & set(user.roles):
        return True
    return WebRole.SYSTEM_OWNER in user.roles and str(system.owner.email).lower() == user.email.lower()


def _manual_tasks(case: RequestCase, request_id: str, user: Account) -> list[dict]:
    may_complete = actor_for(user, REQUEST, T.COMPLETE_MANUAL_TASK) is not None
    out = []
    for slot in case.systems:
        if not slot.manual or not owns_or_runs(user, case.inp.inventory.system(slot.system_id)):
            continue
        done = slot.status is SystemStatus.DONE
        out.append({"name": case.inp.inventory.system(slot.system_id).name, "done": done,
                    "by": slot.completed_by.name if slot.completed_by else None,
                    "at": format_da(slot.completed_at) if slot.completed_at else None,
                    "result": slot.manual_result,
                    "href": f"/anmodning/{request_id}/opgave/{slot.system_id}"
                    if may_complete and not done and case.state == "processing" else None})
    return out


def _answers(case: RequestCase) -> list[dict]:
    status = {None: "til godkendelse", True: "godkendt og sendt", False: "afvist"}
    return [{"title": f"Svar, udgave {a.version}" + (" (afslag)" if a.refusal else ""), "status": status[a.approved],
             "reviewed_by": a.reviewed_by.name if a.reviewed_by else None, "comments": a.comments, "text": a.text_da}
            for a in reversed(case.answers)]


async def _request_page(request: Request, user: Account, client: Client, request_id: str, *,
                        open_action: str | None = None, values: dict | None = None, errors: dict | None = None,
                        refusal: str | None = None, status_code: int = 200) -> HTMLResponse:
    loaded = await _load(client, request_id)
    if loaded is None:
        return render(request, "error.html", user, status_code=404, message=f"Anmodningen {request_id} findes ikke.")
    view, case = loaded
    full = bool({WebRole.KEY_PERSON, WebRole.DPO} & set(user.roles))  # a system owner sees only the tasks
    actions = []
    for name in view.allowed_actions:
        trigger = T(name)
        if trigger in NOT_OFFERED or actor_for(user, REQUEST, trigger) is None:
            continue
        model = COMMAND_TYPES[trigger]
        given = refill(model, values) if open_action == name and values is not None else None
        actions.append({"name": name, "label": ACTION_DA[trigger], "fields": form_for(model, given),
                        "open": open_action == name, "errors": (errors or {}) if open_action == name else {}})
    css, left = urgency(view.deadline, view.as_of, case.answered_at is not None)
    return render(
        request, "request.html", user, status_code=status_code, view=view, full=full, actions=actions,
        state=view.state_label_da, type_da=TYPE_DA[view.type], deadline=format_da(view.deadline), left=left, css=css,
        received=format_da(view.received_at), tasks=_manual_tasks(case, request_id, user),
        answers=_answers(case) if full else [], requester=case.inp.requester.name if full else None,
        timeline=[{"at": format_da(e.at), "who": e.actor.name, "role": _role_da(e.actor.role), "what": e.summary}
                  for e in view.timeline] if full else [],
        refusal=refusal, path=f"/anmodning/{request_id}")


@router.get("/anmodning/{request_id}", response_class=HTMLResponse)
async def request_page(request: Request, request_id: str,
                       user: Account = Depends(require(WebRole.KEY_PERSON, WebRole.DPO, WebRole.SYSTEM_OWNER)),
                       client: Client = Depends(temporal)) -> HTMLResponse:
    _check_id(request_id)
    check_case(request, user, request_id)
    return await _request_page(request, user, client, request_id)


@router.post("/anmodning/{request_id}/handling/{action}")
async def act(request: Request, request_id: str, action: str, user: Account = Depends(current_user),
              client: Client = Depends(temporal)) -> Response:
    """An action on the request: the role is the server's choice from the login; the workflow's validator decides."""
    _check_id(request_id)
    check_case(request, user, request_id)
    try:
        trigger = T(action)
    except ValueError:
        raise HTTPException(status_code=404, detail="Den handling findes ikke.") from None
    actor = actor_for(user, REQUEST, trigger)  # systems_done: the engine's own step, no login holds its role
    if actor is None:  # refused here: nothing reaches the request's history
        raise HTTPException(status_code=403, detail="Du har ikke en rolle, der må udføre denne handling.")
    values = form_values(await request.form())
    model = COMMAND_TYPES[trigger]
    try:
        command = model.model_validate(parse_form(model, values, actor))
    except ValidationError as err:
        return await _request_page(request, user, client, request_id, open_action=action, values=values,
                                   errors=errors_da(err, model), status_code=422)
    refusal = await run_action(client, request_id, trigger, command)
    if refusal is not None:
        return await _request_page(request, user, client, request_id, open_action=action, values=values,
                                   refusal=refusal, status_code=409)
    return RedirectResponse(f"/anmodning/{request_id}", status_code=303)


# --- a system owner's manual task ------------------------------------------------------------------

TASK_EXCLUDE = frozenset({"actor", "system_id"})


async def _task_page(request: Request, user: Account, client: Client, request_id: str, system_id: str, *,
                     values: dict | None = None, errors: dict | None = None, refusal: str | None = None,
                     status_code: int = 200) -> HTMLResponse:
    loaded = await _load(client, request_id)
    if loaded is None:
        return render(request, "error.html", user, status_code=404, message=f"Anmodningen {request_id} findes ikke.")
    view, case = loaded
    slot = next((s for s in case.systems if s.system_id == system_id and s.manual), None)
    if slot is None:
        return render(request, "error.html", user, status_code=404,
                      message="Der er ingen opgave i det system i denne anmodning.")
    system = case.inp.inventory.system(system_id)
    if not owns_or_runs(user, system):
        return render(request, "error.html", user, status_code=403,
                      message="Opgaven hører til et system, du ikke er ejer af.")
    reasons: list[str] = []
    if case.resolution is not None and case.resolution.needs_review(system_id):
        found = case.resolution.system(system_id)
        reasons = found.reasons_da() if found else []
    open_task = slot.status is SystemStatus.PENDING and view.state == "processing"
    given = refill(CompleteManualTask, values) if values is not None else None
    css, left = urgency(view.deadline, view.as_of, case.answered_at is not None)
    return render(
        request, "request_task.html", user, status_code=status_code, request_id=request_id, system=system,
        type_da=TYPE_DA[case.type], deadline=format_da(view.deadline), left=left, css=css,
        identifiers=[(kind_da(k), v) for k, v in sorted(case.inp.identifiers.items())],
        instructions=system.connector.instructions if system.connector.kind == "manual" else None,
        statements=[s.statement for s in statements_for(case, system_id)], reasons=reasons,
        erasure=case.type.value == "erasure", open_task=open_task,
        done={"by": slot.completed_by.name if slot.completed_by else None, "result": slot.manual_result,
              "kept": slot.kept_reason, "at": format_da(slot.completed_at) if slot.completed_at else None},
        fields=form_for(CompleteManualTask, given, exclude=TASK_EXCLUDE) if open_task else [],
        errors=errors or {}, refusal=refusal, label=ACTION_DA[T.COMPLETE_MANUAL_TASK])


TASK_ROLES = (WebRole.SYSTEM_OWNER, WebRole.KEY_PERSON, WebRole.DPO)


@router.get("/anmodning/{request_id}/opgave/{system_id}", response_class=HTMLResponse)
async def task_page(request: Request, request_id: str, system_id: str,
                    user: Account = Depends(require(*TASK_ROLES)), client: Client = Depends(temporal)) -> HTMLResponse:
    _check_id(request_id)
    check_case(request, user, request_id)
    return await _task_page(request, user, client, request_id, system_id)


async def task_owner_refusal(client: Client, request_id: str, system_id: str, user: Account) -> str | None:
    """Why this login may not record the system's task (a system owner of another system), else None.
    The page and the API both ask before anything reaches the request."""
    loaded = await _load(client, request_id)
    if loaded is None:
        return None  # the workflow answers for an unknown request
    try:
        system = loaded[1].inp.inventory.system(system_id)
    except (KeyError, ValueError, StopIteration):
        return None  # the workflow's validator names an unknown system
    return None if owns_or_runs(user, system) else "Opgaven hører til et system, du ikke er ejer af."


@router.post("/anmodning/{request_id}/opgave/{system_id}")
async def complete_task(request: Request, request_id: str, system_id: str, user: Account = Depends(current_user),
                        client: Client = Depends(temporal)) -> Response:
    """The owner records what was found and done; the procedure's table says which roles may."""
    _check_id(request_id)
    check_case(request, user, request_id)
    actor = actor_for(user, REQUEST, T.COMPLETE_MANUAL_TASK)
    if actor is None:
        raise HTTPException(status_code=403, detail="Du har ikke en rolle, der må udføre denne handling.")
    refusal = await task_owner_refusal(client, request_id, system_id, user)
    if refusal is not None:  # refused here: nothing reaches history
        raise HTTPException(status_code=403, detail=refusal)
    values = form_values(await request.form())
    try:
        command = CompleteManualTask.model_validate(
            {**parse_form(CompleteManualTask, values, actor, exclude=TASK_EXCLUDE), "system_id": system_id})
    except ValidationError as err:
        return await _task_page(request, user, client, request_id, system_id, values=values,
                                errors=errors_da(err, CompleteManualTask), status_code=422)
    refusal = await run_action(client, request_id, T.COMPLETE_MANUAL_TASK, command)
    if refusal is not None:
        return await _task_page(request, user, client, request_id, system_id, values=values, refusal=refusal,
                                status_code=409)
    return RedirectResponse(f"/anmodning/{request_id}/opgave/{system_id}", status_code=303)
