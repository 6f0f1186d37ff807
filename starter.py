"""`gdpr`: the command line for people and operators.

People-commands act in your name, through the web workspace with your personal token (GDPR_TOKEN, made
under "Min konto"; workspace_api.py); the workspace decides your role. The rest are the operator's, on the host.

    gdpr breach report ...            report a possible breach (starts a case; you are the reporter)
    gdpr case act ID ACTION ...       advance a case in your role (nøgleperson, DPO, …)
    gdpr case show ID [--json]        state, deadline, time left, who acts, timeline
    gdpr case drafts ID               every draft version, its status and the DPO's comments
    gdpr cases [--json]               open cases, least time left first
    gdpr actions                      every action and its fields
    gdpr deadline breach|request ...  a legal deadline, computed without a server
    gdpr assess --facts F.json        the proposed Art. 33/34 decision with reasons, without a server
    gdpr facts-schema                 the JSON Schema of the facts file
    gdpr register export --format csv|json
    gdpr register verify              check the audit trail's hash chain (exit 1 if broken)
    gdpr diagram                      the state machine as Mermaid
    gdpr request submit|act|show|answer ...   data-subject requests (submit and act in your name)
    gdpr requests [--json]            open requests, least time left first
    gdpr inventory [--json]           the data inventory
    gdpr controls run monthly|quarterly [--period …] / gdpr controls reports
    gdpr history ID [--json]          operators: the case's Temporal history, decrypted
    gdpr shred ID --yes               operators: destroy a closed case's key (crypto-shredding)
    gdpr user add|list|disable|enable operators: the web workspace's accounts (password on stdin)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the registry is loaded only where a case is opened
    from organisations import Served

import argparse
import asyncio
import csv
import io
import json
import os
import sys
from datetime import date, datetime, timezone
from typing import Any

from pydantic import ValidationError
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from activities.db import make_engine
from activities.controls import list_reports
from activities.register import allocate_case_number, export_register
from domain.breach_machine import COMMAND_TYPES, mermaid
from domain.deadlines import COPENHAGEN, breach_deadline, format_da, format_duration, request_deadline
from domain.dsr_machine import COMMAND_TYPES as REQUEST_COMMANDS
from domain.dsr_model import RequestView
from domain.model import BreachCaseInput, BreachFacts, BreachReport, CaseView
from domain.risk import LEVEL_DA, assess
from domain.view import ROLE_DA
import crypto_cli
import deadletters_cli
import requests_cli
import retention_cli
import organisations_cli
import users_cli
import workspace_api
from codec import CodecError
from settings import Settings, load_settings
from temporal_client import connect
from workflows.breach import BreachCaseWorkflow

from cli_input import (  # one-line errors for what a person types (docs/input-and-hygiene.md)
    UNREACHABLE, UserError, case_id as checked_id, inventory_from, json_file, json_object, moment_in_range, rpc_problem,
)
from domain.model import EARLIEST, LATEST


DIAGRAM_DOC = """# Breach case states

Generated from the transition table in `domain/breach_machine.py` by `make docs`;
a unit test fails when this file and the table disagree. Labels are
`action [guards]`; a transition back to the same state records the action without
moving (e.g. new facts, a supplier's account, a phased follow-up).

```mermaid
{diagram}```
"""


def _validation_message(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        field = ".".join(str(p) for p in e["loc"]) or "(input)"
        lines.append(f"  {field}: {e['msg']}")
    return "invalid input:\n" + "\n".join(lines)


def _parse_time(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    if value == "now":
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(f"{field}: '{value}' is not an ISO-8601 time (e.g. 2026-03-27T14:20+01:00)") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=COPENHAGEN)  # local time by default
    if moment < EARLIEST:  # the future is refused by each caller, with its own horizon
        raise UserError(f"{field}: must lie between {EARLIEST:%Y-%m-%d} and {LATEST.year - 1}-12-31")
    return moment


# --- breach report -------------------------------------------------------------------


async def report_breach(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    """Report as the token's person (the workspace makes them the reporter), through the workspace's API."""
    aware_at = _parse_time(args.aware_at, "aware_at")
    if aware_at is not None and aware_at > datetime.now(timezone.utc):
        raise UserError("aware_at: cannot be in the future")
    occurred_at = _parse_time(args.occurred_at, "occurred_at")
    body: dict[str, Any] = {
        "reporter_phone": args.reporter_phone, "organisation": args.organisation,
        "aware_at": aware_at.isoformat() if aware_at else None,
        "occurred_at": occurred_at.isoformat() if occurred_at else None,
        "what_happened": args.what, "how_discovered": args.how,
        "affected_people": args.affected_people, "affected_data": args.affected_data,
        "org_role": args.role,
        "controller": {"name": args.controller_name, "email": args.controller_email}
        if args.controller_name or args.controller_email else None,
    }
    return await workspace_api.post(settings, "/api/breaches", body)


async def open_breach(client: Client, settings: Settings, report: BreachReport, served: Served | None = None,
                      organisation_id: str | None = None) -> CaseView:
    """Open a breach case in an organisation (the web workspace and its API come here): a number in the
    organisation's series, then the workflow under the organisation's policy."""
    from domain.case_ids import case_id as make_case_id
    from organisations import case_policy, from_settings

    organisation = served.get(organisation_id) if served else from_settings(settings)
    series = served.series(organisation) if served else None
    year = report.aware_at.astimezone(COPENHAGEN).year
    number = allocate_case_number(make_engine(settings.database_url), "breach", year, series or "")
    case_id = make_case_id("breach", series, year, number)
    inp = BreachCaseInput(case_id=case_id, report=report, policy=case_policy(settings, organisation))
    handle = await client.start_workflow(
        BreachCaseWorkflow.run, inp, id=case_id, task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        static_summary=f"Brud {case_id} ({report.org_role.value})",
    )
    return await handle.query(BreachCaseWorkflow.view)


# --- acting on a case ------------------------------------------------------------------


def _coerce(value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def action_fields(action: str, data: str | None, data_file: str | None, pairs: list[str],
                  commands: dict | None = None) -> dict[str, Any]:
    """The action's fields as typed (--data-file, then --data, then each --set); the workspace validates them."""
    table = commands or COMMAND_TYPES
    if not any(t.value == action for t in table):
        raise UserError(f"unknown action '{action}'; see `gdpr actions`")
    payload: dict[str, Any] = {}
    if data_file:
        raw = json_file(data_file, "--data-file")
        if not isinstance(raw, dict):
            raise UserError("--data-file must hold a JSON object with the action's fields")
        payload.update(raw)
    if data is not None:
        payload.update(json_object(data, "--data"))
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise UserError(f"--set expects key=value, got '{pair}'")
        payload[key] = _coerce(value)
    return payload


async def act(settings: Settings, args: argparse.Namespace, commands: dict | None = None) -> dict[str, Any]:
    """An action in your name: the workspace takes the actor from your token and the role from the procedure."""
    kind = "breaches" if commands is None else "requests"
    case_id = checked_id(args.case_id, "breach" if commands is None else "request")
    fields = action_fields(args.action, args.data, args.data_file, args.set or [], commands)
    return await workspace_api.post(settings, f"/api/{kind}/{case_id}/actions/{args.action}", fields)


# --- inspection --------------------------------------------------------------------------


async def case_view(client: Client, case_id: str) -> CaseView:
    case_id = checked_id(case_id, "breach")
    try:
        return await client.get_workflow_handle(case_id).query(BreachCaseWorkflow.view)
    except RPCError as err:
        if err.status in UNREACHABLE:
            raise
        raise rpc_problem(err, f"sagen {case_id}") from None


async def render_drafts(client: Client, case_id: str, lang: str = "da") -> str:
    """Every draft version with its status and the DPO's comments: what the DPO reviews."""
    case_id = checked_id(case_id, "breach")
    try:
        case = await client.get_workflow_handle(case_id).query(BreachCaseWorkflow.details)
    except RPCError as err:
        if err.status in UNREACHABLE:
            raise
        raise rpc_problem(err, f"sagen {case_id}") from None
    if not case.drafts:
        return "Ingen udkast endnu."
    parts = []
    for draft in case.drafts:
        text = (draft.text_da if lang == "da" else draft.text_en) or "(teksten dannes fra skabelonen ...)\n"
        review = f"  DPO: {draft.reviewed_by.name}, {format_da(draft.reviewed_at)}" if draft.reviewed_by and draft.reviewed_at else ""
        comments = f"  Kommentarer: {draft.review_comments}" if draft.review_comments else ""
        parts.append(f"== {draft.kind.value} v{draft.version} [{draft.status.value}] af {draft.author.name}, "
                     f"{format_da(draft.submitted_at)}\n{review}\n{comments}\n{text}".replace("\n\n\n", "\n"))
    return "\n".join(parts)


def _proposal_lines(view: CaseView) -> list[str]:
    """The engine's proposal, shown while the notification decision is open."""
    p = view.proposal
    if p is None or view.state not in ("fact_finding", "awaiting_suppliers"):
        return []
    yes_no = {True: "ja", False: "nej"}
    return [f"  Forslag til risikovurdering: {p.level.value} (ENISA {p.severity:g}, {p.severity_level}); "
            f"anmeld: {yes_no[p.notify_authority]}; underret registrerede: {yes_no[p.notify_subjects]}",
            *[f"    - {reason}" for reason in p.reasons_da]]


def render_view(view: CaseView, now: datetime) -> str:
    left = view.deadline - now
    status = "frist overholdt" if view.deadline_met else ("OVERSKREDET" if left.total_seconds() < 0 else "åben")
    lines = [
        f"{view.case_id}  [{view.state}]  {view.state_label_da}",
        f"  Rolle:     {'databehandler' if view.org_role.value == 'processor' else 'dataansvarlig'}",
        f"  Bekendt:   {format_da(view.aware_at)}",
        f"  Frist:     {format_da(view.deadline)}  ({status}; tid tilbage {format_duration(left)})",
        f"  Næste:     {ROLE_DA[view.next_actor] if view.next_actor else '-'}",
        "  Opgaver:",
        *[f"    - [{ROLE_DA[t.role]}] {t.label_da}" for t in view.tasks],
        f"  Mulige handlinger: {', '.join(view.allowed_actions) or '-'}",
        *_proposal_lines(view),
        "  Tidslinje:",
        *[f"    {e.seq:>3}. {format_da(e.at)}  {e.actor.name} ({ROLE_DA[e.actor.role]}): {e.summary}" for e in view.timeline],
    ]
    if view.pending_effects:
        lines.append(f"  ({view.pending_effects} mail/registreringer i kø)")
    return "\n".join(lines)


async def open_cases(client: Client, task_queue: str) -> list[CaseView]:
    """Open cases served by this installation's task queue (another queue's cases may have no worker to answer)."""
    views = []
    query = f"WorkflowType='BreachCase' AND ExecutionStatus='Running' AND TaskQueue='{task_queue}'"
    async for wf in client.list_workflows(query):
        view = await case_view(client, wf.id)
        if view.state != "closed":  # a closed case's workflow waits a while for reopening and follow-ups
            views.append(view)
    return sorted(views, key=lambda v: (v.deadline_met, v.deadline))


def render_cases(views: list[CaseView], now: datetime) -> str:
    if not views:
        return "Ingen åbne sager."
    rows = [f"{'SAG':<20} {'TRIN':<24} {'FRIST':<28} {'TID TILBAGE':<16} NÆSTE"]
    for v in views:
        left = "overholdt" if v.deadline_met else format_duration(v.deadline - now)
        rows.append(f"{v.case_id:<20} {v.state:<24} {format_da(v.deadline):<28} {left:<16} "
                    f"{ROLE_DA[v.next_actor] if v.next_actor else '-'}")
    return "\n".join(rows)


def register_export(settings: Settings, fmt: str, organisation: str | None = None) -> str:
    rows = export_register(make_engine(settings.database_url), organisation)
    serialisable = [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in r.items()} for r in rows]
    if fmt == "json":
        return json.dumps(serialisable, ensure_ascii=False, indent=2)
    out = io.StringIO()
    columns = list(serialisable[0]) if serialisable else ["case_id"]
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(serialisable)
    return out.getvalue()


def deadline_command(args: argparse.Namespace, settings: Settings) -> str:
    """`gdpr deadline breach|request`: the legal deadline, without a server."""
    now = datetime.now(timezone.utc)
    if args.kind == "breach":
        aware = _parse_time(args.aware, "aware")
        assert aware is not None
        result = breach_deadline(moment_in_range(aware, "aware", now))
    else:
        try:
            received = date.fromisoformat(args.received)
            moment_in_range(datetime.combine(received, datetime.min.time(), COPENHAGEN), "received", now)
        except ValueError:
            received_at = _parse_time(args.received, "received")
            assert received_at is not None
            received = moment_in_range(received_at, "received", now).astimezone(COPENHAGEN).date()
        result = request_deadline(received, extended=args.extended)
    out = {"due": result.due.isoformat(), "rule": result.rule, "rule_da": result.rule_da,
           "rolled_from": result.rolled_from.isoformat() if result.rolled_from else None}
    if args.json:
        return json.dumps(out, ensure_ascii=False, indent=2)
    rolled = f"\n(flyttet fra {out['rolled_from']})" if out["rolled_from"] else ""
    return f"Frist: {format_da(result.due)}  ({out['due']})\n{result.rule_da}{rolled}"


def assess_command(args: argparse.Namespace) -> str:
    """`gdpr assess --facts F.json`: the proposal, without a server."""
    raw = json_file(args.facts, "--facts")
    try:
        facts = BreachFacts.model_validate(raw)
    except ValidationError as err:
        raise UserError(_validation_message(err)) from None
    result = assess(facts)
    out = {"severity": result.severity, "level": result.level.value, "notify_authority": result.notify_authority,
           "notify_subjects": result.notify_subjects,
           "exception": result.exception.value if result.exception else None,
           "reasons": [r.model_dump() for r in result.reasons],
           "dpc": result.dpc, "ei": result.ei, "cb": result.cb, "unknown_facts": result.unknown_facts}
    if args.json:
        return json.dumps(out, ensure_ascii=False, indent=2)
    lines = [f"Alvorlighed {result.severity:g} ({LEVEL_DA[result.level]}); anmeld til Datatilsynet: "
             f"{'ja' if result.notify_authority else 'nej'}; underret de registrerede: "
             f"{'ja' if result.notify_subjects else 'nej'}"]
    lines += [f"- {r.da}  [{r.source}]" for r in result.reasons]
    return "\n".join(lines)


def facts_schema() -> str:
    return json.dumps(BreachFacts.model_json_schema(), ensure_ascii=False, indent=2)


def describe_actions() -> str:
    lines = ["Brud (gdpr case act):"]
    lines += _describe(COMMAND_TYPES)
    lines += ["", "Anmodninger (gdpr request act):"]
    lines += _describe({t: m for t, m in REQUEST_COMMANDS.items() if t.value != "systems_done"})
    return "\n".join(lines)


def _describe(table: dict) -> list[str]:
    lines = []
    for trigger, model in table.items():
        fields = [f"{name}{'' if f.is_required() else '?'}" for name, f in model.model_fields.items() if name != "actor"]
        lines.append(f"  {trigger.value:<28} {', '.join(fields)}")
    return lines


# --- argument parsing --------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gdpr", description="GDPR case engine")
    sub = parser.add_subparsers(dest="command", required=True)

    breach = sub.add_parser("breach", help="breach cases").add_subparsers(dest="breach_command", required=True)
    rep = breach.add_parser("report", help="report a possible personal-data breach (you are the reporter: GDPR_TOKEN)")
    rep.add_argument("--reporter-phone", help="a phone number the nøgleperson can call you on")
    rep.add_argument("--organisation", help="the organisation it happened in, if you work in several")
    rep.add_argument("--aware-at", required=True,
                     help="when the first person in the organisation became aware (ISO-8601, or 'now')")
    rep.add_argument("--occurred-at", help="when the breach happened, if known")
    rep.add_argument("--what", required=True, help="what happened")
    rep.add_argument("--how", required=True, help="how it was discovered")
    rep.add_argument("--affected-people", required=True)
    rep.add_argument("--affected-data", required=True)
    rep.add_argument("--role", default="controller", choices=["controller", "processor"])
    rep.add_argument("--controller-name")
    rep.add_argument("--controller-email")
    rep.add_argument("--json", action="store_true")

    case = sub.add_parser("case", help="one case").add_subparsers(dest="case_command", required=True)
    show = case.add_parser("show", help="state, deadline, tasks and timeline")
    show.add_argument("case_id")
    show.add_argument("--json", action="store_true")
    drafts = case.add_parser("drafts", help="every draft version, its status and the DPO's comments")
    drafts.add_argument("case_id")
    drafts.add_argument("--lang", choices=["da", "en"], default="da")
    do = case.add_parser("act", help="perform an action in your name (GDPR_TOKEN; see `gdpr actions`)")
    do.add_argument("case_id")
    do.add_argument("action")
    do.add_argument("--data", help="the action's fields as JSON")
    do.add_argument("--data-file", help="a JSON file with the action's fields")
    do.add_argument("--set", action="append", metavar="KEY=VALUE", help="one field (JSON value or text)")
    do.add_argument("--json", action="store_true")

    cases = sub.add_parser("cases", help="open cases, least time left first")
    cases.add_argument("--json", action="store_true")
    sub.add_parser("actions", help="the actions and their fields")
    assess_p = sub.add_parser("assess", help="propose the Art. 33/34 decision from a facts file (no server needed)")
    assess_p.add_argument("--facts", required=True, help="a JSON file with the breach facts (see `gdpr facts-schema`)")
    assess_p.add_argument("--json", action="store_true")
    sub.add_parser("facts-schema", help="the JSON Schema of the breach facts")
    deadline = sub.add_parser("deadline", help="compute a legal deadline (no server needed)")
    kinds = deadline.add_subparsers(dest="kind", required=True)
    d_breach = kinds.add_parser("breach", help="72 hours from awareness (Art. 33(1))")
    d_breach.add_argument("--aware", required=True, help="ISO-8601, e.g. 2026-03-27T14:20+01:00")
    d_breach.add_argument("--json", action="store_true")
    d_request = kinds.add_parser("request", help="one month from receipt (Art. 12(3), Regulation 1182/71)")
    d_request.add_argument("--received", required=True, help="date or time of receipt, e.g. 2026-01-31")
    d_request.add_argument("--extended", action="store_true", help="with the two-month extension")
    d_request.add_argument("--json", action="store_true")
    sub.add_parser("diagram", help="the breach state machine as Mermaid")
    requests_cli.add_parsers(sub)
    deadletters_cli.add_parsers(sub)
    crypto_cli.add_parsers(sub)
    users_cli.add_parsers(sub)
    organisations_cli.add_parsers(sub)
    reg = sub.add_parser("register", help="the breach register").add_subparsers(dest="register_command", required=True)
    export = reg.add_parser("export", help="export every breach, notified or not")
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--organisation", help="only this organisation's register (see `gdpr organisation list`)")
    retention_cli.add_parser(reg)
    return parser


async def run(args: argparse.Namespace, settings: Settings) -> str:
    if args.command == "diagram":
        return DIAGRAM_DOC.format(diagram=mermaid())
    if args.command == "actions":
        return describe_actions()
    if args.command == "assess":
        return assess_command(args)
    if args.command == "facts-schema":
        return facts_schema()
    if args.command == "deadline":
        return deadline_command(args, settings)
    if args.command == "register" and args.register_command == "verify":
        return retention_cli.verify_command(args, settings)
    if args.command == "register":
        return register_export(settings, args.format, args.organisation)
    if args.command == "controls" and args.controls_command == "reports":
        return requests_cli.render_reports(list_reports(make_engine(settings.database_url)))
    if args.command == "inventory":
        inventory = inventory_from(settings.inventory_file)
        return requests_cli.inventory_json(inventory) if args.json else requests_cli.render_inventory(inventory)
    if people_command(args):  # in the person's name, through the workspace: no Temporal client here
        return await run_as_person(args, settings)
    if args.command == "deadletters":
        return deadletters_cli.render_list(settings, args)  # the list is the operator's, on the host
    if args.command in users_cli.COMMANDS:
        return users_cli.run(args, settings, UserError)
    if args.command in organisations_cli.COMMANDS:
        return organisations_cli.run(args, settings, UserError)
    client = await connect(settings)
    if args.command in crypto_cli.COMMANDS:
        return await crypto_cli.run(client, settings, args, UserError)
    now = datetime.now(timezone.utc)
    if args.command in ("request", "requests"):
        return await run_requests(client, settings, args, now)
    if args.command == "controls" and args.controls_command == "run":
        try:
            period = requests_cli.parse_period(args.kind, args.period)
        except ValueError as err:
            raise UserError(str(err)) from None
        return (await requests_cli.run_control(client, settings, args.kind, period)).text
    if args.command == "case" and args.case_command == "drafts":
        return await render_drafts(client, args.case_id, args.lang)
    if args.command == "case":
        one = await case_view(client, args.case_id)
        return one.model_dump_json(indent=2) if args.json else render_view(one, now)
    views = await open_cases(client, settings.task_queue)
    if args.json:
        return json.dumps([v.model_dump(mode="json") for v in views], ensure_ascii=False, indent=2)
    return render_cases(views, now)


def people_command(args: argparse.Namespace) -> bool:
    """Commands a person answers for: they go through the workspace in the token's name."""
    return ((args.command == "breach") or (args.command == "case" and args.case_command == "act")
            or (args.command == "request" and args.request_command in ("submit", "act"))
            or (args.command == "deadletters" and bool(args.deadletters_command)))


async def run_as_person(args: argparse.Namespace, settings: Settings) -> str:
    now = datetime.now(timezone.utc)
    base = settings.public_url.rstrip("/")
    if args.command == "deadletters":
        return await deadletters_cli.change(settings, args, UserError)
    if args.command == "breach":
        view = await report_breach(settings, args)
        if args.json:
            return json.dumps(view, ensure_ascii=False, indent=2)
        return (f"Sag oprettet: {view['case_id']}\nFrist: {format_da(datetime.fromisoformat(view['deadline']))}\n"
                f"I arbejdsrummet: {base}/brud/{view['case_id']}")
    if args.command == "case":
        view = await act(settings, args)
        return json.dumps(view, ensure_ascii=False, indent=2) if args.json else render_view(CaseView(**view), now)
    if args.request_command == "submit":
        received = _parse_time(args.received, "received")
        assert received is not None
        out = await requests_cli.submit(settings, args, received, UserError)
        if args.json:
            return json.dumps(out, ensure_ascii=False, indent=2)
        return (f"Anmodning oprettet: {out['request_id']}\nFrist: {format_da(datetime.fromisoformat(out['deadline']))}\n"
                f"I arbejdsrummet: {base}/anmodning/{out['request_id']}")
    out = await act(settings, args, REQUEST_COMMANDS)
    return json.dumps(out, ensure_ascii=False, indent=2) if args.json else requests_cli.render(RequestView(**out), now)


async def run_requests(client: Client, settings: Settings, args: argparse.Namespace, now: datetime) -> str:
    if args.command == "requests":
        views = await requests_cli.open_requests(client, settings.task_queue)
        if args.json:
            return json.dumps([v.model_dump(mode="json") for v in views], ensure_ascii=False, indent=2)
        return requests_cli.render_list(views, now)
    if args.request_command == "answer":
        return await requests_cli.answers(client, args.request_id)
    one = await requests_cli.view(client, args.request_id, UserError)
    return one.model_dump_json(indent=2) if args.json else requests_cli.render(one, now)


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    code = 0
    try:
        settings = load_settings()
    except ValidationError as err:  # settings from the environment or gdpr.env
        print(f"gdpr: settings: {_validation_message(err)}".replace("\n", " "), file=sys.stderr)
        sys.stderr.flush()
        os._exit(2)
    try:
        print(asyncio.run(run(args, settings)))
    except UserError as err:
        print(f"gdpr: {err}", file=sys.stderr)
        code = 2
    except retention_cli.ChainBroken as err:
        print(err)
        code = 1
    except workspace_api.WorkspaceUnreachable as err:
        print(f"gdpr: {err} (is `make run` running? GDPR_PUBLIC_URL says where)", file=sys.stderr)
        code = 3
    except CodecError as err:  # no or wrong master key, a destroyed case key
        print(f"gdpr: {err}", file=sys.stderr)
        code = 2
    except RPCError as err:
        if err.status in UNREACHABLE:
            print(f"gdpr: Temporal: {err.message} (is `make run` running?)", file=sys.stderr)
            code = 3
        else:
            print(f"gdpr: Temporal refused: {err.message}", file=sys.stderr)
            code = 2
    except RuntimeError as err:
        if "connect" not in str(err).lower():
            code = _unexpected(err)
        else:
            print(f"gdpr: cannot reach Temporal at {settings.temporal_address} (is `make run` running?)",
                  file=sys.stderr)
            code = 3
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except Exception as err:  # noqa: BLE001 - a person never gets a traceback; GDPR_DEBUG=1 shows it
        code = _unexpected(err)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)  # temporalio/sdk-python#300: never let the exit-time crash change the code


def _unexpected(err: BaseException) -> int:
    """One line for a failure nobody foresaw; the traceback only on request."""
    if os.environ.get("GDPR_DEBUG"):
        import traceback
        traceback.print_exception(err)
    print(f"gdpr: unexpected error ({type(err).__name__}); run again with GDPR_DEBUG=1 for details",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    main()
