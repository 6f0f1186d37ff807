"""A data-subject request received and answered in the workspace: intake form, request page, a system owner's
manual task, the DPO's approval; roles from the login, and nothing from a login without one."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from temporalio.client import Client, WorkflowHandle

from domain.requests.machine import RequestTrigger
from domain.requests.model import RequestResult, RequestView
from tests.support import MailBox, RequestDriver
from tests.web.support import csrf_of, log_in

KAREN = "karen.jensen@example.dk"  # in the example school database (elevnummer E1001)


def _received(hours_ago: float = 1.0) -> str:
    return (datetime.now(ZoneInfo("Europe/Copenhagen")) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def _client(web: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://test")


async def _settled(web: FastAPI, request_id: str, state: str | None = None, timeout: float = 30.0) -> RequestView:
    """The request's view once its outbox is empty (and it is in `state`): its history is then quiet."""
    client: Client = web.state.client
    return await _settled_handle(client.get_workflow_handle(request_id), state, timeout)


async def _settled_handle(handle: WorkflowHandle, state: str | None = None, timeout: float = 30.0) -> RequestView:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        view = await handle.query("view", result_type=RequestView)
        if view.pending_effects == 0 and (state is None or view.state == state):
            return view
        assert loop.time() < end, f"request stayed in {view.state} (wanted {state})"
        await asyncio.sleep(0.1)


async def _history_length(handle: WorkflowHandle) -> int:
    await _settled_handle(handle)
    return len((await handle.fetch_history()).events)


async def _act(client: httpx.AsyncClient, request_id: str, action: str, data: dict) -> httpx.Response:
    page = await client.get(f"/anmodning/{request_id}")
    return await client.post(f"/anmodning/{request_id}/handling/{action}",
                             data={**data, "csrf_token": csrf_of(page.text)})


def _errors(html: str) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]+)', html)


async def test_an_access_request_is_received_verified_worked_and_answered_in_the_browser(
        web: FastAPI, browser: httpx.AsyncClient, school_db: Path, mailbox: MailBox):
    await log_in(browser, "mille@skole.dk")  # nøgleperson
    assert "Ny anmodning" in (await browser.get("/")).text
    form = await browser.get("/anmodning/ny")
    assert form.status_code == 200 and "Hvad beder personen om?" in form.text and "Elevnummer" in form.text
    done = await browser.post("/anmodning/ny", data={
        "type": "access", "channel": "email", "received_at": _received(),
        "requester.name": "Karen Jensen", "requester.email": KAREN,
        "id_kind": ["email", "elevnummer", ""], "id_value": [KAREN, "E1001", ""],
        "description": "Jeg vil gerne se, hvad skolen har registreret om mig og mit barn.",
        "csrf_token": csrf_of(form.text)})
    assert done.status_code == 200, _errors(done.text)
    request_id = re.search(r"nummer <strong>(dsr-\d{4}-\d+)</strong>", done.text).group(1)

    page = await browser.get(f"/anmodning/{request_id}")
    assert "Verificér identiteten" in page.text and "seed" not in page.text
    assert "/handling/systems_done" not in page.text and "/handling/review_answer" not in page.text
    verified = await _act(browser, request_id, "verify_identity", {
        "method": "registered_address", "details": "Navn og e-mail svarer til elevadministrationen",
        "verified_email": KAREN})
    assert verified.status_code == 303, _errors(verified.text)

    # The paper archive is worked by hand: its owner gets a mail that links to the task page.
    await _settled(web, request_id, "processing")
    task_mail = next(m for m in await mailbox.wait_for(request_id, 3) if "Opgave i Papirarkiv" in m["Subject"])
    link = f"/anmodning/{request_id}/opgave/papirarkiv"
    assert link in task_mail.get_body(("plain",)).get_content()

    async with _client(web) as stranger:  # a system owner, but of other systems
        await log_in(stranger, "ejer@skole.dk")
        assert (await stranger.get(link)).status_code == 403
        home = await stranger.get("/")
        refused = await stranger.post(link, data={"result": "x", "csrf_token": csrf_of(home.text)})
        assert refused.status_code == 403
    web.state.accounts.add("sekretaer@eksempel-skole.dk", "Simon Systemejer", ["system_owner"],
                           "korrekt hest batteri 42")  # the archive's owner in the inventory
    async with _client(web) as owner:
        await log_in(owner, "sekretaer@eksempel-skole.dk")  # systemejer of the paper archive
        task = await owner.get(link)
        assert task.status_code == 200 and "Søg i arkivskabet" in task.text and "E1001" in task.text
        recorded = await owner.post(link, data={"result": "Én mappe: indskrivningsblanket fra 2020",
                                                "csrf_token": csrf_of(task.text)})
        assert recorded.status_code == 303, _errors(recorded.text)
        assert "Opgaven er udført" in (await owner.get(link)).text

    await _settled(web, request_id, "answer_review")
    async with _client(web) as dpo:
        await log_in(dpo, "dorthe@skole.dk")
        page = await dpo.get(f"/anmodning/{request_id}")
        assert "Svar, udgave 1 (til godkendelse)" in page.text and "indskrivningsblanket" in page.text
        approved = await _act(dpo, request_id, "review_answer", {"approve": "true"})
        assert approved.status_code == 303, _errors(approved.text)
        await _settled(web, request_id, "closed")
        page = await dpo.get(f"/anmodning/{request_id}")
        assert "Anmodningen er afsluttet" in page.text and "godkendt og sendt" in page.text
        assert "Simon Systemejer (systemejer)" in page.text and "Dorthe DPO (DPO)" in page.text
    result = await web.state.client.get_workflow_handle(request_id, result_type=RequestResult).result()
    assert result.state == "closed" and result.in_time


async def test_an_employee_cannot_receive_see_or_act_on_a_request(
        web: FastAPI, browser: httpx.AsyncClient, requests: RequestDriver):
    handle = await requests.open("access")
    await log_in(browser, "ansat@skole.dk")  # medarbejder only
    home = await browser.get("/")
    assert "Ny anmodning" not in home.text
    assert (await browser.get("/anmodning/ny")).status_code == 403
    token = csrf_of(home.text)
    refused = await browser.post("/anmodning/ny", data={
        "type": "access", "channel": "email", "received_at": _received(), "requester.name": "X",
        "requester.email": KAREN, "id_kind": "email", "id_value": KAREN, "csrf_token": token})
    assert refused.status_code == 403
    assert (await browser.get(f"/anmodning/{handle.id}")).status_code == 403
    before = await _history_length(handle)
    for trigger in RequestTrigger:
        response = await browser.post(f"/anmodning/{handle.id}/handling/{trigger.value}",
                                      data={"method": "registered_address", "details": "x", "verified_email": KAREN,
                                            "approve": "true", "csrf_token": token})
        assert response.status_code == 403, trigger
    task = await browser.post(f"/anmodning/{handle.id}/opgave/papirarkiv", data={"result": "x", "csrf_token": token})
    assert task.status_code == 403
    assert await _history_length(handle) == before


async def test_a_refused_intake_keeps_what_was_typed_and_says_why_in_danish(web: FastAPI, browser: httpx.AsyncClient):
    await log_in(browser, "dorthe@skole.dk")  # DPO
    form = await browser.get("/anmodning/ny")
    refused = await browser.post("/anmodning/ny", data={
        "type": "restriction", "channel": "letter", "received_at": _received(),
        "requester.name": "Karen Jensen", "requester.email": "ikke-en-adresse",
        "id_kind": ["elevnummer", ""], "id_value": ["E1001", ""],
        "description": "Mine fraværsoplysninger er forkerte", "csrf_token": csrf_of(form.text)})
    assert refused.status_code == 422
    html = refused.text
    assert 'value="Karen Jensen"' in html and 'value="ikke-en-adresse"' in html and 'value="E1001"' in html
    assert "Mine fraværsoplysninger er forkerte" in html
    assert re.search(r'<option value="restriction" selected>', html)
    assert re.search(r'<option value="elevnummer" selected>', html)
    assert "Anmodningen er ikke registreret" in html and "Ugyldig e-mailadresse." in _errors(html)
    assert not re.search(r"value error|field required|extra inputs|is not a valid", html, re.IGNORECASE)

    # The address put right, the intake rule speaks: a restriction names its ground in Art. 18(1).
    refused = await browser.post("/anmodning/ny", data={
        "type": "restriction", "channel": "letter", "received_at": _received(),
        "requester.name": "Karen Jensen", "requester.email": KAREN, "id_kind": "elevnummer", "id_value": "E1001",
        "csrf_token": csrf_of(html)})
    assert refused.status_code == 422
    assert "Vælg hvilket grundlag i art. 18, stk. 1, der gælder." in _errors(refused.text)
    assert 'value="E1001"' in refused.text

    # Without any identifier: said in Danish, and nothing else typed is lost.
    refused = await browser.post("/anmodning/ny", data={
        "type": "access", "channel": "email", "received_at": _received(),
        "requester.name": "Karen Jensen", "requester.email": KAREN, "id_kind": "", "id_value": "",
        "csrf_token": csrf_of(html)})
    assert refused.status_code == 422 and "Angiv mindst én oplysning" in refused.text
    assert f'value="{KAREN}"' in refused.text
