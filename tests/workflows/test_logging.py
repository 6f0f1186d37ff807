"""Logs are JSON with the case id on every workflow and activity line, and hold no personal data."""

from __future__ import annotations

import io
import json

from app.logging_setup import configure_logging
from tests.support import REPORTER, CaseDriver
from tests.workflows.support import run_high_risk_case


async def test_logs_carry_the_case_id_and_no_personal_data(driver: CaseDriver):
    stream = io.StringIO()
    configure_logging(stream=stream)
    try:
        handle = await driver.open()
        await run_high_risk_case(driver, handle)
    finally:
        configure_logging()
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    case_lines = [entry for entry in lines if entry.get("logger", "").startswith(("temporalio.workflow",
                                                                                 "temporalio.activity"))]
    assert len(case_lines) > 20
    assert all(entry.get("case_id") == handle.id for entry in case_lines), "every case line names its case"
    assert {entry["event"] for entry in case_lines} >= {"case opened", "action recorded", "mail sent",
                                                        "register row written", "case closed"}
    text = stream.getvalue()
    for personal in (REPORTER.name, REPORTER.email, "Mille Nordstrand", "noegleperson@", "CPR-numre sendt",
                     "Elevliste", "7.A", "Identitetsmisbrug", "dpo@eksempel-skole.dk"):
        assert personal not in text, f"personal data in logs: {personal}"


async def test_request_logs_carry_the_request_id_and_none_of_the_persons_data(requests):
    stream = io.StringIO()
    configure_logging(stream=stream)
    try:
        handle = await requests.open("access")
        await requests.verify(handle)
        await requests.wait_state(handle, "processing")
        await requests.complete_archive(handle, result="Elevsag for Emil Jensen fundet")
        await requests.approve(handle)
        await handle.result()
    finally:
        configure_logging()
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    case_lines = [e for e in lines if e.get("logger", "").startswith(("temporalio.workflow", "temporalio.activity"))]
    assert case_lines and all(e.get("case_id") == handle.id for e in case_lines)
    assert {"request opened", "system action done", "mail sent", "request closed"} <= {e["event"] for e in case_lines}
    text = stream.getvalue()
    for personal in ("Karen", "karen.jensen", "Emil", "E1001", "Skolevej", "Dansk"):
        assert personal not in text, f"personal data in logs: {personal}"
