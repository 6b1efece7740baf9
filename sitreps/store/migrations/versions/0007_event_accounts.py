"""Corroboration from compact stored accounts (issue 21): what each report says of each of
its events that corroboration needs, so that adding a report to a large incident does not
re-read every member's analysis. Events stored before this revision get their account
from their analysis the first time their incident is updated.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_accounts",
        sa.Column("report_id", sa.String(64), sa.ForeignKey("reports.id"), primary_key=True),
        sa.Column("event_id", sa.String(16), primary_key=True),
        sa.Column("account_json", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("event_accounts")
