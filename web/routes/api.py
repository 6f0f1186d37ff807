"""The workspace's JSON API for the command line: the same actions as the pages, as the person a token belongs to.

A person creates a personal token in the workspace (/konto) and gives it to `gdpr` (GDPR_TOKEN). Each call
carries it as `Authorization: Bearer …`; the account it belongs to is the actor, with the role the server
chooses from the procedure's table, exactly as for a form. Cookies count for nothing here: without a session
there is nothing a forged cross-site request could borrow, so no CSRF token is needed. Errors are JSON:
`detail` (English, what the CLI prints) and, for a refusal, `detail_da`.
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from domain.breach.machine import BREACH, COMMAND_TYPES as BREACH_COMMANDS, Trigger as BreachTrigger
from domain.kernel.dead_letters import DiscardDeadLetter, RetryDeadLetter, parse_letter_id
from domain.requests.machine import COMMAND_TYPES as REQUEST_COMMANDS, REQUEST, RequestTrigger
from domain.requests.model import RequestView
from domain.kernel.model import ActionResult
from domain.breach.model import BreachReport, CaseView
from domain.kernel.procedure import Procedure
from app.temporal_client import failure_message
from web.accounts import Account, AccountStore
from web.acting import actor_for
from web.app import refusal_text, temporal
from web.organisations import check_case, pick, served
from web.roles import WebRole

router = APIRouter(prefix="/api")
BEARER = "bearer "


def token_user(request: Request) -> Account:
    """The active account of the Bearer token; 401 otherwise (a session cookie is not enough here)."""
    header = request.headers.get("authorization", "")
    token = header[len(BEARER):].strip() if header.lower().startswith(BEARER) else ""
    store: AccountStore = request.app.state.accounts
    account = store.account_for_token(token) if token else None
    if account is None:
        raise HTTPException(status_code=401, headers={"WWW-Authenticate": "Bearer"},
                            detail="a valid personal token is required (create one in the workspace under "
                                   "'Min konto' and set GDPR_TOKEN)")
    return account


def holds(user: Account, *roles: WebRole) -> None:
    if not set(roles) & set(user.roles):
        raise HTTPException(status_code=403, detail="your account holds no role that may do this")


def invalid(err: ValidationError) -> JSONResponse:
    """The field errors as the CLI prints them (`field: message`), nothing else of the input echoed."""
    errors = [{"field": ".".join(str(p) for p in e["loc"]) or "(input)", "message": e["msg"]} for e in err.errors()]
    return JSONResponse({"detail": "invalid input", "errors": errors}, status_code=422)


def in_the_future(field: str) -> JSONResponse:
    """A time that has not come yet, refused in the same shape as a model's field errors."""
    return JSONResponse({"detail": "invalid input", "errors": [{"field": field, "message": "cannot be in the future"}]},
                        status_code=422)


def _fields(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise HTTPException(status_code=422, detail="the body must be a JSON object with the action's fields")
    return body


# --- breaches ----------------------------------------------------------------------------------------


@router.post("/breaches", status_code=201)
async def report_breach(request: Request, body: Any = Body(...), user: Account = Depends(token_user),
                        client: Client = Depends(temporal)) -> Response:
    """Any account may report; the reporter is the token's person, whatever the body says."""
    from app.cli.breach import open_breach

    fields = _fields(body)
    organisation = _organisation(request, user, fields.pop("organisation", None))
    phone = fields.pop("reporter_phone", None)
    fields["reporter"] = {"name": user.name, "email": user.email, "phone": phone}
    try:
        report = BreachReport.model_validate(fields)
    except ValidationError as err:
        return invalid(err)
    if report.aware_at > datetime.now(timezone.utc):
        return in_the_future("aware_at")
    view = await open_breach(client, request.app.state.settings, report, served(request), organisation.id)
    return JSONResponse(view.model_dump(mode="json"), status_code=201)


@router.post("/breaches/{case_id}/actions/{action}")
async def breach_action(request: Request, case_id: str, action: str, body: Any = Body(default_factory=dict),
                        user: Account = Depends(token_user), client: Client = Depends(temporal)) -> Response:
    _check_case(request, user, case_id)
    trigger = _trigger(BreachTrigger, action)
    return await _act(client, user, BREACH, BREACH_COMMANDS, trigger, case_id, _fields(body), CaseView)


# --- data-subject requests ---------------------------------------------------------------------------


@router.post("/requests", status_code=201)
async def submit_request(request: Request, body: Any = Body(...), user: Account = Depends(token_user),
                         client: Client = Depends(temporal)) -> Response:
    """Receive a request (nøgleperson or DPO): the same intake rules as the page and the CLI."""
    from app.cli.requests import EARLIER_COPY_EN, EarlierCopyRefused, open_request
    from web.routes.requests import INTAKE_ROLES

    holds(user, *INTAKE_ROLES)
    fields = _fields(body)
    settings = request.app.state.settings
    organisation = _organisation(request, user, fields.pop("organisation", None))
    inventory = request.app.state.organisations.inventory(organisation)
    try:
        received = datetime.fromisoformat(str(fields.get("received_at", "")))
    except ValueError:
        received = None
    if received is not None and received.tzinfo is not None and received > datetime.now(timezone.utc):
        return in_the_future("received_at")
    try:
        view = await open_request(client, settings, fields, inventory, served(request), organisation.id)
    except ValidationError as err:
        return invalid(err)
    except EarlierCopyRefused as err:
        return JSONResponse({"detail": EARLIER_COPY_EN[err.reason].format(id=err.earlier_id)}, status_code=422)
    except ValueError as err:  # an intake rule outside the model (e.g. an identifier the inventory lacks)
        return JSONResponse({"detail": str(err)}, status_code=422)
    return JSONResponse(view.model_dump(mode="json"), status_code=201)


@router.post("/requests/{request_id}/actions/{action}")
async def request_action(request: Request, request_id: str, action: str, body: Any = Body(default_factory=dict),
                         user: Account = Depends(token_user), client: Client = Depends(temporal)) -> Response:
    from web.routes.requests import task_owner_refusal

    _check_case(request, user, request_id)
    trigger = _trigger(RequestTrigger, action)
    fields = _fields(body)
    if trigger is RequestTrigger.COMPLETE_MANUAL_TASK and isinstance(fields.get("system_id"), str):
        refusal = await task_owner_refusal(client, request_id, fields["system_id"], user)
        if refusal is not None:  # refused here, as on the task page: nothing reaches the request's history
            raise HTTPException(status_code=403, detail="the task belongs to a system you do not own")
    return await _act(client, user, REQUEST, REQUEST_COMMANDS, trigger, request_id, fields, RequestView)


# --- dead letters (operators) -----------------------------------------------------------------------


@router.post("/deadletters/{case_id}/{number}/{change}")
async def dead_letter(request: Request, case_id: str, number: str, change: str, body: Any = Body(default_factory=dict),
                      user: Account = Depends(token_user), client: Client = Depends(temporal)) -> Response:
    """An operator retries or discards a failed effect through its case, as on the operations page."""
    from app.cli.deadletters import CaseRefused, LetterRefused, change_letter
    from web.routes.operator import actor_of

    holds(user, WebRole.OPERATOR)
    letter_id = f"{case_id}/{number}"
    try:
        _, position = parse_letter_id(letter_id)
    except ValueError:
        raise HTTPException(status_code=404, detail=f"no dead letter {letter_id}") from None
    if change not in ("retry", "discard"):
        raise HTTPException(status_code=404, detail="the change is 'retry' or 'discard'")
    try:
        command: RetryDeadLetter | DiscardDeadLetter = (
            RetryDeadLetter(actor=actor_of(user), number=position) if change == "retry"
            else DiscardDeadLetter(actor=actor_of(user), number=position, reason=_fields(body).get("reason", "")))
    except ValidationError as err:
        return invalid(err)
    try:
        done = await change_letter(client, request.app.state.engine, letter_id, command)
    except CaseRefused as err:
        return JSONResponse({"detail": f"refused: {err}"}, status_code=409)
    except LetterRefused as err:
        return JSONResponse({"detail": str(err)}, status_code=409)
    return JSONResponse({"detail": done})


# --- shared -------------------------------------------------------------------------------------------


def _organisation(request: Request, user: Account, wanted: Any):
    """The organisation a new case is opened in: named in the body, or the token's person's only one."""
    chosen, options = pick(request, user, wanted if isinstance(wanted, str) else None)
    if chosen is None:
        names = ", ".join(o.id for o in options)
        raise HTTPException(status_code=422, detail=f"name the organisation ('organisation': one of {names})")
    return chosen


def _check_case(request: Request, user: Account, case_id: str) -> None:
    """Another organisation's case does not exist for this person (404, like the pages)."""
    try:
        check_case(request, user, case_id)
    except HTTPException:
        raise HTTPException(status_code=404, detail=f"{case_id} findes ikke") from None


def _trigger(kind: type[enum.Enum], action: str) -> Any:
    try:
        return kind(action)
    except ValueError:
        raise HTTPException(status_code=404, detail=f"unknown action '{action}'") from None


async def _act(client: Client, user: Account, procedure: Procedure, commands: dict, trigger: Any, workflow_id: str,
               fields: dict[str, Any], result_type: type) -> Response:
    """The form route's steps: role from the procedure's table, the model validates, the workflow's validator
    decides. A refusal before the update leaves nothing in the case's history."""
    actor = actor_for(user, procedure, trigger)
    if actor is None:
        raise HTTPException(status_code=403, detail=f"your account holds no role that may take '{trigger.value}'")
    fields.pop("actor", None)  # the actor is the token's person, never the body's claim
    try:
        command = commands[trigger].model_validate({**fields, "actor": actor.model_dump()})
    except ValidationError as err:
        return invalid(err)
    handle = client.get_workflow_handle(workflow_id)
    try:
        await handle.execute_update(trigger.value, command, result_type=ActionResult)
        view = await handle.query("view", result_type=result_type)  # an action returns only its step
    except WorkflowUpdateFailedError as err:
        return JSONResponse({"detail": failure_message(err), "detail_da": refusal_text(err)}, status_code=409)
    except RPCError as err:
        if err.status is not RPCStatusCode.NOT_FOUND:
            raise
        what = "sagen" if procedure is BREACH else "anmodningen"  # the CLI's words for a case that does not exist
        return JSONResponse({"detail": f"{what} {workflow_id} findes ikke"}, status_code=404)
    return JSONResponse(view.model_dump(mode="json"))
