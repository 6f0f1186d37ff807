"""The `gdpr` command line as a person uses it, against the real dev server."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from temporalio.testing import WorkflowEnvironment

from settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
REPORT = ["breach", "report", "--reporter-name", "Rasmus Pedersen", "--reporter-email", "rasmus@skole.dk",
          "--what", "Elevliste sendt forkert", "--how", "En forælder ringede",
          "--affected-people", "Elever i 7.A", "--affected-data", "Navn, CPR-nummer"]


async def gdpr(env: WorkflowEnvironment, settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    variables = {**os.environ, "GDPR_TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
                 "GDPR_TASK_QUEUE": settings.task_queue, "GDPR_DATABASE_URL": settings.database_url,
                 "GDPR_SETTINGS_FILE": "/nonexistent", "GDPR_EXPORTS_DIR": str(settings.exports_dir)}
    return await asyncio.to_thread(subprocess.run, [sys.executable, str(ROOT / "starter.py"), *args], cwd=ROOT,
                                   env=variables, capture_output=True, text=True, timeout=60)


async def test_report_refuses_bad_input_naming_the_field(env: WorkflowEnvironment, settings: Settings, worker):
    bad = [a if a != "rasmus@skole.dk" else "rasmus-at-skole" for a in REPORT]
    run = await gdpr(env, settings, *bad, "--aware-at", "now")
    assert run.returncode == 2 and "reporter.email" in run.stderr
    run = await gdpr(env, settings, *REPORT, "--aware-at", "2999-01-01T10:00+01:00")
    assert run.returncode == 2 and "aware_at: cannot be in the future" in run.stderr
    run = await gdpr(env, settings, *REPORT, "--aware-at", "yesterday")
    assert run.returncode == 2 and "not an ISO-8601 time" in run.stderr
    run = await gdpr(env, settings, *REPORT, "--aware-at", "now", "--role", "processor")
    assert run.returncode == 2 and "controller: required when the organisation is processor" in run.stderr


async def test_report_act_show_list_and_export_a_case(env: WorkflowEnvironment, settings: Settings, worker):
    # Relative to today, so the case is open (not overdue) on whatever day the suite runs.
    aware = (datetime.now(timezone.utc) - timedelta(hours=5)).replace(second=0, microsecond=0)
    run = await gdpr(env, settings, *REPORT, "--aware-at", aware.isoformat(), "--json")
    assert run.returncode == 0, run.stderr
    case_id = json.loads(run.stdout)["case_id"]
    assert case_id == f"breach-{aware.astimezone(COPENHAGEN).year}-0001"
    assert datetime.fromisoformat(json.loads(run.stdout)["deadline"]) == aware + timedelta(hours=72)

    run = await gdpr(env, settings, "case", "act", case_id, "assess_breach", "--name", "Mille",
                     "--set", "is_breach=true", "--set", "reason=CPR-numre til uvedkommende")
    assert run.returncode == 0, run.stderr
    assert "Stands bruddet og begræns skaden" in run.stdout

    run = await gdpr(env, settings, "case", "act", case_id, "contain", "--name", "Mille", "--set", "system_stopped=maybe")
    assert run.returncode == 2 and "measures: Field required" in run.stderr and "system_stopped" in run.stderr
    run = await gdpr(env, settings, "case", "act", case_id, "close", "--name", "Mille", "--set", "lessons_learned=x")
    assert run.returncode == 2 and "refused: 'close' is not possible in state 'containment'" in run.stderr

    run = await gdpr(env, settings, "case", "show", case_id, "--json")
    view = json.loads(run.stdout)
    assert view["state"] == "containment" and view["next_actor"] == "key_person"
    assert [e["actor"]["role"] for e in view["timeline"]] == ["reporter", "key_person"]
    run = await gdpr(env, settings, "case", "show", case_id)
    assert "Tid tilbage" in run.stdout or "tid tilbage" in run.stdout

    run = await gdpr(env, settings, "cases")
    assert run.returncode == 0 and case_id in run.stdout

    await asyncio.sleep(1)  # the register row is written by an activity right after the step
    run = await gdpr(env, settings, "register", "export", "--format", "json")
    rows = json.loads(run.stdout)
    assert rows[0]["case_id"] == case_id and rows[0]["f1_discovered_by"] == "Rasmus Pedersen <rasmus@skole.dk>"
    run = await gdpr(env, settings, "register", "export", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(run.stdout)))
    assert table[0]["case_id"] == case_id and "f8_1_reason_not_notified" in table[0]
