"""report facts: each step writes what the statistics count (cases/stats.py ``step_facts``)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 00:30:00

The acceptance decision and the reply, each once per case, go on the case row with whether they
were in time; a tracking note's timeliness goes on its event. The statistics then read one partial
covering index per measure instead of joining clocks and events to cases, and the two wide indexes
of 0004 those joins needed are dropped (every event and clock write paid for them). Existing rows
are filled from their events and clocks (``cases.stats.backfill``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.models
from cases import stats

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DROPPED: list[tuple[str, str, list[str]]] = [
    ("ix_case_event_report", "case_event", ["action", "at", "case_id", "actor_staff_no"]),
    ("ix_case_clock_report", "case_clock", ["name", "stopped_at", "case_id", "due_at"]),
    (
        "ix_case_report_dims",
        "case",
        ["id", "owner_id", "category", "channel", "region_code", "rating", "partner_accepted"],
    ),
]
CREATED = (stats.ix_case_decided, stats.ix_case_replied, stats.ix_event_tracking)


def upgrade() -> None:
    """Apply this revision."""
    when = cases.models.UTCDateTime(timezone=True)
    op.add_column("case", sa.Column("decided_at", when, nullable=True))
    op.add_column("case", sa.Column("decided_on_time", sa.Boolean(), nullable=True))
    op.add_column("case", sa.Column("replied_at", when, nullable=True))
    op.add_column("case", sa.Column("replied_on_time", sa.Boolean(), nullable=True))
    op.add_column("case_event", sa.Column("on_time", sa.Boolean(), nullable=True))
    for name, table, _ in DROPPED:
        op.drop_index(name, table_name=table)
    stats.backfill(op.get_bind())
    for index in CREATED:
        index.create(op.get_bind())


def downgrade() -> None:
    """Revert this revision."""
    for index in reversed(CREATED):
        index.drop(op.get_bind())
    for name, table, columns in DROPPED:
        op.create_index(name, table, columns, unique=False)
    op.drop_column("case_event", "on_time")
    for column in ("replied_on_time", "replied_at", "decided_on_time", "decided_at"):
        op.drop_column("case", column)
