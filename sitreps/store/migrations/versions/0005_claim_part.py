"""Claims say which part of the report they are in: the headline is analysed with the text
(issue 18), and a claim of the title has its offsets in the title, not in the body.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("claims") as claims:
        claims.add_column(sa.Column("part", sa.String(8), nullable=False, server_default="text"))


def downgrade() -> None:
    with op.batch_alter_table("claims") as claims:
        claims.drop_column("part")
