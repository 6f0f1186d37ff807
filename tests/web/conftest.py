"""The web workspace against the real dev server, worker, SMTP sink and a register database per test."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import insert
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.db import case_numbers

from settings import Settings
from web.app import create_app
from web.roles import WebRole

PASSWORD = "korrekt hest batteri 42"
PEOPLE = {
    "ansat@skole.dk": ("Rasmus Ansat", [WebRole.EMPLOYEE]),
    "mille@skole.dk": ("Mille Nøgleperson", [WebRole.EMPLOYEE, WebRole.KEY_PERSON]),
    "dorthe@skole.dk": ("Dorthe DPO", [WebRole.DPO]),
    "leder@skole.dk": ("Lene Leder", [WebRole.MANAGEMENT]),
    "ejer@skole.dk": ("Simon Systemejer", [WebRole.SYSTEM_OWNER]),
    "drift@skole.dk": ("Olga Drift", [WebRole.OPERATOR]),
}


@pytest.fixture
def web(settings: Settings, env: WorkflowEnvironment, worker: None) -> FastAPI:
    async def client_factory(_: Settings) -> Client:
        # The server's plain client: a case opened in the browser keeps real time (env.client would skip it)
        return Client(env.client.service_client, namespace=env.client.namespace,
                      data_converter=env.client.data_converter)

    app = create_app(settings.model_copy(update={"session_secret": SecretStr("t" * 43)}), client_factory)
    # Case numbers restart with each test's register; the server is shared, so start each test elsewhere.
    start = uuid.uuid4().int % 10**7 * 10
    with app.state.engine.begin() as conn:
        for year in range(2025, 2031):
            conn.execute(insert(case_numbers).values(kind="breach", year=year, number=start))
            conn.execute(insert(case_numbers).values(kind="dsr", year=year, number=start))
    for email, (name, roles) in PEOPLE.items():
        app.state.accounts.add(email, name, roles, PASSWORD)
    return app


@pytest.fixture
async def browser(web: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An anonymous visitor with a cookie jar."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://test") as client:
        yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    page = await client.get("/login")
    return await client.post("/login", data={"email": email, "password": password, "next": "/",
                                             "csrf_token": csrf_of(page.text)})
