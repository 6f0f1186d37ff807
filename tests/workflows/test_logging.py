"""Logs are JSON with the case id on every workflow and activity line, and hold no personal data."""

from __future__ import annotations

import io
import json

from logging_setup import configure_logging
from tests.support import REPORTER, CaseDriver
from tests.workflows.test_full_case import run_high_risk_case


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
