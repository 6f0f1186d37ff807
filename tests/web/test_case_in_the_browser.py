"""A breach case advanced in the workspace: actions as forms, roles from the login, four eyes, nothing leaks."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from temporalio.client import Client

from tests.support import CaseDriver
from tests.web.support import csrf_of, log_in


async def _report(client: httpx.AsyncClient) -> str:
    form = await client.get("/brud/ny")
    aware = (datetime.now(ZoneInfo("Europe/Copenhagen")) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    done = await client.post("/brud/ny", data={
        "what_happened": "Karakterark sendt til forkert klasse", "aware_at": aware,
        "affected_people": "Elever i 9.B", "affected_data": "Navne og karakterer",
        "how_discovered": "En elev sagde det", "csrf_token": csrf_of(form.text)})
    return re.search(r"nummer <strong>([^<]+)</strong>", done.text).group(1)


async def _act(client: httpx.AsyncClient, case_id: str, action: str, data: dict) -> httpx.Response:
    page = await client.get(f"/brud/{case_id}")
    return await client.post(f"/brud/{case_id}/handling/{action}", data={**data, "csrf_token": csrf_of(page.text)})


async def _listed(client: httpx.AsyncClient, case_id: str) -> bool:
    for _ in range(100):
        page = await client.get("/")
        if "Mine opgaver" in page.text and case_id in page.text:
            return True
        await asyncio.sleep(0.1)
    return False


async def _history_length(web: FastAPI, case_id: str) -> int:
    client: Client = web.state.client
    handle = client.get_workflow_handle(case_id)
    await CaseDriver.settle(handle)  # mails and register writes still running would add events
    return len((await handle.fetch_history()).events)


async def test_the_key_person_advances_a_case_the_author_cannot_approve_and_the_dpo_does(
        web: FastAPI, browser: httpx.AsyncClient):
    await log_in(browser, "mille@skole.dk")  # nøgleperson (and employee)
    case_id = await _report(browser)
    assert await _listed(browser, case_id)  # the register activity keeps the list; it runs right after

    page = await browser.get(f"/brud/{case_id}")
    assert "Vurdér om hændelsen er et brud" in page.text and "assess_breach" not in page.text.split("<form")[0]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("assess_breach", {"is_breach": "true", "reason": "Karakterer til uvedkommende"}),
        ("contain", {"measures": "Beskeden trukket tilbage", "system_stopped": "false"}),
        ("inform_management", {"crisis_team": ["Skoleleder", "DPO"]}),
        ("record_facts", {"facts.breach_types": "confidentiality", "facts.data_categories": ["identity"],
                          "facts.subject_categories": ["elever"]}),
        ("assess_notification", {"level": "risk", "reasons": "Karakterer til 25 elever",
                                 "deviation_reason": "Vi anmelder af forsigtighed"}),
        ("submit_notification_draft", {"likely_consequences": "Krænkelse af elevernes privatliv",
                                       "measures_proposed": "Tjek af modtagerlister"}),
    ]
    for action, data in steps:
        response = await _act(browser, case_id, action, data)
        assert response.status_code == 303, (action, response.status_code, re.findall(r'class="error"[^>]*>([^<]+)', response.text))
        if action == "record_facts":  # the engine's proposal, with its reasons, until the decision is taken
            shown = (await browser.get(f"/brud/{case_id}")).text
            assert "Forslag til risikovurdering" in shown and "Anmeld til Datatilsynet: <strong>ja</strong>" in shown
    assert "Forslag til risikovurdering" not in (await browser.get(f"/brud/{case_id}")).text

    # The nøgleperson holds no DPO role: the approve form is not offered, and a forged POST is refused here.
    page = await browser.get(f"/brud/{case_id}")
    assert "/handling/review_draft" not in page.text
    before = await _history_length(web, case_id)
    forged = await browser.post(f"/brud/{case_id}/handling/review_draft",
                                data={"approve": "true", "csrf_token": csrf_of(page.text)})
    assert forged.status_code == 403 and await _history_length(web, case_id) == before

    dpo = httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://test")
    async with dpo:
        await log_in(dpo, "dorthe@skole.dk")
        assert await _listed(dpo, case_id)  # the DPO's task now
        approved = await _act(dpo, case_id, "review_draft", {"approve": "true"})
        assert approved.status_code == 303
        page = await dpo.get(f"/brud/{case_id}")
        assert "godkendt" in page.text and "Dorthe DPO" in page.text


async def test_a_dpo_who_wrote_the_draft_cannot_approve_it(web: FastAPI, browser: httpx.AsyncClient):
    web.state.accounts.add("begge@skole.dk", "Bo Begge", ["key_person", "dpo"], "korrekt hest batteri 42")
    await log_in(browser, "begge@skole.dk")
    case_id = await _report(browser)
    steps: list[tuple[str, dict[str, Any]]] = [
        ("assess_breach", {"is_breach": "true", "reason": "r"}),
        ("contain", {"measures": "m", "system_stopped": "false"}),
        ("inform_management", {"crisis_team": ["Skoleleder"]}),
        ("record_facts", {"facts.breach_types": "confidentiality", "facts.data_categories": ["identity"]}),
        ("assess_notification", {"level": "risk", "reasons": "r", "deviation_reason": "Forsigtighed"}),
        ("submit_notification_draft", {"likely_consequences": "k", "measures_proposed": "p"}),
    ]
    for action, data in steps:
        assert (await _act(browser, case_id, action, data)).status_code == 303, action
    refused = await _act(browser, case_id, "review_draft", {"approve": "true"})
    assert refused.status_code == 409 and "Fire øjne" in refused.text  # in Danish, not the log's English


async def test_an_employee_who_reported_sees_the_receipt_not_the_case(browser: httpx.AsyncClient):
    await log_in(browser, "ansat@skole.dk")
    case_id = await _report(browser)
    assert (await browser.get(f"/brud/{case_id}")).status_code == 403
