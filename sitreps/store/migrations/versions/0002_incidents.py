"""Incidents across reports: incidents, their events, and what matching compares
(event_mentions); the `acled_events` view gains incident_id, corroboration and
n_independent_sources.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ACLED_EVENTS = """
CREATE VIEW acled_events AS
SELECT
    e.report_id || ':' || e.event_id AS event_id_cnty,
    e.event_date_start AS event_date,
    e.time_precision AS time_precision,
    CASE
        WHEN e.event_type IN ('Battles', 'Explosions/Remote violence',
                              'Violence against civilians') THEN 'Political violence'
        WHEN e.event_type IN ('Protests', 'Riots') THEN 'Demonstrations'
        ELSE 'Strategic developments'
    END AS disorder_type,
    e.event_type AS event_type,
    e.sub_event_type AS sub_event_type,
    e.actor1 AS actor1,
    e.inter1 AS inter1,
    e.actor2 AS actor2,
    e.inter2 AS inter2,
    e.inter1 * 10 + COALESCE(e.inter2, 0) AS interaction,
    CASE WHEN e.inter2 = 7 THEN 'Civilian targeting' END AS civilian_targeting,
    e.iso AS iso,
    e.country AS country,
    e.admin1 AS admin1,
    e.admin2 AS admin2,
    e.location AS location,
    e.latitude AS latitude,
    e.longitude AS longitude,
    e.geo_precision AS geo_precision,
    r.outlet AS source,
    NULL AS source_scale,
    e.notes AS notes,
    e.fatalities_low AS fatalities,
    NULL AS tags,
    r.ingested_at AS timestamp,
    r.url AS source_url,
    e.certainty AS certainty,
    e.report_id AS report_id,
    ie.incident_id AS incident_id,
    i.status AS corroboration,
    i.n_independent_sources AS n_independent_sources
FROM events e
JOIN reports r ON r.id = e.report_id
LEFT JOIN incident_events ie ON ie.report_id = e.report_id AND ie.event_id = e.event_id
LEFT JOIN incidents i ON i.id = ie.incident_id
WHERE r.superseded_by IS NULL
"""


def _event_key() -> list[sa.Column[str]]:
    return [
        sa.Column("report_id", sa.String(64), sa.ForeignKey("reports.id"), primary_key=True),
        sa.Column("event_id", sa.String(16), primary_key=True),
    ]


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("first_date", sa.Date),
        sa.Column("last_date", sa.Date),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("location", sa.Text),
        sa.Column("event_type", sa.Text),
        sa.Column("sub_event_type", sa.Text),
        sa.Column("n_events", sa.Integer, nullable=False),
        sa.Column("n_reports", sa.Integer, nullable=False),
        sa.Column("n_outlets", sa.Integer, nullable=False),
        sa.Column("n_independent_sources", sa.Integer, nullable=False),
        sa.Column("evidence_json", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("incidents_by_date", "incidents", ["first_date"])
    op.create_table(
        "incident_events",
        *_event_key(),
        sa.Column("incident_id", sa.String(32), sa.ForeignKey("incidents.id"), nullable=False),
    )
    op.create_index("ix_incident_events_incident_id", "incident_events", ["incident_id"])
    op.create_table(
        "event_mentions",
        *_event_key(),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("names", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text),
        sa.Column("sub_event_type", sa.Text),
        sa.Column("window_start", sa.Date),
        sa.Column("window_end", sa.Date),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("radius_km", sa.Float, nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )
    op.create_index("event_mentions_by_window", "event_mentions", ["window_start", "window_end"])
    op.execute("DROP VIEW acled_events")
    op.execute(ACLED_EVENTS)


def downgrade() -> None:
    import importlib.util
    from pathlib import Path

    # The view as revision 0001 made it, read from that revision's own file.
    path = Path(__file__).with_name("0001_reports_analyses_events.py")
    spec = importlib.util.spec_from_file_location("revision_0001", path)
    assert spec is not None and spec.loader is not None
    first = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(first)
    op.execute("DROP VIEW acled_events")
    op.execute(first.ACLED_EVENTS)
    for table in ("event_mentions", "incident_events", "incidents"):
        op.drop_table(table)
