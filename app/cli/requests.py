"""`gdpr request …`, `gdpr inventory`, `gdpr controls`: data-subject requests from the command line.

The Temporal client and the workflows are imported by the functions that talk to Temporal, so receiving or
acting on a request in your name (through the workspace) loads neither. `gdpr requests` is app/cli/cases.py.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from app.cli.input import case_id as checked_id, rpc_problem, unreachable
from domain.controls import Period
from domain.kernel.deadlines import COPENHAGEN, format_da, format_duration
from domain.requests.model import TYPE_DA, RequestInput
from domain.requests.inventory import LEGAL_BASIS_DA
from domain.kernel.model import Role
from domain.breach.view import ROLE_DA

if TYPE_CHECKING:
    from temporalio.client import Client

    from domain.requests.model import DsrPolicy
    from app.organisations import Served

    from domain.controls import ControlReport
    from domain.requests.model import RequestCase, RequestView
    from domain.requests.inventory import Inventory
    from app.settings import Settings


def _pairs(values: list[str] | None, what: str) -> list[tuple[str, str]]:
    out = []
    for value in values or []:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise ValueError(f"{what}: expected KEY=VALUE, got '{value}'")
        out.append((key, rest))
    return out


def request_fields(args: argparse.Namespace) -> dict[str, Any]:
    """What the person typed on the command line, as the fields of a `RequestInput`."""
    corrections = []
    for target, value in _pairs(args.correction, "--correction"):
        parts = target.split(".")
        if len(parts) != 3:
            raise ValueError(f"--correction: expected SYSTEM.TABLE.COLUMN=VALUE, got '{target}'")
        corrections.append({"system_id": parts[0], "table": parts[1], "column": parts[2], "new_value": value})
    statements = []
    for value in args.statement or []:
        system_id, sep, text = value.partition("=")
        if not sep or not system_id:
            raise ValueError(f"--statement: expected SYSTEM=TEXT, got '{value}'")
        statements.append({"system_id": system_id, "statement": text})
    return {
        "type": args.type, "channel": args.channel,
        "requester": {"name": args.requester_name, "email": args.requester_email, "phone": args.requester_phone},
        "subject_name": args.subject_name or args.requester_name, "identifiers": dict(_pairs(args.id, "--id")),
        "on_behalf": args.on_behalf, "subject_age": args.subject_age, "description": args.description,
        "corrections": corrections, "objection_processing": args.objection, "transfer_to": args.transfer_to,
        "statements": statements, "restriction_ground": args.restriction_ground,
        "objection_direct_marketing": args.direct_marketing, "further_copy_of": args.further_copy_of,
    }


def receive(settings: Settings, fields: dict[str, Any], inventory: Inventory,
            request_id: str = "dsr-2000-0000", policy: DsrPolicy | None = None) -> RequestInput:
    """A new request with every intake rule checked (raises `ValidationError`); the placeholder number
    validates before a real one is taken. `fields` are what the person gave: no number, policy or inventory."""
    from app.settings import request_policy

    return RequestInput.receive({**fields, "request_id": request_id, "policy": policy or request_policy(settings),
                                 "inventory": inventory})


class EarlierCopyRefused(Exception):
    """`further_copy_of` does not name an answered access request about the same person (Art. 15(3))."""

    def __init__(self, earlier_id: str, reason: str) -> None:
        super().__init__(earlier_id, reason)
        self.earlier_id = earlier_id
        self.reason = reason  # "not_found", "no_copy_given" or "other_person"


EARLIER_COPY_EN = {
    "not_found": "--further-copy-of: no request {id} found",
    "no_copy_given": "--further-copy-of: {id} is not an answered access request that gave a copy",
    "other_person": "--further-copy-of: {id} concerns another person (no identifier in common)",
}


async def open_request(client: Client, settings: Settings, fields: dict[str, Any], inventory: Inventory,
                       served: Served | None = None, organisation_id: str | None = None) -> RequestView:
    """Receive a data-subject request in an organisation (the web workspace and its API come here): every intake
    rule (`ValidationError`), a further copy names an earlier answer (`EarlierCopyRefused`), then a number in
    the organisation's series and the workflow under its policy."""
    from temporalio.common import WorkflowIDConflictPolicy

    from activities.db import make_engine
    from activities.register import allocate_case_number
    from domain.kernel.case_ids import case_id as make_case_id
    from app.organisations import from_settings, request_policy as policy_of
    from workflows.request import DataSubjectRequestWorkflow

    organisation = served.get(organisation_id) if served else from_settings(settings)
    series = served.series(organisation) if served else None
    policy = policy_of(settings, organisation)
    inp = receive(settings, fields, inventory, policy=policy)  # validate before taking a number
    if inp.further_copy_of:
        await _check_earlier_copy(client, inp.further_copy_of, inp.identifiers)
    year = inp.received_at.astimezone(COPENHAGEN).year
    number = allocate_case_number(make_engine(settings.database_url), "dsr", year, series or "")
    request_id = make_case_id("request", series, year, number)
    inp = receive(settings, fields, inventory, request_id, policy=policy)
    handle = await client.start_workflow(
        DataSubjectRequestWorkflow.run, inp, id=request_id, task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL, static_summary=f"Anmodning {request_id} ({inp.type.value})")
    return await handle.query(DataSubjectRequestWorkflow.view)


async def submit(settings: Settings, args: argparse.Namespace, received: datetime,
                 user_error: type[Exception]) -> dict[str, Any]:
    """Receive a request in your name (nøgleperson or DPO), through the workspace's API."""
    from app.cli.workspace_api import post

    if received > datetime.now(timezone.utc):
        raise user_error("received: cannot be in the future")
    try:
        fields = request_fields(args)
    except ValueError as err:
        raise user_error(str(err)) from None
    body = {**fields, "received_at": received.isoformat()}
    if args.organisation:
        body["organisation"] = args.organisation
    return await post(settings, "/api/requests", body)


async def _check_earlier_copy(client: Client, earlier_id: str, identifiers: dict[str, str]) -> None:
    """Art. 15(3) needs a copy already given: the earlier request must be an answered access request about
    the same person (an identifier in common with the same value)."""
    from temporalio.service import RPCError

    from workflows.request import DataSubjectRequestWorkflow

    try:
        earlier: RequestCase = await client.get_workflow_handle(earlier_id).query(DataSubjectRequestWorkflow.details)
    except RPCError as err:
        if unreachable(err):
            raise
        raise EarlierCopyRefused(earlier_id, "not_found") from None
    same_person = any(earlier.inp.identifiers.get(k, "").strip().lower() == v.strip().lower()
                      for k, v in identifiers.items())
    if earlier.inp.type.value != "access" or earlier.answered_at is None or earlier.refusal_ground is not None:
        raise EarlierCopyRefused(earlier_id, "no_copy_given")
    if not same_person:
        raise EarlierCopyRefused(earlier_id, "other_person")


async def view(client: Client, request_id: str, user_error: type[Exception]) -> RequestView:
    from temporalio.service import RPCError

    from workflows.request import DataSubjectRequestWorkflow

    request_id = checked_id(request_id, "request")
    try:
        return await client.get_workflow_handle(request_id).query(DataSubjectRequestWorkflow.view)
    except RPCError as err:
        if unreachable(err):
            raise
        raise rpc_problem(err, f"anmodningen {request_id}") from None


def _role(role: Role) -> str:
    return "den registrerede" if role is Role.REPORTER else ROLE_DA[role]


def render(v: RequestView, now: datetime) -> str:
    left = "besvaret" if v.state in ("closed", "restricted") else f"tid tilbage {format_duration(v.deadline - now)}"
    return "\n".join([
        f"{v.request_id}  [{v.state}]  {v.state_label_da}",
        f"  Type:      {TYPE_DA[v.type]}",
        f"  Modtaget:  {format_da(v.received_at)}",
        f"  Frist:     {format_da(v.deadline)}{' (forlænget)' if v.extended else ''}"
        f"{' OVERSKREDET' if v.overdue else ''}  ({left})",
        f"  Identitet: {'verificeret' if v.verified else 'ikke verificeret'}",
        f"  Systemer:  udført {', '.join(v.systems_done) or '-'}; mangler {', '.join(v.systems_pending) or '-'}",
        f"  Mulige handlinger: {', '.join(v.allowed_actions) or '-'}",
        "  Tidslinje:",
        *[f"    {e.seq:>3}. {format_da(e.at)}  {e.actor.name} ({_role(e.actor.role)}): {e.summary}" for e in v.timeline],
    ])


async def answers(client: Client, request_id: str) -> str:
    from temporalio.service import RPCError

    from workflows.request import DataSubjectRequestWorkflow

    request_id = checked_id(request_id, "request")
    try:
        case = await client.get_workflow_handle(request_id).query(DataSubjectRequestWorkflow.details)
    except RPCError as err:
        if unreachable(err):
            raise
        raise rpc_problem(err, f"anmodningen {request_id}") from None
    if not case.answers:
        return "Intet svar endnu."
    parts = []
    for a in case.answers:
        status = {None: "til godkendelse", True: "godkendt og sendt", False: "afvist"}[a.approved]
        comments = f"\nDPO: {a.comments}" if a.comments else ""
        parts.append(f"== svar v{a.version} [{status}]{comments}\n{a.text_da}")
    return "\n".join(parts) + (f"\nBilag: {', '.join(case.export_files)}" if case.export_files else "")


def render_inventory(inventory: Inventory) -> str:
    lines = []
    for s in inventory.systems:
        connector = (f"sql ({', '.join(t.name for t in s.connector.tables)})" if s.connector.kind == "sql"
                     else "manuel opgave")
        recipients = "; ".join(r.name + (f" [{r.third_country}]" if r.third_country else "") for r in s.recipients)
        lines += [f"{s.id}: {s.name}", f"  Ejer: {s.owner.name} <{s.owner.email}>",
                  f"  Formål: {'; '.join(s.purposes)}", f"  Retsgrundlag: {LEGAL_BASIS_DA[s.legal_basis]}",
                  f"  Kategorier: {', '.join(s.data_categories)}", f"  Modtagere: {recipients or '-'}",
                  f"  Opbevaring: {s.retention}",
                  f"  Databehandler: {s.processor or '-'} (aftale: {s.dpa_status})", f"  Adgang: {connector}", ""]
    return "\n".join(lines)


def inventory_json(inventory: Inventory) -> str:
    return json.dumps(inventory.model_dump(mode="json"), ensure_ascii=False, indent=2)


def parse_period(kind: str, text: str | None) -> Period | None:
    if text is None:
        return None
    try:
        if kind == "monthly":
            start = datetime.strptime(text, "%Y-%m").replace(tzinfo=COPENHAGEN)
            end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
        else:
            year, quarter = text.split("-Q")
            start = datetime(int(year), 3 * (int(quarter) - 1) + 1, 1, tzinfo=COPENHAGEN)
            end = start.replace(year=start.year + (start.month + 3 > 12), month=(start.month + 2) % 12 + 1)
    except ValueError:
        raise ValueError(f"--period: '{text}' is not YYYY-MM (monthly) or YYYY-Qn (quarterly)") from None
    return Period(start=start, end=end, label=text)


async def run_control(client: Client, settings: Settings, kind: str, period: Period | None) -> ControlReport:
    from workflows.controls import ControlInput, MonthlyRequestControlWorkflow, QuarterlyBreachReviewWorkflow

    workflow_run = MonthlyRequestControlWorkflow.run if kind == "monthly" else QuarterlyBreachReviewWorkflow.run
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return await client.execute_workflow(
        workflow_run, ControlInput(responsible=settings.key_person, dpo=settings.dpo, period=period),
        id=f"{kind}-control-manual-{stamp}", task_queue=settings.task_queue)


def render_reports(rows: list[dict]) -> str:
    if not rows:
        return "Ingen kontrolrapporter endnu."
    return "\n".join(f"{r['report_id']}: {r['findings']} afvigelse(r), {format_da(r['created_at'])}\n{r['report']}"
                     for r in rows)
