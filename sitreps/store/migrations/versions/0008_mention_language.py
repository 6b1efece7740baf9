"""Event mentions keep their report's language: the sentence embedding that compares how two
reports tell an event reads English only, so reports in Ukrainian or Russian are matched to
others on when, where, what and names (issue 22).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event_mentions") as mentions:
        mentions.add_column(
            sa.Column("language", sa.String(8), nullable=False, server_default="en")
        )


def downgrade() -> None:
    with op.batch_alter_table("event_mentions") as mentions:
        mentions.drop_column("language")
