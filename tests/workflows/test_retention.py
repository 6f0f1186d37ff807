"""Retention both ways: the purge removes exactly what outlived its period; schedules and namespace retention.

Closing times are set relative to the workflow's own clock (the test server's "now"), so the
tests hold on any day: one case closed five years and a day ago, one a year ago.
"""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client, ScheduleActionExecutionStartWorkflow, ScheduleActionStartWorkflow
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities import audit
from activities.db import (
    audit_log, breach_register, case_events, case_index, case_keys, connector_progress, connector_runs, dead_letters, dsr_register,
    make_engine, outbox, restrictions,
)
from activities.register import RegisterActivities, RequestStepRecord, StepRecord
from activities.retention import ExpiredCasesQuery, NotExpired, PurgeCaseRequest, RetentionActivities, RetentionPeriods
from domain.requests.register import RequestRegisterEntry
from domain.kernel.model import SYSTEM, TimelineEvent
from domain.breach.register import build_register_entry
from app.schedules import MONTHLY_ID, QUARTERLY_ID, RETENTION_ID, ensure_namespace_retention, ensure_schedules
from app.settings import Settings
from app.logging_setup import configure_logging
from tests.support import REPORTER, CaseDriver
from tests.unit.cases import NOW, S, case_in
from tests.workflows.support import run_high_risk_case
from workflows.retention import PurgeReport, RetentionPurgeWorkflow

CASE_ROWS = (breach_register.c.case_id, dsr_register.c.request_id, case_events.c.case_id, outbox.c.case_id,
             connector_runs.c.request_id, connector_progress.c.request_id, restrictions.c.request_id,
             dead_letters.c.case_id, case_index.c.case_id)


class World:
    """The register database, the key database and the export folder of one test's worker."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings.database_url)
        self.keys = make_engine(settings.key_database_url)
        self.exports = settings.exports_dir

    def breach(self, case_id: str, closed_at: datetime | None) -> None:
        case = case_in(S.CLOSED)
        entry = build_register_entry(case, NOW).model_copy(update={"case_id": case_id, "closed_at": closed_at})
        for event in case.timeline:
            ActivityEnvironment().run(RegisterActivities(self.engine).record_step, StepRecord(event=event, entry=entry))
        self._leftovers(case_id)

    def request(self, request_id: str, closed_at: datetime) -> None:
        entry = RequestRegisterEntry(
            request_id=request_id, type="access", channel="email", state="closed", received_at=closed_at - timedelta(days=20),
            deadline=closed_at + timedelta(days=10), extended=False, extension_reasons=None, on_behalf=None,
            identity_method="registered_address", verified_at=closed_at - timedelta(days=19), refusal_ground=None,
            refusal_reasons=None, systems="{}", identifiers='{"elevnummer": "E1001"}', answered_at=closed_at,
            in_time=True, overdue=False, closed_at=closed_at, updated_at=closed_at)
        event = TimelineEvent(seq=1, at=closed_at, actor=SYSTEM, action="close", summary="Afsluttet")
        ActivityEnvironment().run(RegisterActivities(self.engine).record_request_step,
                                  RequestStepRecord(event=event, entry=entry))
        self._leftovers(request_id)

    def _leftovers(self, case_id: str) -> None:
        """What else a case leaves: two mails, a connector result, a restriction, a dead letter, an export file,
        its key."""
        with self.engine.begin() as conn:
            for n in range(2):
                conn.execute(insert(outbox).values(message_id=f"<{case_id}.{n}@gdpr.local>", case_id=case_id,
                                                   mail_key=f"{case_id}.m{n}", recipients="x@skole.dk", subject="Emne",
                                                   status="sent", attempts=1))
            conn.execute(insert(connector_runs).values(request_id=case_id, system_id="elevdb", action="access",
                                                       result="{}"))
            conn.execute(insert(connector_progress).values(request_id=case_id, system_id="elevdb", action="access",
                                                           table_name="elever", state="done", plan="{}"))
            conn.execute(insert(restrictions).values(request_id=case_id, system_id="elevdb", table_name="elever",
                                                     row_key="E1001", restricted_at=datetime.now(timezone.utc)))
            conn.execute(insert(dead_letters).values(
                letter_id=f"{case_id}/1", case_id=case_id, effect_kind="mail", effect_key=f"{case_id}.m1",
                error_type="SMTPRecipientsRefused", error_message="SMTP 550", failed_at=datetime.now(timezone.utc),
                failures=1, status="discarded"))
        (self.exports / case_id).mkdir(parents=True, exist_ok=True)
        (self.exports / case_id / f"{case_id}-indsigt.json").write_text("{}")
        with self.keys.begin() as conn:
            conn.execute(insert(case_keys).values(case_id=case_id, wrapped_key="d3JhcHBlZA==",
                                                  created_at=datetime.now(timezone.utc)))

    def holds(self, case_id: str) -> dict[str, int]:
        """Everything of one case still held, by place."""
        with self.engine.connect() as conn:
            held = {str(col.table.name): conn.execute(select(func.count()).where(col == case_id)).scalar_one()
                    for col in CASE_ROWS}
            held["audit bodies"] = conn.execute(select(func.count()).where(
                audit_log.c.case_id == case_id, audit_log.c.kind != "purge", audit_log.c.body.is_not(None))).scalar_one()
        with self.keys.connect() as conn:
            held["key"] = conn.execute(select(func.count()).where(case_keys.c.case_id == case_id)).scalar_one()
        held["export files"] = len(list((self.exports / case_id).glob("*")))
        return {place: n for place, n in held.items() if n}


def _periods(settings: Settings) -> RetentionPeriods:
    return RetentionPeriods(breach_retention_days=settings.breach_retention_days,
                            request_retention_days=settings.request_retention_days)


async def _purge(env: WorkflowEnvironment, settings: Settings) -> PurgeReport:
    with env.with_time_skipping_disabled():
        return await env.client.execute_workflow(RetentionPurgeWorkflow.run, _periods(settings),
                                                 id=f"purge-{uuid.uuid4().hex[:8]}", task_queue=settings.task_queue)


async def test_the_purge_removes_exactly_the_cases_past_their_period_and_the_chain_still_verifies(
        env: WorkflowEnvironment, settings: Settings, worker: None):
    world = World(settings)
    now = datetime.now(timezone.utc)
    five_years = timedelta(days=settings.breach_retention_days)
    three_years = timedelta(days=settings.request_retention_days)
    world.breach("breach-2021-0001", closed_at=now - five_years - timedelta(days=1))  # expired
    world.breach("breach-2025-0002", closed_at=now - timedelta(days=365))  # younger: kept
    world.breach("breach-2019-0003", closed_at=None)  # never closed: kept, however old
    world.request("dsr-2023-0001", closed_at=now - three_years - timedelta(days=1))  # expired
    world.request("dsr-2024-0002", closed_at=now - three_years + timedelta(days=2))  # not yet: kept
    kept = {case_id: world.holds(case_id) for case_id in ("breach-2025-0002", "breach-2019-0003", "dsr-2024-0002")}

    report = await _purge(env, settings)

    assert sorted(p.case_id for p in report.purged) == ["breach-2021-0001", "dsr-2023-0001"] and report.failed == []
    assert world.holds("breach-2021-0001") == {} and world.holds("dsr-2023-0001") == {}
    assert {case_id: world.holds(case_id) for case_id in kept} == kept
    breach = next(p for p in report.purged if p.case_id == "breach-2021-0001")
    assert (breach.register_rows, breach.mails, breach.connector_results, breach.restrictions, breach.export_files,
            breach.key_destroyed) == (1, 2, 2, 1, 1, True)  # connector results: the run and its table's plan
    assert breach.timeline_events == len(case_in(S.CLOSED).timeline) and breach.audit_bodies > breach.timeline_events
    chain = audit.verify_chain(world.engine)
    assert chain.ok, chain.reason
    with world.engine.connect() as conn:
        purge_records = conn.execute(select(audit_log.c.case_id, audit_log.c.body).where(
            audit_log.c.kind == "purge")).all()
    assert sorted(r.case_id for r in purge_records) == ["breach-2021-0001", "dsr-2023-0001"]
    assert all("E1001" not in r.body and "Mille" not in r.body for r in purge_records)  # ids and counts only

    again = await _purge(env, settings)
    assert again.purged == [] and audit.verify_chain(world.engine).ok


def test_a_purge_repeated_after_its_register_transaction_finishes_the_rest_and_reports_the_same(
        settings: Settings):
    world = World(settings)
    closed = NOW - timedelta(days=10)
    world.breach("breach-2026-0007", closed_at=closed)
    purge = RetentionActivities(world.engine, world.keys, world.exports)
    later = closed + timedelta(days=settings.breach_retention_days, hours=1)  # "now", five years on
    first = ActivityEnvironment().run(purge.purge_case, PurgeCaseRequest(case_id="breach-2026-0007", now=later,
                                                                        **_periods(settings).model_dump()))
    # as if the first attempt died after its register transaction: the key and the files are back
    with world.keys.begin() as conn:
        conn.execute(insert(case_keys).values(case_id="breach-2026-0007", wrapped_key="eA==", created_at=later))
    (world.exports / "breach-2026-0007").mkdir(parents=True)
    (world.exports / "breach-2026-0007" / "a.json").write_text("{}")
    assert ActivityEnvironment().run(purge.expired_cases, _query(settings, later)) == ["breach-2026-0007"]
    second = ActivityEnvironment().run(purge.purge_case, PurgeCaseRequest(case_id="breach-2026-0007", now=later,
                                                                        **_periods(settings).model_dump()))
    assert second == first and world.holds("breach-2026-0007") == {}
    assert ActivityEnvironment().run(purge.expired_cases, _query(settings, later)) == []
    assert audit.verify_chain(world.engine).ok


async def test_a_real_case_leaves_a_verifiable_trail_ending_in_its_decisions_and_five_years_later_nothing_else(
        driver: CaseDriver, settings: Settings):
    handle = await driver.open(aware_hours_ago=3)
    await run_high_risk_case(driver, handle)
    world = World(settings)
    with world.engine.connect() as conn:
        kinds = [r.kind for r in conn.execute(select(audit_log.c.kind).where(audit_log.c.case_id == handle.id)
                                             .order_by(audit_log.c.position))]
        closed_at = conn.execute(select(breach_register.c.closed_at).where(
            breach_register.c.case_id == handle.id)).scalar_one()
        steps = conn.execute(select(func.count()).where(case_events.c.case_id == handle.id)).scalar_one()
    assert steps > 15 and kinds.count("event") == steps and kinds[-1] == "closed"
    assert audit.verify_chain(world.engine).ok

    purge = RetentionActivities(world.engine, world.keys, world.exports)
    later = closed_at.replace(tzinfo=timezone.utc) + timedelta(days=settings.breach_retention_days, minutes=1)
    assert ActivityEnvironment().run(purge.expired_cases, _query(settings, later)) == [handle.id]
    stream = io.StringIO()
    configure_logging(stream=stream)
    try:
        done = ActivityEnvironment().run(purge.purge_case, PurgeCaseRequest(case_id=handle.id, now=later,
                                                                            **_periods(settings).model_dump()))
    finally:
        configure_logging()
    logged = [json.loads(line) for line in stream.getvalue().splitlines() if '"case purged"' in line]
    assert len(logged) == 1 and logged[0]["purged_case"] == handle.id and logged[0]["mails"] == done.mails
    for personal in (REPORTER.name, REPORTER.email, "Mille Nordstrand", "CPR-numre", "Elevliste"):
        assert personal not in stream.getvalue()
    assert done.register_rows == 1 and done.timeline_events == steps and done.mails >= 10
    assert world.holds(handle.id) == {} and audit.verify_chain(world.engine).ok


def test_a_case_is_kept_until_its_period_has_run_out_and_an_open_case_is_never_purged(settings: Settings):
    world = World(settings)
    world.breach("breach-2026-0008", closed_at=NOW)
    world.breach("breach-2026-0009", closed_at=None)
    purge = RetentionActivities(world.engine, world.keys, world.exports)
    period = timedelta(days=settings.breach_retention_days)
    almost = NOW + period - timedelta(minutes=1)
    assert ActivityEnvironment().run(purge.expired_cases, _query(settings, almost)) == []
    assert ActivityEnvironment().run(purge.expired_cases, _query(settings, NOW + period + timedelta(minutes=1))) == [
        "breach-2026-0008"]
    # the purge itself checks again: asked too early, or for an open or unknown case, it removes nothing
    held = {case_id: world.holds(case_id) for case_id in ("breach-2026-0008", "breach-2026-0009")}
    for case_id, now in (("breach-2026-0008", almost), ("breach-2026-0009", NOW + 10 * period),
                         ("breach-2026-4040", NOW + 10 * period)):
        with pytest.raises(NotExpired):
            ActivityEnvironment().run(purge.purge_case, PurgeCaseRequest(case_id=case_id, now=now,
                                                                         **_periods(settings).model_dump()))
    assert {case_id: world.holds(case_id) for case_id in held} == held


def _query(settings: Settings, now: datetime) -> ExpiredCasesQuery:
    return ExpiredCasesQuery(now=now, **_periods(settings).model_dump())


async def test_the_worker_installs_a_daily_purge_schedule_that_starts_the_purge(
        env: WorkflowEnvironment, settings: Settings, worker: None):
    client: Client = env.client
    assert await ensure_schedules(client, settings) == [MONTHLY_ID, QUARTERLY_ID, RETENTION_ID]
    handle = client.get_schedule_handle(RETENTION_ID)
    described = await handle.describe()
    calendar = described.schedule.spec.calendars[0]
    assert [r.start for r in calendar.hour] == [3] and len(calendar.day_of_month) in (0, 1)
    action = described.schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow) and action.workflow == "RetentionPurge"
    await handle.trigger()
    for _ in range(100):
        described = await handle.describe()
        if described.info.recent_actions:
            break
        await asyncio.sleep(0.1)
    started = described.info.recent_actions[-1].action
    assert isinstance(started, ScheduleActionExecutionStartWorkflow)
    run_id = started.workflow_id
    report = await client.get_workflow_handle(run_id, result_type=PurgeReport).result()
    assert report.failed == []


async def test_the_namespace_keeps_closed_histories_as_long_as_the_settings_say(env: WorkflowEnvironment,
                                                                                 settings: Settings):
    client = env.client
    assert await ensure_namespace_retention(client, settings.model_copy(update={"temporal_retention_days": 3}))
    assert await ensure_namespace_retention(client, settings.model_copy(update={"temporal_retention_days": 400}))
    assert not await ensure_namespace_retention(client, settings.model_copy(update={"temporal_retention_days": 400}))
    described = await client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace=settings.temporal_namespace))
    assert described.config.workflow_execution_retention_ttl.ToTimedelta() == timedelta(days=400)
