"""The register schema when migrations were introduced (activities/migrations/baseline.py).

Revision ID: 0001
Revises:
Create Date: 2026-12-02

"""
from typing import Sequence, Union

from alembic import op

from activities.migrations import baseline

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Every table, index and constraint exactly as `metadata.create_all` made them before migrations.

    A table already there is left alone, as create_all did: the key store (codec.key_engine) may have made
    `case_keys` a moment earlier when the keys live beside the register (docker-compose.yml).
    """
    baseline.metadata.create_all(op.get_bind())


def downgrade() -> None:
    baseline.metadata.drop_all(op.get_bind(), checkfirst=False)
