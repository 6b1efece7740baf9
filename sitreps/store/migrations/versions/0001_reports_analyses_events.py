"""Reports (with versions), analyses, sources, claims, places, events, the change log and
the `acled_events` view.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)

# ACLED's column names over the current version of every report's events. `fatalities`
# stays null where no number was stated: ACLED writes 0 there, sitreps does not guess.
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
    e.report_id AS report_id
FROM events e JOIN reports r ON r.id = e.report_id
WHERE r.superseded_by IS NULL
"""


def _report_key() -> list[sa.Column[str]]:
    return [sa.Column("report_id", sa.String(64), sa.ForeignKey("reports.id"), primary_key=True)]


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("document_key", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("superseded_by", sa.String(64)),
        sa.Column("title", sa.Text),
        sa.Column("outlet", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("published_at", TIMESTAMP),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("ingested_at", TIMESTAMP, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_reports_document_key", "reports", ["document_key"])
    op.create_index("ix_reports_superseded_by", "reports", ["superseded_by"])
    op.create_table(
        "analyses",
        *_report_key(),
        sa.Column("schema_version", sa.String(16), nullable=False),
        sa.Column("sitreps_version", sa.String(32), nullable=False),
        sa.Column("analysed_at", TIMESTAMP, nullable=False),
        sa.Column("loaded_language_rate", sa.Float, nullable=False),
        sa.Column("analysis_json", sa.Text, nullable=False),
    )
    op.create_table(
        "sources",
        *_report_key(),
        sa.Column("source_id", sa.String(16), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("descriptor", sa.Text),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("affiliation", sa.Text),
        sa.Column("registry_entry", sa.Text),
    )
    op.create_table(
        "claims",
        *_report_key(),
        sa.Column("claim_id", sa.String(16), primary_key=True),
        sa.Column("sentence", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("start_char", sa.Integer, nullable=False),
        sa.Column("end_char", sa.Integer, nullable=False),
        sa.Column("source_id", sa.String(16), nullable=False),
        sa.Column("attribution", sa.Text, nullable=False),
        sa.Column("certainty", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
    )
    op.create_table(
        "places",
        *_report_key(),
        sa.Column("place_id", sa.String(16), primary_key=True),
        sa.Column("surface", sa.Text, nullable=False),
        sa.Column("geonameid", sa.Integer),
        sa.Column("name", sa.Text),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("country", sa.String(2)),
        sa.Column("admin1", sa.Text),
        sa.Column("admin2", sa.Text),
        sa.Column("geo_precision", sa.Integer, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
    )
    op.create_table(
        "events",
        *_report_key(),
        sa.Column("event_id", sa.String(16), primary_key=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("sub_event_type", sa.Text, nullable=False),
        sa.Column("actor1", sa.Text),
        sa.Column("inter1", sa.Integer),
        sa.Column("actor2", sa.Text),
        sa.Column("inter2", sa.Integer),
        sa.Column("place_id", sa.String(16)),
        sa.Column("location", sa.Text),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("country", sa.Text),
        sa.Column("iso", sa.Integer),
        sa.Column("admin1", sa.Text),
        sa.Column("admin2", sa.Text),
        sa.Column("geo_precision", sa.Integer),
        sa.Column("event_date_start", sa.Date),
        sa.Column("event_date_end", sa.Date),
        sa.Column("time_precision", sa.Integer),
        sa.Column("count_low", sa.Integer),
        sa.Column("count_high", sa.Integer),
        sa.Column("fatalities_low", sa.Integer),
        sa.Column("fatalities_high", sa.Integer),
        sa.Column("injured_low", sa.Integer),
        sa.Column("injured_high", sa.Integer),
        sa.Column("certainty", sa.String(16)),
        sa.Column("claim_ids", sa.Text, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
    )
    op.create_index("events_by_date", "events", ["event_date_start"])
    op.create_index("events_by_point", "events", ["latitude", "longitude"])
    op.create_index("events_by_type", "events", ["event_type"])
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.Text, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.execute(ACLED_EVENTS)


def downgrade() -> None:
    op.execute("DROP VIEW acled_events")
    for table in ("change_log", "events", "places", "claims", "sources", "analyses", "reports"):
        op.drop_table(table)
