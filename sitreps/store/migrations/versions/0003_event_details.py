"""Events keep the actors also named with them, the weapons named and what coded their type;
the `acled_events` view gains ACLED's assoc_actor_1 / assoc_actor_2 columns (empty: a report
seldom says which side a further actor stands with, and sitreps does not guess) and sitreps'
associated_actors, weapons and coded_by.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NEW_COLUMNS = ("associated_actors", "weapons", "coded_by")


def _revision_0002() -> ModuleType:
    """The view as revision 0002 made it, read from that revision's own file."""
    path = Path(__file__).with_name("0002_incidents.py")
    spec = importlib.util.spec_from_file_location("revision_0002", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def acled_events() -> str:
    view: str = _revision_0002().ACLED_EVENTS
    view = view.replace(
        "    e.actor1 AS actor1,\n", "    e.actor1 AS actor1,\n    NULL AS assoc_actor_1,\n"
    )
    view = view.replace(
        "    e.actor2 AS actor2,\n", "    e.actor2 AS actor2,\n    NULL AS assoc_actor_2,\n"
    )
    return view.replace(
        "    i.n_independent_sources AS n_independent_sources\n",
        "    i.n_independent_sources AS n_independent_sources,\n"
        "    e.associated_actors AS associated_actors,\n"
        "    e.weapons AS weapons,\n"
        "    e.coded_by AS coded_by\n",
    )


def upgrade() -> None:
    op.execute("DROP VIEW acled_events")
    with op.batch_alter_table("events") as events:
        events.add_column(sa.Column("associated_actors", sa.Text))
        events.add_column(sa.Column("weapons", sa.Text))
        events.add_column(sa.Column("coded_by", sa.String(16)))
    op.execute(acled_events())


def downgrade() -> None:
    op.execute("DROP VIEW acled_events")
    with op.batch_alter_table("events") as events:
        for column in NEW_COLUMNS:
            events.drop_column(column)
    op.execute(_revision_0002().ACLED_EVENTS)
