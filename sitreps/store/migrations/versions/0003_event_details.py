"""Events keep the actors also named with them, the weapons named and what coded their type;
the `acled_events` view gains ACLED's assoc_actor_1 / assoc_actor_2 columns (empty: a report
seldom says which side a further actor stands with, and sitreps does not guess) and sitreps'
associated_actors, weapons and coded_by.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NEW_COLUMNS = ("associated_actors", "weapons", "coded_by")

# A migration carries its own SQL: the view as this revision makes it, and as 0002 left it.
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
    NULL AS assoc_actor_1,
    e.inter1 AS inter1,
    e.actor2 AS actor2,
    NULL AS assoc_actor_2,
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
    i.n_independent_sources AS n_independent_sources,
    e.associated_actors AS associated_actors,
    e.weapons AS weapons,
    e.coded_by AS coded_by
FROM events e
JOIN reports r ON r.id = e.report_id
LEFT JOIN incident_events ie ON ie.report_id = e.report_id AND ie.event_id = e.event_id
LEFT JOIN incidents i ON i.id = ie.incident_id
WHERE r.superseded_by IS NULL
"""

PREVIOUS_ACLED_EVENTS = """
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


def upgrade() -> None:
    op.execute("DROP VIEW acled_events")
    with op.batch_alter_table("events") as events:
        events.add_column(sa.Column("associated_actors", sa.Text))
        events.add_column(sa.Column("weapons", sa.Text))
        events.add_column(sa.Column("coded_by", sa.String(16)))
    op.execute(ACLED_EVENTS)


def downgrade() -> None:
    op.execute("DROP VIEW acled_events")
    with op.batch_alter_table("events") as events:
        for column in NEW_COLUMNS:
            events.drop_column(column)
    op.execute(PREVIOUS_ACLED_EVENTS)
