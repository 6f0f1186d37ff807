"""`gdpr`: the command line for people and operators.

People-commands act in your name, through the web workspace with your personal token (GDPR_TOKEN, made
under "Min konto"; app/cli/workspace_api.py); the workspace decides your role. The rest are the operator's, on the host.

    gdpr breach report ...            report a possible breach (starts a case; you are the reporter)
    gdpr case act ID ACTION ...       advance a case in your role (nøgleperson, DPO, …)
    gdpr case show ID [--json]        state, deadline, time left, who acts, timeline
    gdpr case drafts ID               every draft version, its status and the DPO's comments
    gdpr cases [--limit N|--all] [--json]     open cases, least time left first (the case index)
    gdpr actions                      every action and its fields
    gdpr deadline breach|request ...  a legal deadline, computed without a server
    gdpr assess --facts F.json        the proposed Art. 33/34 decision with reasons, without a server
    gdpr facts-schema                 the JSON Schema of the facts file
    gdpr register export --format csv|json
    gdpr register verify              check the audit trail's hash chain (exit 1 if broken)
    gdpr diagram                      the state machine as Mermaid
    gdpr request submit|act|show|answer ...   data-subject requests (submit and act in your name)
    gdpr requests [--limit N|--all] [--json]  open requests, least time left first (the case index)
    gdpr inventory [--json]           the data inventory
    gdpr controls run monthly|quarterly [--period …] / gdpr controls reports
    gdpr history ID [--json]          operators: the case's Temporal history, decrypted
    gdpr shred ID --yes               operators: destroy a closed case's key (crypto-shredding)
    gdpr user add|list|disable|enable operators: the web workspace's accounts (password on stdin)

This module only parses and dispatches: the parser (app/cli/parser.py) imports nothing but argparse, and each
command imports the module that runs it when it runs (app/cli/offline.py, breach.py, cases.py, requests.py, …),
so `gdpr deadline`, `gdpr assess` and `gdpr --help` never load the Temporal client, SQLAlchemy, the web
workspace or the HTTP client (tests/unit/test_cli_imports.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, cast

from app.cli.input import UserError, parse_time, unreachable, validation_message
from app.cli.parser import build_parser

if TYPE_CHECKING:
    from temporalio.service import RPCError

    from app.settings import Settings

# Commands computed from their arguments alone: no settings, no server, no database.
OFFLINE = ("deadline", "assess", "facts-schema", "actions", "diagram")


def run(args: argparse.Namespace, settings: Settings) -> str | Iterable[str]:
    """The output of a command that needs the settings; async commands run in an event loop of their own."""
    if args.command in ("cases", "requests"):
        from app.cli import cases as cases_cli
        return cases_cli.run(settings, args)  # the case index: no Temporal client
    if args.command == "register" and args.register_command == "verify":
        from app.cli import retention as retention_cli
        return retention_cli.verify_command(args, settings)
    if args.command == "register":
        from app.cli.breach import register_export
        return register_export(settings, args.format, args.organisation)
    if args.command == "controls" and args.controls_command == "reports":
        from app.cli import requests as requests_cli
        from activities.controls import list_reports
        from activities.db import make_engine
        return requests_cli.render_reports(list_reports(make_engine(settings.database_url)))
    if args.command == "inventory":
        from app.cli import requests as requests_cli
        from app.cli.input import inventory_from
        inventory = inventory_from(settings.inventory_file)
        return requests_cli.inventory_json(inventory) if args.json else requests_cli.render_inventory(inventory)
    if args.command == "deadletters" and not args.deadletters_command:
        from app.cli import deadletters as deadletters_cli
        return deadletters_cli.render_list(settings, args)  # the list is the operator's, on the host
    if args.command == "user":
        from app.cli import users as users_cli
        return users_cli.run(args, settings, UserError)
    if args.command == "organisation":
        from app.cli import organisations as organisations_cli
        return organisations_cli.run(args, settings, UserError)
    import asyncio
    if people_command(args):  # in the person's name, through the workspace: no Temporal client here
        return asyncio.run(run_as_person(args, settings))
    return asyncio.run(run_with_temporal(args, settings))


async def run_with_temporal(args: argparse.Namespace, settings: Settings) -> str:
    from app.temporal_client import connect

    client = await connect(settings)
    now = datetime.now(timezone.utc)
    if args.command in ("history", "shred"):
        from app.cli import crypto as crypto_cli
        return await crypto_cli.run(client, settings, args, UserError)
    if args.command == "request":
        from app.cli import requests as requests_cli
        if args.request_command == "answer":
            return await requests_cli.answers(client, args.request_id)
        one = await requests_cli.view(client, args.request_id, UserError)
        return one.model_dump_json(indent=2) if args.json else requests_cli.render(one, now)
    if args.command == "controls":
        from app.cli import requests as requests_cli
        try:
            period = requests_cli.parse_period(args.kind, args.period)
        except ValueError as err:
            raise UserError(str(err)) from None
        return (await requests_cli.run_control(client, settings, args.kind, period)).text
    from app.cli import breach as breach_cli
    if args.case_command == "drafts":
        return await breach_cli.render_drafts(client, args.case_id, args.lang)
    case = await breach_cli.case_view(client, args.case_id)
    return case.model_dump_json(indent=2) if args.json else breach_cli.render_view(case, now)


def people_command(args: argparse.Namespace) -> bool:
    """Commands a person answers for: they go through the workspace in the token's name."""
    return ((args.command == "breach") or (args.command == "case" and args.case_command == "act")
            or (args.command == "request" and args.request_command in ("submit", "act"))
            or (args.command == "deadletters" and bool(args.deadletters_command)))


async def run_as_person(args: argparse.Namespace, settings: Settings) -> str:
    from domain.kernel.deadlines import format_da

    now = datetime.now(timezone.utc)
    base = settings.public_url.rstrip("/")
    if args.command == "deadletters":
        from app.cli import deadletters as deadletters_cli
        return await deadletters_cli.change(settings, args, UserError)
    from app.cli import breach as breach_cli
    if args.command == "breach":
        view = await breach_cli.report_breach(settings, args)
        if args.json:
            return json.dumps(view, ensure_ascii=False, indent=2)
        return (f"Sag oprettet: {view['case_id']}\nFrist: {format_da(datetime.fromisoformat(view['deadline']))}\n"
                f"I arbejdsrummet: {base}/brud/{view['case_id']}")
    if args.command == "case":
        from domain.breach.model import CaseView
        view = await breach_cli.act(settings, args)
        return (json.dumps(view, ensure_ascii=False, indent=2) if args.json
                else breach_cli.render_view(CaseView(**view), now))
    from app.cli import requests as requests_cli
    if args.request_command == "submit":
        received = parse_time(args.received, "received")
        assert received is not None
        out = await requests_cli.submit(settings, args, received, UserError)
        if args.json:
            return json.dumps(out, ensure_ascii=False, indent=2)
        deadline = format_da(datetime.fromisoformat(out["deadline"]))
        return (f"Anmodning oprettet: {out['request_id']}\nFrist: {deadline}\n"
                f"I arbejdsrummet: {base}/anmodning/{out['request_id']}")
    from domain.requests.machine import COMMAND_TYPES as REQUEST_COMMANDS
    from domain.requests.model import RequestView
    out = await breach_cli.act(settings, args, REQUEST_COMMANDS)
    return json.dumps(out, ensure_ascii=False, indent=2) if args.json else requests_cli.render(RequestView(**out), now)


def load_settings() -> Settings:
    """The settings from the environment and gdpr.env; one line and exit 2 when they do not validate."""
    from pydantic import ValidationError

    from app.settings import load_settings as load

    try:
        return load()
    except ValidationError as err:
        print(f"gdpr: settings: {validation_message(err)}".replace("\n", " "), file=sys.stderr)
        sys.stderr.flush()
        os._exit(2)


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    code = 0
    settings: Settings | None = None
    try:
        if args.command in OFFLINE:
            from app.cli import offline as offline_cli
            output: str | Iterable[str] = offline_cli.run(args)
        else:
            settings = load_settings()
            output = run(args, settings)
        for chunk in [output] if isinstance(output, str) else output:  # long lists come a page at a time
            print(chunk)
    except UserError as err:
        print(f"gdpr: {err}", file=sys.stderr)
        code = 2
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except Exception as err:  # noqa: BLE001 - a person never gets a traceback; GDPR_DEBUG=1 shows it
        code = _failure(err, settings)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)  # temporalio/sdk-python#300: never let the exit-time crash change the code


def _raised(err: BaseException, module: str, name: str) -> bool:
    """`err` is a `module.name`. Looked up only if that module is loaded: an exception of a module never
    imported cannot have been raised, and importing it here would load Temporal for `gdpr deadline`."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(err, getattr(loaded, name))


def _failure(err: Exception, settings: Settings | None) -> int:
    """One line and the exit code for what went wrong: 1 a broken audit chain, 2 a refusal, 3 a service down."""
    if _raised(err, "app.cli.retention", "ChainBroken"):
        print(err)
        return 1
    if _raised(err, "app.cli.workspace_api", "WorkspaceUnreachable"):
        print(f"gdpr: {err} (is `make run` running? GDPR_PUBLIC_URL says where)", file=sys.stderr)
        return 3
    if _raised(err, "app.codec", "CodecError"):  # no or wrong master key, a destroyed case key
        print(f"gdpr: {err}", file=sys.stderr)
        return 2
    if _raised(err, "temporalio.service", "RPCError"):
        rpc = cast("RPCError", err)
        if unreachable(rpc):
            print(f"gdpr: Temporal: {rpc.message} (is `make run` running?)", file=sys.stderr)
            return 3
        print(f"gdpr: Temporal refused: {rpc.message}", file=sys.stderr)
        return 2
    if isinstance(err, RuntimeError) and "connect" in str(err).lower() and settings is not None:
        print(f"gdpr: cannot reach Temporal at {settings.temporal_address} (is `make run` running?)",
              file=sys.stderr)
        return 3
    return _unexpected(err)


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
