"""Alembic's environment for the register schema; see activities/migrations/__init__.py.

`migrate()` passes the connection it has locked in `config.attributes["connection"]`, inside its own
transaction. The command line (`python -m activities.migrations ...`) passes a URL instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from activities.db import metadata

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # ALTERs SQLite cannot do (drop or change a column) are done by copying the table: autogenerate
        # writes them as batch operations, which are plain ALTERs on PostgreSQL.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("the register's migrations run against a database, not as SQL scripts")

given = config.attributes.get("connection")
if given is not None:
    run(given)
else:
    engine = create_engine(str(config.get_main_option("sqlalchemy.url")), future=True)
    try:
        with engine.begin() as connection:
            run(connection)
    finally:
        engine.dispose()
