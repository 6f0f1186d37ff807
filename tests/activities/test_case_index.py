"""The case index is written by the register activities (real SQLite) and read by list_cases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, text
from temporalio.testing import ActivityEnvironment

from activities.case_index import _filters, closed_cases_query, list_cases, open_cases_query
from activities.db import case_index, make_engine
from activities.register import RegisterActivities, RequestStepRecord, StepRecord
from domain.breach import case as domain_case
from domain.breach.machine import Trigger
from domain.breach.commands import AssessBreach
from domain.kernel.model import SYSTEM, TimelineEvent
from domain.breach.register import build_register_entry
from tests.unit.cases import KP, NOW, new_case, request_entry


def _index(engine: Engine, case_id: str) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(select(case_index).where(case_index.c.case_id == case_id)).mappings().one())


def test_breach_and_request_steps_keep_their_index_rows_current_and_an_older_step_never_wins(database_url: str):
    engine = make_engine(database_url)
    register = RegisterActivities(engine, "Eksempel Skole")
    env = ActivityEnvironment()
    case = new_case()
    first = StepRecord(event=case.timeline[-1], entry=build_register_entry(case, NOW))
    env.run(register.record_step, first)
    env.run(register.record_step, first)  # a retry changes nothing
    row = _index(engine, case.case_id)
    assert (row["kind"], row["state"], row["next_role"], row["organisation"], row["last_seq"]) == (
        "breach", "reported", "key_person", "Eksempel Skole", first.event.seq)

    domain_case.act(case, Trigger.ASSESS_BREACH, AssessBreach(actor=KP, is_breach=True, reason="Ja"), NOW)
    later = StepRecord(event=case.timeline[-1], entry=build_register_entry(case, NOW + timedelta(minutes=5)))
    env.run(register.record_step, later)
    env.run(register.record_step, first)  # replayed late (effects run side by side)
    row = _index(engine, case.case_id)
    assert row["state"] == case.state != "reported" and row["last_seq"] == later.event.seq > first.event.seq

    event = TimelineEvent(seq=1, at=NOW, actor=SYSTEM, action="receive", summary="Modtaget")
    received = RequestStepRecord(event=event, entry=request_entry())
    env.run(register.record_request_step, received)
    verified = RequestStepRecord(event=event.model_copy(update={"seq": 2, "action": "verify_identity"}),
                                 entry=request_entry("processing", updated_at=NOW + timedelta(hours=1)))
    env.run(register.record_request_step, verified)
    env.run(register.record_request_step, received)
    row = _index(engine, "dsr-2026-0001")
    assert (row["kind"], row["state"], row["next_role"], row["request_type"], row["last_seq"]) == (
        "request", "processing", "system_owner", "erasure", 2)


def test_at_the_same_step_the_newer_entry_wins_whatever_order_they_arrive_in(database_url: str):
    engine = make_engine(database_url)
    register = RegisterActivities(engine, "X")
    event = TimelineEvent(seq=4, at=NOW, actor=SYSTEM, action="remind", summary="Påmindelse")
    older = RequestStepRecord(event=event, entry=request_entry(updated_at=NOW))
    newer = RequestStepRecord(event=event, entry=request_entry(updated_at=NOW + timedelta(hours=1), overdue=True,
                                                                answered_at=NOW + timedelta(hours=1)))
    ActivityEnvironment().run(register.record_request_step, newer)
    ActivityEnvironment().run(register.record_request_step, older)
    assert _index(engine, "dsr-2026-0001")["deadline_met"] is True


def _fill(engine: Engine, open_cases: int, closed_cases: int) -> None:
    rows = []
    for n in range(open_cases + closed_cases):
        closed = n >= open_cases
        rows.append(dict(
            case_id=f"breach-2026-{n:05d}", kind="breach" if n % 3 else "request",
            organisation="Eksempel Skole", state="closed" if closed else ("reported", "processing", "answer_review")[n % 3],
            next_role=None if closed else ("key_person", "system_owner", "dpo")[n % 3], task_da="Gør noget",
            deadline=NOW + timedelta(hours=(n * 7919) % 1000), deadline_met=n % 5 == 0, closed=closed,
            opened_at=NOW - timedelta(days=1), updated_at=NOW + timedelta(minutes=n), request_type=None, last_seq=1))
    with engine.begin() as conn:
        conn.execute(insert(case_index), rows)


def test_the_first_page_is_the_most_urgent_and_counts_the_rest(database_url: str):
    engine = make_engine(database_url)
    _fill(engine, 300, 40)
    page = list_cases(engine, next_roles=None)
    assert page.total == 300 and len(page.rows) == 50 and page.rest == 250
    keys = [(r.deadline_met, r.deadline) for r in page.rows]
    assert keys == sorted(keys) and not page.rows[0].deadline_met
    dpo = list_cases(engine, next_roles={"dpo"}, limit=1000)
    assert dpo.total == 100 and all(r.next_role == "dpo" for r in dpo.rows)
    assert list_cases(engine, next_roles=set()).total == 0
    assert list_cases(engine, kind="request").total == 100
    assert list_cases(engine, state="processing").total == 100
    assert list_cases(engine, organisation="Andet").total == 0

    everything = list_cases(engine, include_closed=True, limit=20, offset=290)
    assert everything.total == 340 and [r.closed for r in everything.rows] == [False] * 10 + [True] * 10
    closed = [r.updated_at for r in everything.rows if r.closed]
    assert closed == sorted(closed, reverse=True)
    last = list_cases(engine, include_closed=True, limit=50, offset=330)
    assert len(last.rows) == 10 and all(r.closed for r in last.rows)


def test_every_list_query_reads_its_order_from_an_index(tmp_path: Path):
    """SQLite's plan: an index search, no temporary sort of the matching rows."""
    engine = make_engine(f"sqlite:///{tmp_path}/r.db")
    _fill(engine, 50, 5)
    filters: list[dict[str, Any]] = [dict(), dict(next_roles={"key_person"}), dict(next_roles={"key_person", "dpo"}), dict(kind="breach"), dict(state="reported"),
               dict(organisation="Eksempel Skole")]
    with engine.connect() as conn:
        for f in filters:
            conditions = _filters(**(dict(next_roles=None, kind=None, state=None, organisation=None) | f))
            for query in (open_cases_query(conditions), closed_cases_query(conditions)):
                sql = str(query.limit(50).compile(engine, compile_kwargs={"literal_binds": True}))
                plan = " ".join(row[-1] for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
                assert "USING INDEX" in plan and "TEMP B-TREE" not in plan, (f, plan)


def test_cases_from_before_the_index_are_backfilled_once(database_url: str):
    engine = make_engine(database_url)
    register = RegisterActivities(engine, "Eksempel Skole")
    case = new_case()
    ActivityEnvironment().run(register.record_step, StepRecord(event=case.timeline[-1],
                                                               entry=build_register_entry(case, NOW)))
    with engine.begin() as conn:
        conn.execute(case_index.delete())  # as if written before the index existed
    from activities.case_index import backfill_case_index

    assert backfill_case_index(engine, "Eksempel Skole") == 1
    row = _index(engine, case.case_id)
    assert (row["kind"], row["state"], row["next_role"], row["organisation"]) == (
        "breach", "reported", "key_person", "Eksempel Skole")
    assert backfill_case_index(engine, "Eksempel Skole") == 0  # cheap to repeat at every start


def test_two_workers_backfilling_at_once_index_every_case_once(database_url: str):
    from concurrent.futures import ThreadPoolExecutor

    from activities.case_index import backfill_case_index

    engine = make_engine(database_url)
    register = RegisterActivities(engine, "Eksempel Skole")
    for n in range(20):
        case = new_case()
        entry = build_register_entry(case, NOW).model_copy(update={"case_id": f"breach-2026-{n:04d}"})
        ActivityEnvironment().run(register.record_step, StepRecord(event=case.timeline[-1], entry=entry))
    with engine.begin() as conn:
        conn.execute(case_index.delete())
    with ThreadPoolExecutor(max_workers=2) as pool:
        added = list(pool.map(lambda _: backfill_case_index(engine, "Eksempel Skole"), range(2)))
    assert sum(added) == 20 and list_cases(engine, limit=100).total == 20
