"""Two organisations with one DPO side by side in one deployment: each nøgleperson sees and acts only on her
own organisation's cases; the DPO serving both sees both; a third organisation is added without a restart."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from fastapi import FastAPI
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from app.settings import Settings
from tests.support import CaseDriver, MailBox
from tests.web.support import PASSWORD, csrf_of, log_in
from web.app import create_app
from web.roles import WebRole
from workflows.breach import BreachCaseWorkflow

ROOT = Path(__file__).resolve().parents[2]


def _slug(prefix: str) -> str:
    """Unique per test (the Temporal server is shared, and each organisation's series starts at 0001)."""
    return prefix + "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:8])


def _organisation(folder: Path, slug: str, name: str, key_person: tuple[str, str]) -> None:
    (folder / f"{slug}.yaml").write_text(yaml.safe_dump({
        "id": slug, "name": name, "cvr": "12345678",
        "key_person": {"name": key_person[0], "email": key_person[1]},
        "dpo": {"name": "Dorthe DPO", "email": "dorthe@kommune.dk"},
        "management_emails": [f"ledelse@{slug}.dk"],
        "inventory_file": str(ROOT / "examples" / "inventory.yaml"),
    }, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def town(settings: Settings, env: WorkflowEnvironment, worker: None, tmp_path: Path) -> tuple[FastAPI, str, str]:
    """A municipality's workspace serving two schools; Mille works at the west school, Karin at the east,
    Dorthe is the DPO of both."""
    folder = tmp_path / "organisations"
    folder.mkdir()
    west, east = _slug("vest"), _slug("oest")
    _organisation(folder, west, "Vestskolen", ("Mille Vest", "mille@vest.dk"))
    _organisation(folder, east, "Østskolen", ("Karin Øst", "karin@oest.dk"))

    async def client_factory(_: Settings) -> Client:
        return Client(env.client.service_client, namespace=env.client.namespace,
                      data_converter=env.client.data_converter)

    app = create_app(settings.model_copy(update={"session_secret": SecretStr("o" * 43), "organisations_dir": folder}),
                     client_factory)
    accounts = app.state.accounts
    for email, name, roles, organisations in (
            ("mille@vest.dk", "Mille Vest", [WebRole.EMPLOYEE, WebRole.KEY_PERSON], [west]),
            ("karin@oest.dk", "Karin Øst", [WebRole.EMPLOYEE, WebRole.KEY_PERSON], [east]),
            ("dorthe@kommune.dk", "Dorthe DPO", [WebRole.DPO], [west, east])):
        accounts.add(email, name, roles, PASSWORD)
        accounts.set_organisations(email, organisations)
    return app, west, east


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def _report(client: httpx.AsyncClient, what: str, organisation: str | None = None) -> str:
    form = await client.get("/brud/ny", params={"organisation": organisation} if organisation else None)
    assert 'name="organisation"' in form.text, form.text[:500]
    aware = (datetime.now(ZoneInfo("Europe/Copenhagen")) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    done = await client.post("/brud/ny", data={
        "what_happened": what, "aware_at": aware, "affected_people": "Elever", "affected_data": "Navne",
        "how_discovered": "En lærer", "organisation": re.search(r'name="organisation" value="([^"]*)"',
                                                               form.text).group(1),
        "csrf_token": csrf_of(form.text)})
    assert done.status_code == 200, done.text[:500]
    return re.search(r"nummer <strong>([^<]+)</strong>", done.text).group(1)


async def _listed(client: httpx.AsyncClient, case_id: str, params: dict | None = None) -> bool:
    for _ in range(100):
        if case_id in (await client.get("/", params=params)).text:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_two_schools_one_dpo_each_key_person_sees_only_her_own(town, mailbox: MailBox):
    app, west, east = town
    async with _client(app) as mille, _client(app) as karin, _client(app) as dorthe:
        for client, email in ((mille, "mille@vest.dk"), (karin, "karin@oest.dk"), (dorthe, "dorthe@kommune.dk")):
            await log_in(client, email)
        west_case = await _report(mille, "Elevliste på forkert mail")
        east_case = await _report(karin, "Karakterark i printeren")
        assert west_case.startswith(f"breach-{west}-") and west_case.endswith("-0001")
        assert east_case.startswith(f"breach-{east}-") and east_case.endswith("-0001")  # each its own series

        assert await _listed(mille, west_case) and await _listed(karin, east_case)
        assert east_case not in (await mille.get("/")).text and west_case not in (await karin.get("/")).text
        assert await _listed(dorthe, west_case, {"alle": "1"}) and await _listed(dorthe, east_case, {"alle": "1"})

        # Another school's case does not exist for Mille: not its page, not its actions, not its report.
        assert (await mille.get(f"/brud/{east_case}")).status_code == 404
        page = await mille.get(f"/brud/{west_case}")
        forged = await mille.post(f"/brud/{east_case}/handling/assess_breach",
                                  data={"is_breach": "true", "reason": "x", "csrf_token": csrf_of(page.text)})
        assert forged.status_code == 404
        handle = app.state.client.get_workflow_handle(east_case)
        await CaseDriver.settle(handle)
        assert [e.action for e in (await handle.query(BreachCaseWorkflow.view)).timeline] == ["report"]
        assert (await mille.get(f"/brud/{east_case}/rapport")).status_code == 404

        # Registers: each key person her own school's, the DPO both.
        assert west_case in (await mille.get("/register/brud")).text
        assert east_case not in (await mille.get("/register/brud")).text
        assert east_case not in (await mille.get("/register/brud.csv")).text
        both = (await dorthe.get("/register/brud")).text
        assert west_case in both and east_case in both

        # The DPO acts in both; each case runs under its own school's policy and people.
        assert (await dorthe.get(f"/brud/{east_case}")).status_code == 200
        east_mails = await mailbox.wait_for(east_case, 1)
        assert any("karin@oest.dk" in str(m["To"]) for m in east_mails)
        assert not any("mille@vest.dk" in str(m["To"]) for m in east_mails)


async def test_the_dpo_of_both_chooses_where_a_report_belongs(town):
    app, west, east = town
    async with _client(app) as dorthe:
        await log_in(dorthe, "dorthe@kommune.dk")
        chooser = await dorthe.get("/brud/ny")
        assert "Vestskolen" in chooser.text and "Østskolen" in chooser.text and 'name="what_happened"' not in chooser.text
        case_id = await _report(dorthe, "Mistet USB-nøgle", organisation=east)
        assert case_id.startswith(f"breach-{east}-")
        page = await dorthe.get("/brud/ny", params={"organisation": west})
        refused = await dorthe.post("/brud/ny", data={"organisation": "ukendt", "csrf_token": csrf_of(page.text)})
        assert refused.status_code == 403


async def test_an_organisation_added_to_the_folder_takes_cases_without_a_restart(town, settings: Settings):
    app, west, _ = town
    folder = app.state.settings.organisations_dir
    north = _slug("nord")
    _organisation(folder, north, "Nordskolen", ("Nina Nord", "nina@nord.dk"))
    app.state.accounts.add("nina@nord.dk", "Nina Nord", [WebRole.EMPLOYEE, WebRole.KEY_PERSON], PASSWORD)
    app.state.accounts.set_organisations("nina@nord.dk", [north])
    async with _client(app) as nina:
        await log_in(nina, "nina@nord.dk")
        case_id = await _report(nina, "Forkert modtager")
        assert case_id.startswith(f"breach-{north}-")
