"""docker-compose.yml's shape on the real dev server: two workers polling one task queue, the register and
the example school on PostgreSQL, and a breach case and an access request run on them end to end."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select, text
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities import audit
from activities.case_index import list_cases
from activities.db import breach_register, case_events, dsr_register, make_engine
from scripts.example_school import create_example_school
from app.settings import Settings
from tests.postgres import PostgresForTests
from tests.support import CaseDriver, MailBox, RequestDriver
from app.worker import build_worker


@pytest.mark.postgres
async def test_two_workers_on_one_task_queue_run_a_breach_case_and_an_access_request_on_postgresql(
        env: WorkflowEnvironment, settings: Settings, postgres_url: str, postgres_server: PostgresForTests,
        mailbox: MailBox, monkeypatch: pytest.MonkeyPatch):
    school = str(create_example_school(postgres_server.create_database("school"), students=10))
    monkeypatch.setenv("GDPR_SCHOOL_DB_URL", school)
    on_postgres = settings.model_copy(update={"database_url": postgres_url})
    # A connection of its own, as a second worker process has (the SDK allows one worker per task queue
    # and client connection).
    other = await Client.connect(env.client.service_client.config.target_host, namespace=env.client.namespace,
                                 data_converter=env.client.data_converter)
    try:
        with ThreadPoolExecutor(max_workers=8) as first, ThreadPoolExecutor(max_workers=8) as second:
            async with build_worker(env.client, on_postgres, first), build_worker(other, on_postgres, second):
                cases = CaseDriver(env, on_postgres)
                breach = await cases.open(aware_hours_ago=2)
                await cases.to_fact_finding(breach)
                view = await cases.settle(breach)

                # The school's rows are read from PostgreSQL through GDPR_SCHOOL_DB_URL (the path is not used).
                requests = RequestDriver(env, on_postgres, Path("unused-school.db"))
                access = await requests.open("access")
                await requests.verify(access)
                await requests.wait_state(access, "processing")
                await requests.complete_archive(access)
                await requests.approve(access)
                result = await access.result()
    finally:
        postgres_server.drop_database(school)

    assert view.pending_effects == 0 and result.state == "closed" and result.in_time
    engine = make_engine(postgres_url)
    with engine.connect() as conn:
        assert conn.execute(select(breach_register.c.state).where(
            breach_register.c.case_id == breach.id)).scalar_one() == view.state
        steps = conn.execute(select(case_events.c.seq).where(case_events.c.case_id == breach.id)).scalars().all()
        assert steps == sorted(steps) and len(steps) == len(view.timeline)
        assert conn.execute(select(dsr_register.c.state).where(
            dsr_register.c.request_id == access.id)).scalar_one() == "closed"
        assert conn.execute(text("SELECT current_setting('TimeZone')")).scalar() == "UTC"
    assert audit.verify_chain(engine).ok
    listed = list_cases(engine, include_closed=True)
    assert {row.case_id for row in listed.rows} == {breach.id, access.id}
    answer = [m for m in mailbox.for_case(access.id) if "Svar på din anmodning" in m["Subject"]]
    assert len(answer) == 1 and "elever: 1 registrering(er)" in answer[0].get_body(("plain",)).get_content()
