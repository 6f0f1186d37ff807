"""The periodic controls: the monthly control finds an erasure that did not hold; schedules exist."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from temporalio.client import Client

from domain.requests import model as d
from domain.controls import ControlReport, Period
from app.schedules import MONTHLY_ID, QUARTERLY_ID, RETENTION_ID, ensure_schedules
from app.settings import Settings
from tests.support import KEY_PERSON, MailBox, RequestDriver
from tests.workflows.support import run_high_risk_case
from workflows.controls import ControlInput, MonthlyRequestControlWorkflow, QuarterlyBreachReviewWorkflow

E = "E1001"


def _this_period() -> Period:
    now = datetime.now(timezone.utc)
    return Period(start=now - timedelta(days=2), end=now + timedelta(days=1), label=f"test-{uuid.uuid4().hex[:6]}")


async def _erase(requests: RequestDriver) -> str:
    handle = await requests.open("erasure")
    await requests.verify(handle)
    await requests.act(handle, "assess_erasure", d.AssessErasure(
        actor=KEY_PERSON, purpose_no_longer_present=True, no_outstanding_obligations=True, reasons="Fraflyttet"))
    await requests.wait_state(handle, "processing")
    await requests.complete_archive(handle, result="Intet i arkivet")
    await requests.approve(handle)
    await handle.result()
    return handle.id


async def _control(requests: RequestDriver, period: Period) -> ControlReport:
    settings = requests.settings
    with requests.env.with_time_skipping_disabled():
        return await requests.env.client.execute_workflow(
            MonthlyRequestControlWorkflow.run, ControlInput(responsible=settings.key_person, dpo=settings.dpo,
                                                            period=period),
            id=f"control-{period.label}", task_queue=settings.task_queue)


async def test_the_monthly_control_finds_an_erasure_that_did_not_take_effect(requests: RequestDriver, mailbox: MailBox):
    request_id = await _erase(requests)
    clean = await _control(requests, _this_period())
    assert clean.findings == [] and f"{request_id}, anmodning om sletning (art. 17): besvaret rettidigt" in clean.text

    # Someone restores the photo consent from a backup: the erasure no longer holds.
    requests.rows("insert into foto_samtykke (foraelder_email, elevnummer, billede, givet_dato) "
                  "values ('karen.jensen@example.dk', ?, 'gendannet.jpg', '2025-08-15')", E)
    report = await _control(requests, _this_period())
    assert report.findings == [f"{request_id}: not in effect in foto: foto_samtykke: 1 row(s) still present"]
    mail = next(m for m in mailbox.for_case(f"control-{report.report_id}"))
    assert "AFVIGELSE" in mail.get_content() and "1 afvigelse" in mail["Subject"]


async def test_the_quarterly_review_reads_the_breach_register(requests: RequestDriver, driver, mailbox: MailBox):
    handle = await driver.open(aware_hours_ago=2)
    await run_high_risk_case(driver, handle)
    settings = requests.settings
    with requests.env.with_time_skipping_disabled():
        report = await requests.env.client.execute_workflow(
            QuarterlyBreachReviewWorkflow.run, ControlInput(responsible=settings.key_person, dpo=settings.dpo,
                                                            period=_this_period()),
            id=f"review-{uuid.uuid4().hex[:6]}", task_queue=settings.task_queue)
    assert f"{handle.id}: lukket; risiko: høj risiko; anmeldt" in report.text and report.findings == []


async def test_the_worker_installs_monthly_and_quarterly_schedules(env, settings: Settings):
    client: Client = env.client
    assert await ensure_schedules(client, settings) == [MONTHLY_ID, QUARTERLY_ID, RETENTION_ID]
    assert await ensure_schedules(client, settings) == [MONTHLY_ID, QUARTERLY_ID, RETENTION_ID]  # idempotent
    monthly = await client.get_schedule_handle(MONTHLY_ID).describe()
    calendar = monthly.schedule.spec.calendars[0]
    assert [r.start for r in calendar.day_of_month] == [1] and len(calendar.month) == 12
    assert monthly.schedule.spec.time_zone_name == "Europe/Copenhagen"
    quarterly = await client.get_schedule_handle(QUARTERLY_ID).describe()
    assert [r.start for r in quarterly.schedule.spec.calendars[0].month] == [1, 4, 7, 10]
