"""`gdpr cases` and `gdpr requests`: open cases and requests, least time left first, from the case index.

The lists are read from the register database's `case_index` (activities/case_index.py), the read model the
register activities keep current at every step and the workspace's 'Mine opgaver' reads, not by asking every
workflow in turn (120 s at 5,000 open cases). The first page is one indexed query plus a count; `--all`
streams every open case from one query, printed a page at a time, so memory stays flat at any number.
No Temporal client is needed: a list works while Temporal is down, and shows what the register knows (a step
taken a moment ago appears once its register write has run).
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from activities.case_index import MAX_PAGE, list_cases, open_cases_query
from activities.db import case_index, make_engine, to_utc
from domain.case_index import CaseIndexRow, CaseKind, current_task_da
from domain.kernel.deadlines import format_da, format_duration
from domain.requests.model import TYPE_DA, RequestType
from domain.kernel.model import Role
from domain.breach.view import ROLE_DA

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from app.settings import Settings

# What a list is called, and how its rows are named, per kind.
NOUN = {CaseKind.BREACH: ("sag", "sager"), CaseKind.REQUEST: ("anmodning", "anmodninger")}
COMMAND = {CaseKind.BREACH: "gdpr cases", CaseKind.REQUEST: "gdpr requests"}


def run(settings: Settings, args: argparse.Namespace) -> Iterator[str]:
    """The command's output, a page at a time (main prints each as it comes)."""
    kind = CaseKind.BREACH if args.command == "cases" else CaseKind.REQUEST
    engine = make_engine(settings.database_url)
    now = datetime.now(timezone.utc)
    if args.all:
        pages = stream_open(engine, kind)
        return as_json(pages, kind, now) if args.json else as_text(pages, kind, now)
    page = list_cases(engine, kind=kind.value, limit=args.limit)
    if args.json:
        return as_json([page.rows], kind, now, rest=page.rest)
    return as_text([page.rows], kind, now, total=page.total)


def stream_open(engine: Engine, kind: CaseKind, page: int = MAX_PAGE) -> Iterator[list[CaseIndexRow]]:
    """Every open case of a kind, most urgent first, in pages: one query (the order of `list_cases`), read
    in batches, so a case that moves while the pages are printed is neither repeated nor skipped."""
    query = open_cases_query([case_index.c.kind == kind.value])
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=page).execute(query).mappings()
        for batch in result.partitions():
            yield [CaseIndexRow.model_validate(to_utc(dict(row))) for row in batch]


def next_da(row: CaseIndexRow) -> str:
    """Who acts next, in Danish: for a request the data subject (who is to send information) by that name."""
    if row.next_role is None:
        return "-"
    try:
        role = Role(row.next_role)
    except ValueError:
        return row.next_role  # a role a newer version knows: its code rather than nothing
    if role is Role.REPORTER and row.kind is CaseKind.REQUEST:
        return "den registrerede"
    return ROLE_DA[role]


def time_left(row: CaseIndexRow, now: datetime) -> str:
    if row.deadline_met:
        return "overholdt" if row.kind is CaseKind.BREACH else "besvaret"
    left = row.deadline - now
    return f"overskredet {format_duration(-left)}" if left < timedelta(0) else format_duration(left)


def type_da(row: CaseIndexRow) -> str:
    try:
        return TYPE_DA[RequestType(row.request_type)]
    except ValueError:
        return row.request_type or "-"


def as_object(row: CaseIndexRow, now: datetime) -> dict[str, Any]:
    """One row of `--json`: the index row, with the task and who acts next in this version's Danish words."""
    return {**row.model_dump(mode="json"), "task_da": current_task_da(row), "next_role_da": next_da(row),
            "time_left_da": time_left(row, now)}


def as_json(pages: Iterable[list[CaseIndexRow]], kind: CaseKind, now: datetime, rest: int = 0) -> Iterator[str]:
    """A JSON list of objects, written a page at a time (the same text `json.dumps(list, indent=2)` gives).
    How many more there are goes to standard error, so standard output stays one JSON document."""
    previous: str | None = None  # an item is written once it is known whether another follows (its comma)
    for rows in pages:
        done = []
        for row in rows:
            item = textwrap.indent(json.dumps(as_object(row, now), ensure_ascii=False, indent=2), "  ")
            done.append("[" if previous is None else previous + ",")
            previous = item
        if done:
            yield "\n".join(done)
    yield "[]" if previous is None else previous + "\n]"
    if rest:
        print(f"gdpr: {rest} {NOUN[kind][1] if rest != 1 else NOUN[kind][0]} mere; "
              f"{COMMAND[kind]} --all --json giver dem alle", file=sys.stderr)


def as_text(pages: Iterable[list[CaseIndexRow]], kind: CaseKind, now: datetime,
            total: int | None = None) -> Iterator[str]:
    """A table per page, the header once; then, when only the first page is shown, how many more there are."""
    shown = 0
    for rows in pages:
        if not rows:
            continue
        lines = [_header(kind)] if shown == 0 else []
        lines += [_line(row, now) for row in rows]
        shown += len(rows)
        yield "\n".join(lines)
    singular, plural = NOUN[kind]
    if shown == 0:
        yield f"Ingen åbne {plural}."
        return
    if total is not None and total > shown:
        yield (f"Viser de {shown} med kortest tid tilbage af {total} åbne {plural}; {total - shown} "
               f"{singular if total - shown == 1 else plural} mere: {COMMAND[kind]} --all (eller --limit N)")


def _header(kind: CaseKind) -> str:
    if kind is CaseKind.BREACH:
        return f"{'SAG':<20} {'FRIST':<28} {'TID TILBAGE':<28} {'NÆSTE':<16} TRIN"
    return f"{'ANMODNING':<16} {'TYPE':<36} {'FRIST':<28} {'TID TILBAGE':<28} {'NÆSTE':<16} TRIN"


def _line(row: CaseIndexRow, now: datetime) -> str:
    common = f"{format_da(row.deadline):<28} {time_left(row, now):<28} {next_da(row):<16} {current_task_da(row)}"
    if row.kind is CaseKind.BREACH:
        return f"{row.case_id:<20} {common}"
    return f"{row.case_id:<16} {type_da(row):<36} {common}"
