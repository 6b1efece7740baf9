"""Incidents keep what matching and corroboration need of their members (issue 21): the
summary a new event is matched against (sums and counts, `incidents.Summary`) and the
tally a new account is corroborated with (`corroboration.Tally`), so that storing a
report into an incident of hundreds costs what storing it into one of three does. Their
evidence, claim by claim, is no longer rewritten on every change but read from their
events' accounts. Incidents stored before this revision get a summary and a tally from
their members the first time a new event is matched against them; going back, their
evidence is empty until they change.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {
    "summary_json": sa.Text(),
    "summary_vectors": sa.LargeBinary(),
    "tally_json": sa.Text(),
}


# Plain ALTER TABLE (SQLite 3.35 drops columns): a batch operation would copy the table,
# which the acled_events view reads.
def upgrade() -> None:
    for name, kind in COLUMNS.items():
        op.add_column("incidents", sa.Column(name, kind, nullable=True))
    op.drop_column("incidents", "evidence_json")


def downgrade() -> None:
    evidence = sa.Column("evidence_json", sa.Text(), nullable=False, server_default="{}")
    op.add_column("incidents", evidence)
    for name in reversed(COLUMNS):
        op.drop_column("incidents", name)
