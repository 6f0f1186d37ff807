"""`gdpr request submit` refuses identifiers and corrections that could reach the wrong person."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from app.settings import Settings
from tests.workspace import Workspace, gdpr

LARS = ["--requester-name", "Lars Holt", "--requester-email", "lars.holt@example.dk"]


@pytest.mark.parametrize("args, message", [
    (["--type", "access", "--id", "cpr=010101-1234"], "'cpr' is not an identifier any system in the inventory knows"),
    (["--type", "access", "--id", "elevnummer= "], "identifiers.elevnummer: String should have at least 1 character"),
    (["--type", "rectification", "--id", "elevnummer=E9031", "--correction", "elevadministration.elever.begraenset=0"],
     "'begraenset' is not a data column of elevadministration.elever"),
    (["--type", "access", "--on-behalf", "parental_authority", "--subject-age", "9", "--id", "email=lars.holt@example.dk"],
     "a parent acting for a child identifies the child"),
])
async def test_submit_refuses_identifiers_and_corrections_the_inventory_does_not_back(
        env: WorkflowEnvironment, settings: Settings, workspace: Workspace, school_db: Path, args: list[str],
        message: str):
    run = await gdpr(env, settings, "request", "submit", "--channel", "email", *LARS, *args, person="key_person",
                     workspace=workspace)
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr
