"""Personal tokens: made and revoked on 'Min konto', the only key to the command line's API; the actor and
role always come from the token's account, never from what the call says."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select
from temporalio.client import Client

from activities.db import breach_register
from tests.support import CaseDriver
from tests.web.support import csrf_of, log_in


async def _new_token(client: httpx.AsyncClient) -> str:
    page = await client.get("/konto")
    made = await client.post("/konto/noegler", data={"csrf_token": csrf_of(page.text)})
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    return re.search(r'id="token" type="text" readonly value="([^"]+)"', made.text).group(1)


def _report() -> dict:
    aware = datetime.now(timezone.utc) - timedelta(hours=2)
    return {"aware_at": aware.isoformat(), "what_happened": "Elevliste på en åben delt mappe",
            "how_discovered": "En forælder skrev", "affected_people": "Elever i 6.A", "affected_data": "Navne"}


async def test_a_person_makes_a_token_sees_it_once_and_revokes_it(web: FastAPI, browser: httpx.AsyncClient):
    await log_in(browser, "mille@skole.dk")
    token = await _new_token(browser)
    page = await browser.get("/konto")
    assert token not in page.text, "a token is shown once, when it is made"
    assert "Personlige nøgler til kommandolinjen" in page.text and "gyldig" in page.text
    assert web.state.accounts.account_for_token(token).email == "mille@skole.dk"

    token_id = re.search(r'name="token_id" value="([0-9a-f]+)"', page.text).group(1)
    revoked = await browser.post("/konto/noegler/tilbagekald", data={"token_id": token_id,
                                                                      "csrf_token": csrf_of(page.text)})
    assert revoked.status_code == 303
    assert web.state.accounts.account_for_token(token) is None
    assert "tilbagekaldt" in (await browser.get("/konto")).text


async def test_nobody_revokes_another_persons_token(web: FastAPI, browser: httpx.AsyncClient):
    theirs = web.state.accounts.create_token("dorthe@skole.dk", datetime.now(timezone.utc))
    their_id = web.state.accounts.list_tokens("dorthe@skole.dk")[0].token_id
    await log_in(browser, "mille@skole.dk")
    page = await browser.get("/konto")
    refused = await browser.post("/konto/noegler/tilbagekald", data={"token_id": their_id,
                                                                      "csrf_token": csrf_of(page.text)})
    assert refused.status_code == 404 and web.state.accounts.account_for_token(theirs) is not None


async def test_the_api_takes_the_reporter_and_the_actor_from_the_token_never_from_the_body(
        web: FastAPI, browser: httpx.AsyncClient):
    accounts = web.state.accounts
    employee = accounts.create_token("ansat@skole.dk", datetime.now(timezone.utc))
    key_person = accounts.create_token("mille@skole.dk", datetime.now(timezone.utc))
    bearer = lambda token: {"Authorization": f"Bearer {token}"}  # noqa: E731

    forged = {**_report(), "reporter": {"name": "Direktøren", "email": "boss@skole.dk"}}
    made = await browser.post("/api/breaches", json=forged, headers=bearer(employee))
    assert made.status_code == 201, made.text
    case_id = made.json()["case_id"]

    refused = await browser.post(f"/api/breaches/{case_id}/actions/assess_breach", headers=bearer(employee),
                                 json={"is_breach": True, "reason": "x"})
    assert refused.status_code == 403  # an employee reports; assessing is the nøgleperson's

    claim = {"name": "Dorthe DPO", "role": "dpo", "login": "dorthe@skole.dk"}
    done = await browser.post(f"/api/breaches/{case_id}/actions/assess_breach", headers=bearer(key_person),
                              json={"is_breach": True, "reason": "Navne til uvedkommende", "actor": claim})
    assert done.status_code == 200, done.text
    timeline = done.json()["timeline"]
    assert [(e["actor"]["name"], e["actor"]["role"]) for e in timeline] == [
        ("Rasmus Ansat", "reporter"), ("Mille Nøgleperson", "key_person")]

    invalid = await browser.post(f"/api/breaches/{case_id}/actions/contain", headers=bearer(key_person),
                                 json={"system_stopped": "maybe"})
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.json()["errors"]} >= {"measures", "system_stopped"}
    wrong_state = await browser.post(f"/api/breaches/{case_id}/actions/close", headers=bearer(key_person),
                                     json={"lessons_learned": "x"})
    assert wrong_state.status_code == 409 and "not possible" in wrong_state.json()["detail"]

    client: Client = web.state.client
    await CaseDriver.settle(client.get_workflow_handle(case_id))
    history = await client.get_workflow_handle(case_id).fetch_history()
    updates = [e for e in history.events if e.HasField("workflow_execution_update_accepted_event_attributes")]
    assert len(updates) == 1, "only the nøgleperson's assessment entered the history"


async def test_the_api_refuses_a_session_cookie_a_revoked_token_and_a_disabled_account(
        web: FastAPI, browser: httpx.AsyncClient):
    await log_in(browser, "mille@skole.dk")  # the cookie jar now holds a session
    by_cookie = await browser.post("/api/breaches", json=_report())
    assert by_cookie.status_code == 401 and by_cookie.headers["www-authenticate"] == "Bearer"

    token = web.state.accounts.create_token("mille@skole.dk", datetime.now(timezone.utc))
    web.state.accounts.revoke_tokens("mille@skole.dk")
    revoked = await browser.post("/api/breaches", json=_report(), headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401

    token = web.state.accounts.create_token("dorthe@skole.dk", datetime.now(timezone.utc))
    web.state.accounts.disable("dorthe@skole.dk")
    disabled = await browser.post("/api/breaches", json=_report(), headers={"Authorization": f"Bearer {token}"})
    assert disabled.status_code == 401
    with web.state.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(breach_register)).scalar() == 0


async def test_a_system_owner_records_only_their_own_systems_tasks_through_the_api(
        web: FastAPI, browser: httpx.AsyncClient, requests):
    request = await requests.open("access")
    token = web.state.accounts.create_token("ejer@skole.dk", datetime.now(timezone.utc))  # owns no system
    refused = await browser.post(f"/api/requests/{request.id}/actions/complete_manual_task",
                                 headers={"Authorization": f"Bearer {token}"},
                                 json={"system_id": "papirarkiv", "result": "Intet fundet"})
    assert refused.status_code == 403 and "do not own" in refused.json()["detail"]
    await request.terminate("test over")
