"""The `gdpr` command line as a person uses it, against the real dev server."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from temporalio.testing import WorkflowEnvironment

from activities.db import breach_register
from domain.kernel.deadlines import format_da
from app.mailsink import free_port
from app.settings import Settings
from tests.workspace import Workspace, gdpr

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
REPORT = ["breach", "report", "--what", "Elevliste sendt forkert", "--how", "En forælder ringede",
          "--affected-people", "Elever i 7.A", "--affected-data", "Navn, CPR-nummer"]


async def test_report_refuses_bad_input_naming_the_field(env: WorkflowEnvironment, settings: Settings,
                                                         workspace: Workspace):
    run = await gdpr(env, settings, *REPORT, "--aware-at", "2999-01-01T10:00+01:00", person="employee",
                     workspace=workspace)
    assert run.returncode == 2 and "aware_at: cannot be in the future" in run.stderr
    run = await gdpr(env, settings, *REPORT, "--aware-at", "yesterday", person="employee", workspace=workspace)
    assert run.returncode == 2 and "not an ISO-8601 time" in run.stderr
    run = await gdpr(env, settings, *REPORT, "--aware-at", "now", "--role", "processor", person="employee",
                     workspace=workspace)
    assert run.returncode == 2 and "controller: required when the organisation is processor" in run.stderr


async def test_people_commands_act_only_with_a_valid_personal_token(env: WorkflowEnvironment, settings: Settings,
                                                                     workspace: Workspace):
    run = await gdpr(env, settings, *REPORT, "--aware-at", "now", workspace=workspace)  # no token
    assert run.returncode == 2 and "create a personal token" in run.stderr and f"{workspace.url}/konto" in run.stderr
    run = await gdpr(env, settings, *REPORT, "--aware-at", "now", workspace=workspace,
                     extra_env={"GDPR_TOKEN": "forged-or-revoked"})
    assert run.returncode == 2 and "a valid personal token is required" in run.stderr
    run = await gdpr(env, settings, "case", "act", "breach-2026-0001", "assess_breach", "--as", "dpo",
                     person="key_person", workspace=workspace)
    assert run.returncode == 2 and "unrecognized arguments: --as dpo" in run.stderr  # the CLI names nobody's role
    run = await gdpr(env, settings, *REPORT, "--aware-at", "now", person="employee", workspace=workspace,
                     extra_env={"GDPR_PUBLIC_URL": f"http://127.0.0.1:{free_port()}"})
    assert run.returncode == 3 and "cannot reach the workspace" in run.stderr
    with workspace.app.state.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(breach_register)).scalar() == 0


async def test_report_act_show_list_and_export_a_case(env: WorkflowEnvironment, settings: Settings,
                                                      workspace: Workspace):
    # Relative to today, so the case is open (not overdue) on whatever day the suite runs.
    aware = (datetime.now(timezone.utc) - timedelta(hours=5)).replace(second=0, microsecond=0)
    run = await gdpr(env, settings, *REPORT, "--aware-at", aware.isoformat(), "--json", person="employee",
                     workspace=workspace)
    assert run.returncode == 0, run.stderr
    case_id = json.loads(run.stdout)["case_id"]
    assert case_id == f"breach-{aware.astimezone(COPENHAGEN).year}-0001"
    assert datetime.fromisoformat(json.loads(run.stdout)["deadline"]) == aware + timedelta(hours=72)

    run = await gdpr(env, settings, "case", "act", case_id, "assess_breach", "--set", "is_breach=true",
                     "--set", "reason=CPR-numre til uvedkommende", person="employee", workspace=workspace)
    assert run.returncode == 2 and "no role that may take 'assess_breach'" in run.stderr  # an employee reports only
    run = await gdpr(env, settings, "case", "act", case_id, "assess_breach", "--set", "is_breach=true",
                     "--set", "reason=CPR-numre til uvedkommende", person="key_person", workspace=workspace)
    assert run.returncode == 0, run.stderr
    assert "Stands bruddet og begræns skaden" in run.stdout

    run = await gdpr(env, settings, "case", "act", case_id, "contain", "--set", "system_stopped=maybe",
                     person="key_person", workspace=workspace)
    assert run.returncode == 2 and "measures: Field required" in run.stderr and "system_stopped" in run.stderr
    run = await gdpr(env, settings, "case", "act", case_id, "close", "--set", "lessons_learned=x",
                     person="key_person", workspace=workspace)
    assert run.returncode == 2 and "refused: 'close' is not possible in state 'containment'" in run.stderr

    run = await gdpr(env, settings, "case", "show", case_id, "--json")
    view = json.loads(run.stdout)
    assert view["state"] == "containment" and view["next_actor"] == "key_person"
    assert [(e["actor"]["role"], e["actor"]["name"]) for e in view["timeline"]] == [
        ("reporter", "Rasmus Pedersen"), ("key_person", "Mille")]  # the token's people, the server's roles
    run = await gdpr(env, settings, "case", "show", case_id)
    assert "Tid tilbage" in run.stdout or "tid tilbage" in run.stdout

    # The list reads the case index, which the register activity updates right after each step.
    for _ in range(40):
        run = await gdpr(env, settings, "cases", "--json")
        listed = {item["case_id"]: item for item in json.loads(run.stdout)}
        if listed.get(case_id, {}).get("state") == "containment":
            break
        await asyncio.sleep(0.25)
    assert listed[case_id]["next_role_da"] == "nøgleperson" and not listed[case_id]["deadline_met"]
    run = await gdpr(env, settings, "cases")
    line = next(line for line in run.stdout.splitlines() if line.startswith(case_id))
    assert "Stands bruddet og begræns skaden" in line and "nøgleperson" in line
    assert format_da(aware + timedelta(hours=72)) in line and "containment" not in line

    await asyncio.sleep(1)  # the register row is written by an activity right after the step
    run = await gdpr(env, settings, "register", "export", "--format", "json")
    rows = json.loads(run.stdout)
    assert rows[0]["case_id"] == case_id and rows[0]["f1_discovered_by"] == "Rasmus Pedersen <rasmus@skole.dk>"
    run = await gdpr(env, settings, "register", "export", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(run.stdout)))
    assert table[0]["case_id"] == case_id and "f8_1_reason_not_notified" in table[0]
