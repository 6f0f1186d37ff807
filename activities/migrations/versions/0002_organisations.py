"""Many organisations: which organisations an account works in, and each organisation's case-number series.

Only new tables: a single organisation's `case_numbers` and its numbering stay as they were (app/organisations.py).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 11:17:31.719762

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('organisation_case_numbers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('organisation', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation', 'kind', 'year', 'number', name='uq_organisation_case_numbers')
    )
    op.create_table('user_organisations',
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('organisation', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('email', 'organisation')
    )


def downgrade() -> None:
    op.drop_table('user_organisations')
    op.drop_table('organisation_case_numbers')
