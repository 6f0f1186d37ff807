"""`gdpr deadletters`: effects that failed for good, listed, retried or discarded by an operator.

The list comes from the register database. A retry or a discard goes through the case's
workflow (an update), which holds the effect itself and stays open while a letter is
open; only a letter whose workflow no longer runs is discarded in the database directly.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

from pydantic import ValidationError
from sqlalchemy import Engine
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from activities.db import make_engine
from activities.deadletters import discard_without_case, list_dead_letters
from domain.dead_letters import (
    DeadLetterView, DiscardDeadLetter, LetterStatus, LetterStatusChange, RetryDeadLetter, parse_letter_id,
)
from domain.deadlines import format_da
from domain.model import Actor, Role
from settings import Settings

STATUS_DA = {"open": "åben", "retrying": "gentages", "resolved": "løst", "discarded": "afvist"}


def add_parsers(sub: Any) -> None:
    letters = sub.add_parser("deadletters", help="effects that failed for good: list, retry, discard")
    letters.add_argument("--all", action="store_true", help="also resolved and discarded letters")
    letters.add_argument("--json", action="store_true")
    actions = letters.add_subparsers(dest="deadletters_command")
    for name, text in (("retry", "run the effect again through its case (after fixing the cause)"),
                       ("discard", "give the effect up for good, with a reason")):
        action = actions.add_parser(name, help=text)
        action.add_argument("letter_id", help="e.g. breach-2026-0001/1 (see `gdpr deadletters`)")
        action.add_argument("--as", dest="role", default=os.environ.get("GDPR_ACTOR_ROLE", "key_person"))
        action.add_argument("--name", default=os.environ.get("GDPR_ACTOR_NAME"))
        if name == "discard":
            action.add_argument("--reason", required=True, help="why it is given up, and what was done instead")


def render_list(settings: Settings, args: argparse.Namespace) -> str:
    rows = list_dead_letters(make_engine(settings.database_url), include_closed=args.all)
    if args.json:
        return json.dumps(rows, ensure_ascii=False, indent=2, default=str)
    if not rows:
        return "Ingen fejlede handlinger." if args.all else "Ingen åbne fejlede handlinger."
    lines = []
    for row in rows:
        lines.append(f"{row['letter_id']:<28} {STATUS_DA.get(row['status'], row['status']):<9} "
                     f"{row['effect_kind']:<14} {format_da(row['failed_at'])}  {row['failures']} forløb")
        lines.append(f"    {row['effect_key']}")
        lines.append(f"    {row['error_type']}: {row['error_message']}")
        if row["reason"]:
            lines.append(f"    afvist af {row['changed_by']}: {row['reason']}")
    return "\n".join(lines)


async def run(args: argparse.Namespace, settings: Settings, connect: Callable[[], Awaitable[Client]],
              user_error: type[Exception]) -> str:
    if not args.deadletters_command:
        return render_list(settings, args)
    command, case_id = _command(args, user_error)  # before connecting: bad input needs no server
    return await change(await connect(), settings, args, command, case_id, user_error)


def _command(args: argparse.Namespace, user_error: type[Exception]) -> tuple[RetryDeadLetter | DiscardDeadLetter, str]:
    try:
        case_id, number = parse_letter_id(args.letter_id)
        actor = Actor(name=args.name, role=Role(args.role))
        command: RetryDeadLetter | DiscardDeadLetter = (
            RetryDeadLetter(actor=actor, number=number) if args.deadletters_command == "retry"
            else DiscardDeadLetter(actor=actor, number=number, reason=args.reason))
    except ValidationError as err:
        fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise user_error(f"invalid input: {fields} (give --name, or set GDPR_ACTOR_NAME)") from None
    except ValueError as err:
        raise user_error(str(err)) from None
    return command, case_id


class LetterRefused(Exception):
    """A retry or discard that cannot be done; the message says why (from the case, or from here)."""


class CaseRefused(LetterRefused):
    """The case's workflow refused the update (its validator): nothing entered the history."""


async def change(client: Client, settings: Settings, args: argparse.Namespace,
                 command: RetryDeadLetter | DiscardDeadLetter, case_id: str, user_error: type[Exception]) -> str:
    try:
        return await change_letter(client, make_engine(settings.database_url), args.letter_id, command)
    except CaseRefused as err:
        raise user_error(f"refused: {err}") from None
    except LetterRefused as err:
        raise user_error(str(err)) from None


async def change_letter(client: Client, engine: Engine, letter_id: str,
                        command: RetryDeadLetter | DiscardDeadLetter) -> str:
    """Retry or discard one letter through its case's workflow; the CLI and the operations page both call this.

    Returns what happened, in Danish; raises `LetterRefused` (or `CaseRefused`) with the reason otherwise.
    """
    case_id, _ = parse_letter_id(letter_id)
    handle = client.get_workflow_handle(case_id)
    try:
        status = (await handle.describe()).status
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            raise LetterRefused(f"sagen {case_id} findes ikke") from None
        raise
    if status is not WorkflowExecutionStatus.RUNNING:
        return _without_case(engine, letter_id, command)
    update = "retry_dead_letter" if isinstance(command, RetryDeadLetter) else "discard_dead_letter"
    try:
        view = await handle.execute_update(update, command, result_type=DeadLetterView)
    except WorkflowUpdateFailedError as err:
        cause: BaseException | None = err.cause
        raise CaseRefused(getattr(cause, "message", None) or str(err)) from None
    verb = "gentages nu" if view.status is LetterStatus.RETRYING else "er afvist"
    return f"{view.letter_id} {verb} ({view.effect_kind.value}: {view.effect_key})"


def _without_case(engine: Engine, letter_id: str, command: RetryDeadLetter | DiscardDeadLetter) -> str:
    """The case's workflow has ended (terminated or from before dead letters): it can no longer run the effect."""
    if isinstance(command, RetryDeadLetter):
        raise LetterRefused(f"sagen bag {letter_id} kører ikke længere, så handlingen kan ikke gentages; "
                            f"udfør den i hånden og afvis fejlen med en begrundelse")
    change = LetterStatusChange(letter_id=letter_id.strip(), status=LetterStatus.DISCARDED,
                                at=datetime.now(timezone.utc), actor_name=command.actor.name, reason=command.reason)
    if not discard_without_case(engine, change):
        raise LetterRefused(f"{letter_id} er ikke en åben fejlet handling")
    return f"{letter_id} er afvist"
