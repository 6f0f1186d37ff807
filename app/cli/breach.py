"""`gdpr breach report`, `gdpr case show|drafts|act`, `gdpr register export`: one breach case at a time.

Reporting and acting go through the web workspace in the person's name (app/cli/workspace_api.py); showing a case
and its drafts asks its workflow; the export reads the register. The Temporal client, the workflow and
SQLAlchemy are imported by the functions that use them, so `gdpr case act` loads no Temporal client and
`gdpr case show` no HTTP client.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from app.cli.input import (  # one-line errors for what a person types (docs/input-and-hygiene.md)
    UserError, case_id as checked_id, json_file, json_object, parse_time, rpc_problem, unreachable,
)
from domain.kernel.deadlines import COPENHAGEN, format_da, format_duration
from domain.breach.view import ROLE_DA

if TYPE_CHECKING:
    from temporalio.client import Client

    from domain.breach.model import BreachReport, CaseView
    from app.organisations import Served
    from app.settings import Settings


# --- breach report -------------------------------------------------------------------


async def report_breach(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    """Report as the token's person (the workspace makes them the reporter), through the workspace's API."""
    from app.cli.workspace_api import post

    aware_at = parse_time(args.aware_at, "aware_at")
    if aware_at is not None and aware_at > datetime.now(timezone.utc):
        raise UserError("aware_at: cannot be in the future")
    occurred_at = parse_time(args.occurred_at, "occurred_at")
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
    return await post(settings, "/api/breaches", body)


async def open_breach(client: Client, settings: Settings, report: BreachReport, served: Served | None = None,
                      organisation_id: str | None = None) -> CaseView:
    """Open a breach case in an organisation (the web workspace and its API come here): a number in the
    organisation's series, then the workflow under the organisation's policy."""
    from temporalio.common import WorkflowIDConflictPolicy

    from activities.db import make_engine
    from activities.register import allocate_case_number
    from domain.kernel.case_ids import case_id as make_case_id
    from domain.breach.model import BreachCaseInput
    from app.organisations import case_policy, from_settings
    from workflows.breach import BreachCaseWorkflow

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
    from domain.breach.machine import COMMAND_TYPES

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
    from app.cli.workspace_api import post

    kind = "breaches" if commands is None else "requests"
    case_id = checked_id(args.case_id, "breach" if commands is None else "request")
    fields = action_fields(args.action, args.data, args.data_file, args.set or [], commands)
    return await post(settings, f"/api/{kind}/{case_id}/actions/{args.action}", fields)


# --- inspection --------------------------------------------------------------------------


async def case_view(client: Client, case_id: str) -> CaseView:
    from temporalio.service import RPCError

    from workflows.breach import BreachCaseWorkflow

    case_id = checked_id(case_id, "breach")
    try:
        return await client.get_workflow_handle(case_id).query(BreachCaseWorkflow.view)
    except RPCError as err:
        if unreachable(err):
            raise
        raise rpc_problem(err, f"sagen {case_id}") from None


async def render_drafts(client: Client, case_id: str, lang: str = "da") -> str:
    """Every draft version with its status and the DPO's comments: what the DPO reviews."""
    from temporalio.service import RPCError

    from workflows.breach import BreachCaseWorkflow

    case_id = checked_id(case_id, "breach")
    try:
        case = await client.get_workflow_handle(case_id).query(BreachCaseWorkflow.details)
    except RPCError as err:
        if unreachable(err):
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


# --- the register ------------------------------------------------------------------------


def register_export(settings: Settings, fmt: str, organisation: str | None = None) -> str:
    from activities.db import make_engine
    from activities.register import export_register

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

