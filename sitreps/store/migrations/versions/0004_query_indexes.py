"""Indexes for large stores (docs/performance.md). Event mentions keep the length of their
date window, indexed, so that incident matching reads only the mentions whose windows can
overlap a new one's: short windows through the window index from a bounded start, the few
long ones through this one. Events are indexed by date and point together, so that a query
by dates and a box reads only the rows inside the box.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event_mentions") as mentions:
        mentions.add_column(sa.Column("window_days", sa.Integer))
    table = sa.table(
        "event_mentions",
        sa.column("report_id", sa.String),
        sa.column("event_id", sa.String),
        sa.column("window_start", sa.Date),
        sa.column("window_end", sa.Date),
        sa.column("window_days", sa.Integer),
    )
    connection = op.get_bind()
    dated = connection.execute(
        sa.select(
            table.c.report_id, table.c.event_id, table.c.window_start, table.c.window_end
        ).where(table.c.window_start.is_not(None))
    ).all()
    if dated:
        connection.execute(
            table.update()
            .where(
                table.c.report_id == sa.bindparam("key_report"),
                table.c.event_id == sa.bindparam("key_event"),
            )
            .values(window_days=sa.bindparam("days")),
            [
                {"key_report": r, "key_event": e, "days": (end - start).days}
                for r, e, start, end in dated
            ],
        )
    op.create_index("event_mentions_by_window_days", "event_mentions", ["window_days"])
    op.drop_index("events_by_date", "events")
    op.create_index("events_by_date_point", "events", ["event_date_start", "latitude", "longitude"])


def downgrade() -> None:
    op.drop_index("events_by_date_point", "events")
    op.create_index("events_by_date", "events", ["event_date_start"])
    op.drop_index("event_mentions_by_window_days", "event_mentions")
    with op.batch_alter_table("event_mentions") as mentions:
        mentions.drop_column("window_days")
