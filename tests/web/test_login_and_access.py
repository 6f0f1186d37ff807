"""Login, sessions, CSRF and anonymous access: the doors of the workspace."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from activities.db import breach_register
from tests.web.support import PASSWORD, PUBLIC, csrf_of, every_route, log_in

async def test_healthz_answers_without_login(browser: httpx.AsyncClient):
    response = await browser.get("/healthz")
    assert response.status_code == 200 and response.text == "ok"


async def test_every_route_but_login_and_healthz_refuses_an_anonymous_request(web: FastAPI, browser: httpx.AsyncClient):
    routes = every_route(web)
    assert len(routes) > len(PUBLIC)
    for method, path in routes:
        if (method, path) in PUBLIC:
            continue
        url = re.sub(r"\{[^}]+\}", "breach-2026-0001", path)
        response = await browser.request(method, url, data={"what_happened": "x"})
        assert response.status_code in (303, 401, 403), (method, path, response.status_code)
        if response.status_code == 303:
            assert response.headers["location"].startswith("/login"), (method, path)
    with web.state.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(breach_register)).scalar() == 0


async def test_the_login_page_speaks_danish(browser: httpx.AsyncClient):
    html = (await browser.get("/login")).text
    assert '<html lang="da">' in html
    assert ">E-mail</label>" in html and ">Adgangskode</label>" in html and ">Log ind</button>" in html


async def test_a_login_sets_a_signed_httponly_samesite_session_and_logout_ends_it(browser: httpx.AsyncClient):
    response = await log_in(browser, "mille@skole.dk")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=" in cookie
    page = await browser.get("/brud/ny")
    assert page.status_code == 200 and "Mille Nøgleperson" in page.text
    logout = await browser.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert logout.status_code == 303
    assert (await browser.get("/brud/ny")).status_code == 303


async def test_a_wrong_password_and_an_unknown_person_get_the_same_answer_and_five_failures_lock(
        browser: httpx.AsyncClient):
    wrong = await log_in(browser, "mille@skole.dk", "forkert forkert forkert")
    unknown = await log_in(browser, "ingen@skole.dk", "forkert forkert forkert")
    assert wrong.status_code == unknown.status_code == 401
    assert "Forkert e-mail eller adgangskode" in wrong.text and "Forkert e-mail eller adgangskode" in unknown.text
    for _ in range(4):
        await log_in(browser, "mille@skole.dk", "forkert forkert forkert")
    locked = await log_in(browser, "mille@skole.dk", PASSWORD)  # even the right password, for a while
    assert locked.status_code == 429 and "For mange" in locked.text


async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(web: FastAPI, browser: httpx.AsyncClient):
    await log_in(browser, "ansat@skole.dk")
    response = await browser.post("/brud/ny", data={
        "what_happened": "Liste sendt forkert", "aware_at": "2026-01-01T10:00", "affected_people": "Elever",
        "affected_data": "Navne", "how_discovered": "En forælder ringede"})
    assert response.status_code == 403
    with web.state.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(breach_register)).scalar() == 0


async def test_a_login_never_redirects_to_another_site(browser: httpx.AsyncClient):
    page = await browser.get("/login")
    response = await browser.post("/login", data={"email": "mille@skole.dk", "password": PASSWORD,
                                                  "next": "//evil.example/", "csrf_token": csrf_of(page.text)})
    assert response.headers["location"] == "/"
