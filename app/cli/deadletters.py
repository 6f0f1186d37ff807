"""`gdpr deadletters`: effects that failed for good, listed, retried or discarded by an operator.

The list comes from the register database. A retry or a discard goes through the case's
workflow (an update), which holds the effect itself and stays open while a letter is
open; only a letter whose workflow no longer runs is discarded in the database directly.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone

from sqlalchemy import Engine
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from activities.db import make_engine
from activities.deadletters import discard_without_case, list_dead_letters
from domain.kernel.dead_letters import (
    DeadLetterView, DiscardDeadLetter, LetterStatus, LetterStatusChange, RetryDeadLetter, parse_letter_id,
)
from domain.kernel.deadlines import format_da
from app.settings import Settings

STATUS_DA = {"open": "åben", "retrying": "gentages", "resolved": "løst", "discarded": "afvist"}


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


async def change(settings: Settings, args: argparse.Namespace, user_error: type[Exception]) -> str:
    """Retry or discard in your name, through the workspace with your token (an operator's)."""
    from app.cli.workspace_api import post

    try:
        case_id, number = parse_letter_id(args.letter_id)  # before any call: bad input needs no server
    except ValueError as err:
        raise user_error(str(err)) from None
    body = {"reason": args.reason} if args.deadletters_command == "discard" else {}
    answer = await post(settings, f"/api/deadletters/{case_id}/{number}/{args.deadletters_command}", body)
    return str(answer.get("detail", ""))


class LetterRefused(Exception):
    """A retry or discard that cannot be done; the message says why (from the case, or from here)."""


class CaseRefused(LetterRefused):
    """The case's workflow refused the update (its validator): nothing entered the history."""


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
