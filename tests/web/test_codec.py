"""The Temporal UI's codec endpoint: a logged-in operator on the UI's page reads a case's history; nobody else
decodes anything, and only the UI's origin gets CORS (with credentials), only on /codec."""

from __future__ import annotations

import json

import httpx
from fastapi import FastAPI
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from app.settings import Settings
from tests.support import CaseDriver
from tests.web.support import log_in

UI = "http://localhost:8233"  # the default GDPR_TEMPORAL_UI_URL


def _as(web: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://test")


async def _encrypted_input(driver: CaseDriver) -> tuple[str, str]:
    """A case's start input as the Temporal UI receives it from the server: ciphertext, as proto3 JSON."""
    handle = await driver.open()
    history = await handle.fetch_history()
    payloads = history.events[0].workflow_execution_started_event_attributes.input
    assert payloads.payloads[0].metadata["encoding"] == b"binary/encrypted"
    return handle.id, json_format.MessageToJson(payloads)


def _decode(client: httpx.AsyncClient, body: str, origin: str | None = UI, namespace: str = "default"):
    headers = {"Content-Type": "application/json", "X-Namespace": namespace}
    if origin:
        headers["Origin"] = origin
    return client.post("/codec/decode", content=body, headers=headers)


async def test_an_operator_on_the_temporal_ui_reads_a_case_history_through_the_workers_codec(
        web: FastAPI, driver: CaseDriver, settings: Settings):
    case_id, body = await _encrypted_input(driver)
    async with _as(web) as operator:
        await log_in(operator, "drift@skole.dk")
        response = await _decode(operator, body, namespace=settings.temporal_namespace)
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == UI
    assert response.headers["access-control-allow-credentials"] == "true"
    decoded = json_format.Parse(response.text, Payloads())
    assert decoded.payloads[0].metadata["encoding"] == b"json/plain"
    assert json.loads(decoded.payloads[0].data)["case_id"] == case_id


async def test_nobody_but_a_logged_in_operator_from_the_temporal_ui_decodes_anything(
        web: FastAPI, browser: httpx.AsyncClient, driver: CaseDriver):
    case_id, body = await _encrypted_input(driver)
    anonymous = await _decode(browser, body)
    assert anonymous.status_code == 401 and case_id not in anonymous.text
    await log_in(browser, "mille@skole.dk")  # a key person: no
    key_person = await _decode(browser, body)
    assert key_person.status_code == 403 and case_id not in key_person.text
    async with _as(web) as operator:
        await log_in(operator, "drift@skole.dk")
        for origin in ("https://evil.example", None, "http://localhost:8000"):  # another site, none, ourselves
            refused = await _decode(operator, body, origin=origin)
            assert refused.status_code == 403 and case_id not in refused.text, origin
            assert "access-control-allow-origin" not in refused.headers
        wrong_namespace = await _decode(operator, body, namespace="other")
        assert wrong_namespace.status_code == 403
        garbage = await _decode(operator, "not json")
        assert garbage.status_code == 400
        # Encoding from the UI would seal input under the shared key, beyond crypto-shredding: not offered.
        encode = await operator.post("/codec/encode", content=body, headers={"Origin": UI})
        assert encode.status_code in (404, 405)


async def test_cors_answers_only_the_ui_origin_and_only_under_codec(browser: httpx.AsyncClient):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-namespace"}
    allowed = await browser.options("/codec/decode", headers={"Origin": UI, **preflight})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == UI
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert "x-namespace" in allowed.headers["access-control-allow-headers"].lower()
    other = await browser.options("/codec/decode", headers={"Origin": "https://evil.example", **preflight})
    assert other.status_code == 403 and "access-control-allow-origin" not in other.headers
    page = await browser.get("/login", headers={"Origin": UI})
    assert "access-control-allow-origin" not in page.headers
