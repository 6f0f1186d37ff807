"""`gdpr request …`, `gdpr requests`, `gdpr inventory`, `gdpr controls` as a person uses them."""

from __future__ import annotations

import asyncio
import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.requests.model import RequestCase
from app.settings import Settings
from tests.support import RequestDriver
from tests.workspace import Workspace, gdpr as run_gdpr

@pytest.fixture
def gdpr(env: WorkflowEnvironment, settings: Settings, workspace: Workspace):
    """`gdpr ARGS` as the nøgleperson (or `person`), with their personal token."""
    async def run(*args: str, person: str = "key_person") -> subprocess.CompletedProcess[str]:
        return await run_gdpr(env, settings, *args, person=person, workspace=workspace)
    return run


KAREN = ["--requester-name", "Karen Jensen", "--requester-email", "karen.jensen@example.dk",
         "--id", "email=karen.jensen@example.dk", "--id", "elevnummer=E1001"]


async def test_submit_refuses_bad_input_naming_the_field(gdpr, env: WorkflowEnvironment, settings: Settings, worker,
                                                        school_db: Path):
    run = await gdpr("request", "submit", "--type", "rectification", "--channel", "email", *KAREN)
    assert run.returncode == 2 and "corrections" in run.stderr
    run = await gdpr("request", "submit", "--type", "access", "--channel", "phone", *KAREN,
                     "--on-behalf", "parental_authority", "--subject-age", "19")
    assert run.returncode == 2 and "subject_age" in run.stderr
    run = await gdpr("request", "submit", "--type", "access", "--channel", "email", *KAREN,
                     "--received", "2999-01-01")
    assert run.returncode == 2 and "cannot be in the future" in run.stderr
    run = await gdpr("request", "submit", "--type", "restriction", "--channel", "email", *KAREN)
    assert run.returncode == 2 and "restriction_ground" in run.stderr and "accuracy_contested" in run.stderr


async def test_submit_takes_a_statement_a_restriction_ground_and_a_direct_marketing_objection(gdpr, 
        env: WorkflowEnvironment, settings: Settings, worker, school_db: Path):
    for extra in (["--type", "rectification", "--statement", "papirarkiv=Adressen i 2020 var midlertidig"],
                  ["--type", "restriction", "--restriction-ground", "legal_claims"],
                  ["--type", "objection", "--objection", "Skolefotografens tilbud", "--direct-marketing"]):
        run = await gdpr("request", "submit", "--channel", "email", *KAREN, *extra, "--json")
        assert run.returncode == 0, run.stderr
        request_id = json.loads(run.stdout)["request_id"]
        inp = (await env.client.get_workflow_handle(request_id).query("details", result_type=RequestCase)).inp
        # Numbers restart per register database, the server is shared: free the id for the next test.
        await env.client.get_workflow_handle(request_id).terminate("test done")
        assert inp.statements or inp.restriction_ground or inp.objection_direct_marketing
    run = await gdpr("request", "submit", "--channel", "email", *KAREN, "--type", "rectification",
                     "--statement", "ingen-lighedstegn")
    assert run.returncode == 2 and "--statement: expected SYSTEM=TEXT" in run.stderr


async def test_submit_verify_show_and_list_a_request(gdpr, env: WorkflowEnvironment, settings: Settings, worker,
                                                     school_db: Path):
    run = await gdpr("request", "submit", "--type", "access", "--channel", "email", *KAREN,
                     "--received", "2026-11-20T10:00+01:00", "--json")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["request_id"] == "dsr-2026-0001" and out["deadline"] == "2026-12-21T23:59:59+01:00"  # 20 Dec is a Sunday

    run = await gdpr("request", "act", "dsr-2026-0001", "complete_manual_task", "--set", "system_id=papirarkiv",
                     "--set", "result=x", person="system_owner")
    assert run.returncode == 2 and "not possible in state 'received'" in run.stderr
    run = await gdpr("request", "act", "dsr-2026-0001", "verify_identity",
                     "--set", "method=control_questions", "--set", "details=x")
    assert run.returncode == 2 and "a request by email is verified by" in run.stderr
    run = await gdpr("request", "act", "dsr-2026-0001", "verify_identity",
                     "--set", "method=registered_address", "--set", "details=Svarer til registeret",
                     "--set", "verified_email=karen.jensen@example.dk")
    assert run.returncode == 0, run.stderr

    run = await gdpr("request", "show", "dsr-2026-0001", "--json")
    view = json.loads(run.stdout)
    assert view["verified"] and view["type"] == "access"
    for _ in range(40):  # the list reads the case index, updated by the register activity after each step
        run = await gdpr("requests")
        line = next((line for line in run.stdout.splitlines() if line.startswith("dsr-2026-0001")), "")
        if "Udfør handlingen i alle systemer" in line:  # verified: the system owners act next
            break
        await asyncio.sleep(0.25)
    assert "indsigt (art. 15)" in line and "21. december 2026 kl. 23:59" in line and "systemejer" in line


async def test_inventory_and_control_reports_are_shown(gdpr, env: WorkflowEnvironment, settings: Settings, worker,
                                                       school_db: Path):
    run = await gdpr("inventory")
    assert run.returncode == 0 and "papirarkiv: Papirarkiv på kontoret" in run.stdout and "manuel opgave" in run.stdout
    run = await gdpr("controls", "run", "quarterly", "--period", "2026-Q3")
    assert run.returncode == 0, run.stderr
    assert "Kvartalsvis gennemgang af sikkerhedsbrudsloggen, 2026-Q3" in run.stdout
    run = await gdpr("controls", "reports")
    assert "quarterly-2026-Q3: 0 afvigelse(r)" in run.stdout


async def test_a_further_copy_names_an_answered_access_request_of_the_same_person_and_its_fee_is_recorded(gdpr, 
        env: WorkflowEnvironment, settings: Settings, requests: RequestDriver):
    earlier = await requests.open("access")
    # Numbers restart per register database and dsr-2026-0001 is still open from another test: another year.
    submit = ["request", "submit", "--type", "access", "--channel", "email", *KAREN, "--json",
              "--received", "2025-12-01T10:00+01:00"]
    run = await gdpr(*submit, "--further-copy-of", earlier.id)
    assert run.returncode == 2 and "is not an answered access request" in run.stderr  # not answered yet
    await requests.verify(earlier)
    await requests.wait_state(earlier, "processing")
    await requests.complete_archive(earlier)
    await requests.approve(earlier)
    await earlier.result()
    other = ["--requester-name", "Sofie Lund", "--requester-email", "sofie.lund@example.dk",
             "--id", "email=sofie.lund@example.dk"]
    run = await gdpr("request", "submit", "--type", "access", "--channel", "email", *other,
                     "--further-copy-of", earlier.id)
    assert run.returncode == 2 and "concerns another person" in run.stderr

    run = await gdpr(*submit, "--further-copy-of", earlier.id)
    assert run.returncode == 0, run.stderr
    request_id = json.loads(run.stdout)["request_id"]
    run = await gdpr("request", "act", request_id, "charge_fee",
                     "--set", "ground=further_copy", "--set", "amount_dkk=95.50",
                     "--set", "reasons=Tredje kopi i år", "--set", "cost_basis=15 minutter à 382 kr. i timen")
    assert run.returncode == 0, run.stderr
    case = await env.client.get_workflow_handle(request_id).query("details", result_type=RequestCase)
    await env.client.get_workflow_handle(request_id).terminate("test done")
    assert case.inp.further_copy_of == earlier.id and case.fee.amount_dkk == Decimal("95.50")
