"""Register steps that queued up, written together: in order, once, in the same transaction as the audit chain."""

from __future__ import annotations

from sqlalchemy import func, select
from temporalio.testing import ActivityEnvironment

from activities.audit import verify_chain
from activities.db import audit_log, breach_register, case_events, case_index, make_engine
from activities.register import RegisterActivities, StepBatch, StepRecord
from domain.breach.machine import Trigger as T
from domain.breach.case import act
from domain.breach.register import build_register_entry
from tests.unit.cases import NOW, commands, new_case


def _steps() -> list[StepRecord]:
    case = new_case()
    records = [StepRecord(event=case.timeline[-1], entry=build_register_entry(case, NOW))]
    for trigger, variant in ((T.ASSESS_BREACH, "yes"), (T.CONTAIN, ""), (T.INFORM_MANAGEMENT, "")):
        act(case, trigger, commands(trigger)[variant], NOW)
        records.append(StepRecord(event=case.timeline[-1], entry=build_register_entry(case, NOW)))
    return records


def test_queued_steps_are_written_in_order_once_and_the_row_shows_the_last(database_url: str):
    engine = make_engine(database_url)
    register = RegisterActivities(engine, "eksempel-skole")
    first, *queued = _steps()
    env = ActivityEnvironment()
    env.run(register.record_step, first)
    env.run(register.record_steps, StepBatch(records=queued))
    env.run(register.record_steps, StepBatch(records=queued))  # a retried batch adds nothing
    case_id = first.entry.case_id
    with engine.connect() as conn:
        events = conn.execute(select(case_events.c.seq, case_events.c.action).where(case_events.c.case_id == case_id)
                              .order_by(case_events.c.seq)).all()
        row = conn.execute(select(breach_register.c.state, breach_register.c.last_seq)
                           .where(breach_register.c.case_id == case_id)).one()
        listed = conn.execute(select(case_index.c.state, case_index.c.last_seq)
                              .where(case_index.c.case_id == case_id)).one()
        audited = conn.execute(select(func.count()).select_from(audit_log).where(audit_log.c.case_id == case_id)).scalar()
    assert [tuple(e) for e in events] == [(1, "report"), (2, "assess_breach"), (3, "contain"), (4, "inform_management")]
    assert tuple(row) == tuple(listed) == ("fact_finding", 4)
    assert audited == 4 and verify_chain(engine).ok


def test_an_earlier_step_written_after_a_batch_does_not_undo_it(database_url: str):
    engine = make_engine(database_url)
    register = RegisterActivities(engine, "eksempel-skole")
    steps = _steps()
    env = ActivityEnvironment()
    env.run(register.record_steps, StepBatch(records=steps[2:]))
    env.run(register.record_steps, StepBatch(records=steps[:2]))  # a dead letter retried after later steps
    with engine.connect() as conn:
        row = conn.execute(select(breach_register.c.state, breach_register.c.last_seq)
                           .where(breach_register.c.case_id == steps[0].entry.case_id)).one()
    assert tuple(row) == ("fact_finding", 4) and verify_chain(engine).ok
