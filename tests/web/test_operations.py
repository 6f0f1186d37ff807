"""'Drift' in the browser: the operator retries or discards a dead letter as themselves, sees the schedules
and reaches every case in the Temporal Web UI; nobody else gets in."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from temporalio.testing import WorkflowEnvironment

from app.schedules import SCHEDULE_DA, ensure_schedules
from app.settings import Settings
from tests.support import CaseDriver
from tests.web.support import csrf_of, log_in
from tests.workflows.support import case_with_a_dead_letter, eventually, query


def _as(web: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://test")


async def test_only_an_operator_sees_drift_in_the_menu_and_opens_the_page(web: FastAPI, browser: httpx.AsyncClient):
    await log_in(browser, "mille@skole.dk")
    assert ">Drift</a>" not in (await browser.get("/")).text
    page = await browser.get("/drift")
    assert page.status_code == 403 and "Fejlede handlinger" not in page.text
    async with _as(web) as operator:
        await log_in(operator, "drift@skole.dk")
        assert ">Drift</a>" in (await operator.get("/")).text
        page = await operator.get("/drift")
        assert page.status_code == 200
        assert "Der er ingen åbne fejlede handlinger." in page.text and "Planlagte kørsler" in page.text


async def test_the_operator_retries_a_dead_letter_as_themselves_once_the_cause_is_fixed(
        web: FastAPI, browser: httpx.AsyncClient, settings: Settings, driver: CaseDriver):
    handle = await case_with_a_dead_letter(settings, driver)
    letter = f"{handle.id}/1"

    await log_in(browser, "mille@skole.dk")  # a key person, not an operator: refused, nothing changes
    tasks = await browser.get("/")
    forged = await browser.post("/drift/gentag", data={"letter_id": letter, "csrf_token": csrf_of(tasks.text)})
    assert forged.status_code == 403
    assert query(settings, "SELECT status FROM dead_letters WHERE letter_id = ?", letter) == [("open",)]

    async with _as(web) as operator:
        await log_in(operator, "drift@skole.dk")
        page = await operator.get("/drift")
        assert letter in page.text and "registrering af et sagsskridt i registeret" in page.text.lower()
        assert f'href="/brud/{handle.id}"' in page.text
        assert f'href="{settings.temporal_ui_url}/namespaces/{settings.temporal_namespace}/workflows/{handle.id}"' \
            in page.text
        no_token = await operator.post("/drift/gentag", data={"letter_id": letter})
        assert no_token.status_code == 403

        query(settings, "DROP TRIGGER refuse")
        done = await operator.post("/drift/gentag", data={"letter_id": letter, "csrf_token": csrf_of(page.text)})
        assert done.status_code == 303 and done.headers["location"] == "/drift"
        assert "gentages nu" in (await operator.get("/drift")).text
        await eventually(lambda: query(settings, "SELECT status, changed_by FROM dead_letters WHERE letter_id = ?",
                                       letter) == [("resolved", "Olga Drift")], what="the letter resolved")
        again = await operator.post("/drift/gentag", data={"letter_id": letter, "csrf_token": csrf_of(page.text)})
        assert again.status_code == 409 and "ikke længere åben" in again.text
        closed = await operator.get("/drift?alle=1")
        assert letter in closed.text and "løst" in closed.text


async def test_a_discard_needs_a_reason_and_records_who_gave_the_letter_up(
        web: FastAPI, settings: Settings, driver: CaseDriver):
    handle = await case_with_a_dead_letter(settings, driver)
    letter = f"{handle.id}/1"
    async with _as(web) as operator:
        await log_in(operator, "drift@skole.dk")
        page = await operator.get("/drift")
        token = csrf_of(page.text)
        empty = await operator.post("/drift/afvis", data={"letter_id": letter, "reason": " ", "csrf_token": token})
        assert empty.status_code == 422 and "Skriv en begrundelse" in empty.text
        assert query(settings, "SELECT status FROM dead_letters WHERE letter_id = ?", letter) == [("open",)]
        done = await operator.post("/drift/afvis", data={
            "letter_id": letter, "reason": "Skridtet ført ind i registeret i hånden", "csrf_token": token})
        assert done.status_code == 303
        await eventually(lambda: query(settings, "SELECT status, changed_by, reason FROM dead_letters "
                                                 "WHERE letter_id = ?", letter)
                         == [("discarded", "Olga Drift", "Skridtet ført ind i registeret i hånden")],
                         what="the letter discarded")
        unknown = await operator.post("/drift/gentag", data={"letter_id": "ikke-et-nummer", "csrf_token": token})
        assert unknown.status_code == 404


async def test_the_schedules_are_listed_with_their_next_run(web: FastAPI, env: WorkflowEnvironment,
                                                            settings: Settings):
    await ensure_schedules(env.client, settings)
    async with _as(web) as operator:
        await log_in(operator, "drift@skole.dk")
        page = (await operator.get("/drift")).text
    for schedule_id, name in SCHEDULE_DA.items():
        assert name in page and f"/schedules/{schedule_id}" in page
    assert "Ikke oprettet" not in page and "kl. 03:00" in page
