"""`gdpr request …`, `gdpr requests`, `gdpr inventory`: data-subject requests from the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the registry is loaded only where a case is opened
    from organisations import Served

import argparse
import json
from datetime import datetime, timezone
from typing import Any

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from activities.db import make_engine
from activities.register import allocate_case_number
from cli_input import UNREACHABLE, case_id as checked_id, rpc_problem
from domain.deadlines import COPENHAGEN, format_da, format_duration
from domain.dsr_model import TYPE_DA, DsrPolicy, RequestCase, RequestInput, RequestView
from domain.inventory import LEGAL_BASIS_DA, Inventory
from domain.model import Role
from domain.view import ROLE_DA
from settings import Settings, request_policy
from domain.controls import ControlReport, Period
from workflows.controls import ControlInput, MonthlyRequestControlWorkflow, QuarterlyBreachReviewWorkflow
from workflows.request import DataSubjectRequestWorkflow


def add_parsers(sub: Any) -> None:
    request = sub.add_parser("request", help="data-subject requests").add_subparsers(dest="request_command",
                                                                                     required=True)
    submit = request.add_parser("submit", help="receive a request in your name (GDPR_TOKEN; starts its case)")
    submit.add_argument("--type", required=True,
                        choices=["access", "rectification", "erasure", "restriction", "portability", "objection"])
    submit.add_argument("--channel", required=True, choices=["email", "letter", "phone", "in_person"])
    submit.add_argument("--received", default="now", help="when it was received (ISO-8601 or 'now')")
    submit.add_argument("--requester-name", required=True)
    submit.add_argument("--requester-email", required=True)
    submit.add_argument("--requester-phone")
    submit.add_argument("--subject-name", help="the data subject, if not the requester")
    submit.add_argument("--id", action="append", required=True, metavar="KEY=VALUE",
                        help="how the subject is found in the systems, e.g. email=… or elevnummer=E1001")
    submit.add_argument("--on-behalf", choices=["power_of_attorney", "parental_authority"])
    submit.add_argument("--subject-age", type=int)
    submit.add_argument("--description")
    submit.add_argument("--correction", action="append", metavar="SYSTEM.TABLE.COLUMN=VALUE")
    submit.add_argument("--objection", help="which processing the person objects to")
    submit.add_argument("--transfer-to", help="portability: the new controller's e-mail (confirm it in verify_identity)")
    submit.add_argument("--statement", action="append", metavar="SYSTEM=TEXT",
                        help="rectification: a supplementary statement completing the data in a system (Art. 16)")
    submit.add_argument("--restriction-ground",
                        choices=["accuracy_contested", "unlawful_opposes_erasure", "legal_claims", "objection_pending"],
                        help="restriction: the ground of Art. 18(1) (a)-(d)")
    submit.add_argument("--direct-marketing", action="store_true",
                        help="objection: the processing is direct marketing; the objection is then absolute (Art. 21(3))")
    submit.add_argument("--further-copy-of", metavar="REQUEST_ID",
                        help="access: the person already received a copy in the answer to this earlier access request; "
                             "a fee for the further copy may then be charged (Art. 15(3), action charge_fee)")
    submit.add_argument("--organisation", help="the organisation that received it, if you work in several")
    submit.add_argument("--json", action="store_true")
    show = request.add_parser("show", help="state, deadline, systems done/pending, timeline")
    show.add_argument("request_id")
    show.add_argument("--json", action="store_true")
    answer = request.add_parser("answer", help="the answer letter(s), every version")
    answer.add_argument("request_id")
    do = request.add_parser("act", help="perform an action in your name (GDPR_TOKEN; see `gdpr actions`)")
    do.add_argument("case_id", metavar="request_id")
    do.add_argument("action")
    do.add_argument("--data")
    do.add_argument("--data-file")
    do.add_argument("--set", action="append", metavar="KEY=VALUE")
    do.add_argument("--json", action="store_true")
    listing = sub.add_parser("requests", help="open requests, least time left first")
    listing.add_argument("--json", action="store_true")
    inventory = sub.add_parser("inventory", help="the data inventory: systems, owners, purposes, connectors")
    inventory.add_argument("--json", action="store_true")
    controls = sub.add_parser("controls", help="the periodic controls (seed 001)").add_subparsers(
        dest="controls_command", required=True)
    run = controls.add_parser("run", help="run a control now (the schedules run them on the 1st)")
    run.add_argument("kind", choices=["monthly", "quarterly"])
    run.add_argument("--period", help="YYYY-MM (monthly) or YYYY-Qn (quarterly); default: the previous one")
    controls.add_parser("reports", help="stored control reports, newest first")


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
    from domain.case_ids import case_id as make_case_id
    from organisations import from_settings, request_policy as policy_of

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
    from workspace_api import post

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
    try:
        earlier: RequestCase = await client.get_workflow_handle(earlier_id).query(DataSubjectRequestWorkflow.details)
    except RPCError as err:
        if err.status in UNREACHABLE:
            raise
        raise EarlierCopyRefused(earlier_id, "not_found") from None
    same_person = any(earlier.inp.identifiers.get(k, "").strip().lower() == v.strip().lower()
                      for k, v in identifiers.items())
    if earlier.inp.type.value != "access" or earlier.answered_at is None or earlier.refusal_ground is not None:
        raise EarlierCopyRefused(earlier_id, "no_copy_given")
    if not same_person:
        raise EarlierCopyRefused(earlier_id, "other_person")


async def view(client: Client, request_id: str, user_error: type[Exception]) -> RequestView:
    request_id = checked_id(request_id, "request")
    try:
        return await client.get_workflow_handle(request_id).query(DataSubjectRequestWorkflow.view)
    except RPCError as err:
        if err.status in UNREACHABLE:
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
    request_id = checked_id(request_id, "request")
    try:
        case = await client.get_workflow_handle(request_id).query(DataSubjectRequestWorkflow.details)
    except RPCError as err:
        if err.status in UNREACHABLE:
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


async def open_requests(client: Client, task_queue: str) -> list[RequestView]:
    views = []
    query = f"WorkflowType='DataSubjectRequest' AND ExecutionStatus='Running' AND TaskQueue='{task_queue}'"
    async for wf in client.list_workflows(query):
        views.append(await client.get_workflow_handle(wf.id).query(DataSubjectRequestWorkflow.view))
    return sorted(views, key=lambda v: v.deadline)


def render_list(views: list[RequestView], now: datetime) -> str:
    if not views:
        return "Ingen åbne anmodninger."
    rows = [f"{'ANMODNING':<16} {'TYPE':<14} {'TRIN':<22} {'FRIST':<28} TID TILBAGE"]
    rows += [f"{v.request_id:<16} {v.type.value:<14} {v.state:<22} {format_da(v.deadline):<28} "
             f"{format_duration(v.deadline - now)}" for v in views]
    return "\n".join(rows)


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
