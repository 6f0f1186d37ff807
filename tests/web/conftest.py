"""The web workspace against the real dev server, worker, SMTP sink and a register database per test."""

from __future__ import annotations

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
from app.settings import Settings
from tests.web.support import PASSWORD, PEOPLE
from web.app import create_app


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
