"""The web workspace served for real (uvicorn on a loopback port), for the CLI's people-commands in tests,
and the `gdpr` command line run as a person would: a subprocess of starter.py with their token."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import uvicorn
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from app.mailsink import free_port
from app.settings import Settings
from web.app import create_app
from web.roles import WebRole

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "en lang adgangskode til test"
# One person per role; the system owner is the one the example inventory names for the paper archive.
PEOPLE = {
    "employee": ("rasmus@skole.dk", "Rasmus Pedersen", [WebRole.EMPLOYEE]),
    "key_person": ("mille@skole.dk", "Mille", [WebRole.EMPLOYEE, WebRole.KEY_PERSON]),
    "dpo": ("dorthe@skole.dk", "Dorthe DPO", [WebRole.DPO]),
    "system_owner": ("sekretaer@eksempel-skole.dk", "Hanne Holm", [WebRole.SYSTEM_OWNER]),
    "operator": ("drift@skole.dk", "Ole Drift", [WebRole.OPERATOR]),
}


class Workspace:
    """A running workspace and the personal tokens of PEOPLE (made on first use)."""

    def __init__(self, url: str, app) -> None:
        self.url, self.app = url, app
        self._tokens: dict[str, str] = {}

    def token(self, who: str) -> str:
        if who not in self._tokens:
            email, name, roles = PEOPLE[who]
            store = self.app.state.accounts
            if store.get(email) is None:
                store.add(email, name, roles, PASSWORD)
            self._tokens[who] = store.create_token(email, datetime.now(timezone.utc))
        return self._tokens[who]


async def serve(env: WorkflowEnvironment, settings: Settings):
    """Start the workspace in this event loop; returns (workspace, stop)."""
    port = free_port()

    async def plain_client(_: Settings) -> Client:  # real time: env.client would skip it
        return Client(env.client.service_client, namespace=env.client.namespace,
                      data_converter=env.client.data_converter)

    app = create_app(settings.model_copy(update={"public_url": f"http://127.0.0.1:{port}",
                                                 "session_secret": SecretStr("w" * 43)}), plain_client)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # raises what stopped it
        await asyncio.sleep(0.01)

    async def stop() -> None:
        server.should_exit = True
        await task

    return Workspace(f"http://127.0.0.1:{port}", app), stop


async def gdpr(env: WorkflowEnvironment, settings: Settings, *args: str, person: str | None = None,
               workspace: Workspace | None = None, address: str | None = None,
               extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`gdpr ARGS` as a subprocess; with `person`, as that person (their token for `workspace`)."""
    variables = {**os.environ, "GDPR_TEMPORAL_ADDRESS": address or env.client.service_client.config.target_host,
                 "GDPR_TASK_QUEUE": settings.task_queue, "GDPR_DATABASE_URL": settings.database_url,
                 "GDPR_SETTINGS_FILE": "/nonexistent", "GDPR_EXPORTS_DIR": str(settings.exports_dir)}
    for name in ("GDPR_DEBUG", "GDPR_TOKEN", "GDPR_PUBLIC_URL"):
        variables.pop(name, None)
    if workspace is not None:
        variables["GDPR_PUBLIC_URL"] = workspace.url
        if person is not None:
            variables["GDPR_TOKEN"] = workspace.token(person)
    variables.update(extra_env or {})
    return await asyncio.to_thread(subprocess.run, [sys.executable, str(ROOT / "starter.py"), *args], cwd=ROOT,
                                   env=variables, capture_output=True, text=True, timeout=90)
