"""ACLED's export form (issue 24): each event gets the number its `event_id_cnty` carries
("UKR" + number, given once and never again), its country's alpha-3 code, its third-level
division (places too: Ukraine's hromadas), and the sources
behind it with their ACLED scale and the kinds of source along its attribution chains (the
dashboard's filter); the `acled_events` view carries them. Events stored before
this revision are numbered in date order; their sources and third-level divisions stay
unknown (the view falls back on the outlet for the source).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import pycountry
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The store's events under ACLED's column names, current report versions only.
# sitreps/acled.py writes ACLED's export rows from it (year, region, actor-type names, tags).
ACLED_EVENTS = """
CREATE VIEW acled_events AS
SELECT
    COALESCE(e.iso3, 'XXX') || CAST(n.number AS VARCHAR(20)) AS event_id_cnty,
    e.event_date_start AS event_date,
    e.event_date_end AS event_date_end,
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
    CASE WHEN e.inter2 = 7 THEN 'Civilian targeting' END AS civilian_targeting,
    e.iso AS iso,
    e.iso3 AS iso3,
    e.country AS country,
    e.admin1 AS admin1,
    e.admin2 AS admin2,
    e.admin3 AS admin3,
    e.location AS location,
    e.latitude AS latitude,
    e.longitude AS longitude,
    e.geo_precision AS geo_precision,
    COALESCE(e.source, r.outlet) AS source,
    e.source_scale AS source_scale,
    e.source_kinds AS source_kinds,
    e.notes AS notes,
    e.fatalities_low AS fatalities,
    e.injured_low AS injured,
    r.ingested_at AS timestamp,
    r.url AS source_url,
    e.certainty AS certainty,
    e.report_id AS report_id,
    e.event_id AS event_id,
    ie.incident_id AS incident_id,
    i.status AS corroboration,
    i.n_independent_sources AS n_independent_sources,
    e.associated_actors AS associated_actors,
    e.weapons AS weapons,
    e.coded_by AS coded_by
FROM events e
JOIN reports r ON r.id = e.report_id
LEFT JOIN event_numbers n ON n.report_id = e.report_id AND n.event_id = e.event_id
LEFT JOIN incident_events ie ON ie.report_id = e.report_id AND ie.event_id = e.event_id
LEFT JOIN incidents i ON i.id = ie.incident_id
WHERE r.superseded_by IS NULL
"""

# The view as revision 0003 left it (0004 and 0005 did not touch it).
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

NEW_COLUMNS = ("iso3", "admin3", "source", "source_scale", "source_kinds")


def upgrade() -> None:
    op.execute("DROP VIEW acled_events")
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("iso3", sa.String(3)))
        batch.add_column(sa.Column("admin3", sa.Text))
        batch.add_column(sa.Column("source", sa.Text))
        batch.add_column(sa.Column("source_scale", sa.Text))
        batch.add_column(sa.Column("source_kinds", sa.Text))
    with op.batch_alter_table("places") as batch:
        batch.add_column(sa.Column("admin3", sa.Text))
    op.create_table(
        "event_numbers",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.String(64), sa.ForeignKey("reports.id"), nullable=False),
        sa.Column("event_id", sa.String(16), nullable=False),
        sa.UniqueConstraint("report_id", "event_id"),
    )
    connection = op.get_bind()
    events = sa.table(
        "events", sa.column("report_id"), sa.column("event_id"), sa.column("iso"),
        sa.column("iso3"), sa.column("event_date_start"),
    )  # fmt: skip
    for (numeric,) in connection.execute(sa.select(events.c.iso).distinct()).all():
        country = pycountry.countries.get(numeric=f"{numeric:03d}") if numeric else None
        if country is not None:
            connection.execute(
                events.update().where(events.c.iso == numeric).values(iso3=country.alpha_3)
            )
    numbers = sa.table("event_numbers", sa.column("report_id"), sa.column("event_id"))
    connection.execute(
        numbers.insert().from_select(
            ["report_id", "event_id"],
            sa.select(events.c.report_id, events.c.event_id).order_by(
                events.c.event_date_start, events.c.report_id, events.c.event_id
            ),
        )
    )
    op.execute(ACLED_EVENTS)


def downgrade() -> None:
    op.execute("DROP VIEW acled_events")
    op.drop_table("event_numbers")
    with op.batch_alter_table("events") as batch:
        for column in NEW_COLUMNS:
            batch.drop_column(column)
    with op.batch_alter_table("places") as batch:
        batch.drop_column("admin3")
    op.execute(PREVIOUS_ACLED_EVENTS)
