"""Alembic's command line for the register, without an alembic.ini.

    python -m activities.migrations revision --autogenerate --rev-id 0002 -m "what changes"
    python -m activities.migrations history

Commands run against a scratch SQLite database brought to the current head first, so `--autogenerate`
writes exactly the difference between the newest revision and `activities/db.py`. To run a command
against a real register instead, give its URL in GDPR_MIGRATIONS_URL.
"""

from __future__ import annotations

import os
import sys
import tempfile

from sqlalchemy import create_engine

from activities.migrations import alembic_config, migrate


def main(argv: list[str]) -> None:
    from alembic.config import CommandLine

    cli = CommandLine(prog="python -m activities.migrations")
    options = cli.parser.parse_args(argv)
    if not hasattr(options, "cmd"):
        cli.parser.error("too few arguments")
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("GDPR_MIGRATIONS_URL") or f"sqlite:///{folder}/head.db"
        if "GDPR_MIGRATIONS_URL" not in os.environ:
            engine = create_engine(url)
            migrate(engine)
            engine.dispose()
        cli.run_cmd(alembic_config(url=url), options)


if __name__ == "__main__":
    main(sys.argv[1:])
