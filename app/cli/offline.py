"""The commands that need no server, no database and no settings: `gdpr deadline`, `gdpr assess`,
`gdpr facts-schema`, `gdpr actions`, `gdpr diagram`.

Each imports the domain modules it uses when it runs and nothing else, so a deadline is computed without
pydantic or the case models, and none of them loads Temporal, SQLAlchemy, the workspace or the HTTP client
(tests/unit/test_cli_imports.py).
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, timezone

from app.cli.input import UserError, json_file, moment_in_range, parse_time, validation_message

DIAGRAM_DOC = """# Breach case states

Generated from the transition table in `domain/breach/machine.py` by `make docs`;
a unit test fails when this file and the table disagree. Labels are
`action [guards]`; a transition back to the same state records the action without
moving (e.g. new facts, a supplier's account, a phased follow-up).

```mermaid
{diagram}```
"""


def run(args: argparse.Namespace) -> str:
    if args.command == "deadline":
        return deadline_command(args)
    if args.command == "assess":
        return assess_command(args)
    if args.command == "facts-schema":
        return facts_schema()
    if args.command == "actions":
        return describe_actions()
    from domain.breach.machine import mermaid

    return DIAGRAM_DOC.format(diagram=mermaid())


def deadline_command(args: argparse.Namespace) -> str:
    """`gdpr deadline breach|request`: the legal deadline, without a server."""
    from domain.kernel.deadlines import COPENHAGEN, breach_deadline, format_da, request_deadline

    now = datetime.now(timezone.utc)
    if args.kind == "breach":
        aware = parse_time(args.aware, "aware")
        assert aware is not None
        result = breach_deadline(moment_in_range(aware, "aware", now))
    else:
        try:
            received = date.fromisoformat(args.received)
            moment_in_range(datetime.combine(received, datetime.min.time(), COPENHAGEN), "received", now)
        except ValueError:
            received_at = parse_time(args.received, "received")
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
    from pydantic import ValidationError

    from domain.breach.facts import BreachFacts
    from domain.breach.risk import LEVEL_DA, assess

    raw = json_file(args.facts, "--facts")
    try:
        facts = BreachFacts.model_validate(raw)
    except ValidationError as err:
        raise UserError(validation_message(err)) from None
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
    from domain.breach.facts import BreachFacts

    return json.dumps(BreachFacts.model_json_schema(), ensure_ascii=False, indent=2)


def describe_actions() -> str:
    from domain.breach.machine import COMMAND_TYPES
    from domain.requests.machine import COMMAND_TYPES as REQUEST_COMMANDS

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
