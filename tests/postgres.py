"""PostgreSQL for the storage tests: one real PostgreSQL 16 per test session, a fresh database per test.

The server comes from PyPI's `pgserver` (its own PostgreSQL binaries; no system package, no root needed,
and as root it runs the server as a system user of its own). It listens only on a Unix socket in its
data folder. Its time zone is Europe/Copenhagen, not UTC, so code that trusts the server's zone for
aware or naive datetimes shows up here.

Nothing here skips: if the server cannot start, the tests that need it fail with the server's log.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import signal
import tempfile
import time
import uuid
import warnings
from pathlib import Path

import psycopg
from sqlalchemy import make_url

SERVER_TIME_ZONE = "Europe/Copenhagen"


class PostgresForTests:
    """A running pgserver and an admin connection that creates databases on it."""

    def __init__(self) -> None:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI)
            warnings.simplefilter("ignore")
            import pgserver
        logging.getLogger("pgserver").setLevel(logging.WARNING)  # it logs every command it runs at INFO

        # Not under pytest's own temp folder: as root, pgserver hands the data folder to its own system user,
        # which must be able to reach it (pytest's folders are private to the user running the tests). In
        # memory where there is a tmpfs: creating and removing the data folder's thousand files on a disk
        # takes seconds.
        shm = Path("/dev/shm")
        memory = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
        self.folder = Path(tempfile.mkdtemp(prefix="gdpr-pg-", dir=memory))
        self.data = self.folder / "data"
        try:
            self._server = pgserver.get_server(self.data, cleanup_mode="delete")
        except Exception as err:
            log = self.data / "log"
            detail = log.read_text(errors="replace")[-4000:] if log.exists() else "(no server log)"
            shutil.rmtree(self.folder, ignore_errors=True)
            raise RuntimeError(f"PostgreSQL (pgserver) did not start in {self.data}: {err}\n{detail}") from err
        info = self._server.get_postmaster_info()
        self.socket_dir = str(info.socket_dir)
        self.port = info.port
        self._admin = psycopg.connect(host=self.socket_dir, port=self.port, user="postgres", dbname="postgres",
                                      autocommit=True)
        self._admin.execute(f"ALTER SYSTEM SET timezone = '{SERVER_TIME_ZONE}'")
        # Throw-away data: no waiting for the disk at every commit (a register step is a few commits).
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            self._admin.execute(f"ALTER SYSTEM SET {setting} = off")
        self._admin.execute("SELECT pg_reload_conf()")

    def url(self, database: str) -> str:
        """A SQLAlchemy URL for one database on this server."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}&port={self.port}"

    def create_database(self, prefix: str = "test") -> str:
        """A new, empty database with a unique name; returns its SQLAlchemy URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:16]}"
        # The name is ours (a prefix from the tests and hex digits), so quoting it is enough.
        self._admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by `create_database`, closing whatever connections a test left open."""
        name = make_url(url).database
        self._admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')  # no IF EXISTS: a wrong name fails

    def stop(self) -> None:
        """Stop at once (the data is thrown away) and remove the folder.

        `scripts/run_tests.py` leaves with os._exit, so pgserver's own atexit clean-up would never run.
        """
        self._admin.close()
        info = self._server.get_postmaster_info()
        if info.process is not None and info.process.is_running():
            os.kill(info.pid, signal.SIGQUIT)  # PostgreSQL's "immediate shutdown"
            # Done when the postmaster removes its pid file (reaping the process itself is up to init,
            # which in a container may take a second).
            deadline = time.monotonic() + 10
            while (self.data / "postmaster.pid").exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            if (self.data / "postmaster.pid").exists():
                info.process.kill()
        # pgserver's own clean-up would try pg_ctl on the stopped server; forget the handle instead.
        atexit.unregister(self._server._cleanup)
        type(self._server)._instances.pop(self._server.pgdata, None)
        shutil.rmtree(self.folder, ignore_errors=True)
