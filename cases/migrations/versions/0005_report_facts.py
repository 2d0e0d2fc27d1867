"""report facts: each step writes what the statistics count (cases/stats.py ``step_facts``)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 00:30:00

The acceptance decision and the reply, each once per case, go on the case row with whether they
were in time; a tracking note's timeliness goes on its event. The statistics then read one partial
covering index per measure instead of joining clocks and events to cases, and the two wide indexes
of 0004 those joins needed are dropped (every event and clock write paid for them). Existing rows
are filled from their events and clocks (``backfill``: a frozen copy of what the statistics module
did at this revision, so this revision means the same whatever the live code becomes).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

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
# (name, table, columns, the partial index's condition): the statistics' covering indexes.
CREATED: list[tuple[str, str, list[str], str]] = [
    (
        "ix_case_report_decided",
        "case",
        ["decided_at", "owner_id", "category", "channel", "region_code", "decided_on_time"],
        "decided_at IS NOT NULL",
    ),
    (
        "ix_case_report_replied",
        "case",
        [
            "replied_at",
            "owner_id",
            "category",
            "channel",
            "region_code",
            "replied_on_time",
            "rating",
        ],
        "replied_at IS NOT NULL",
    ),
    (
        "ix_case_event_tracking",
        "case_event",
        ["at", "actor_staff_no", "on_time"],
        "on_time IS NOT NULL",
    ),
]
# The office clocks a reply stops, whose due date it is measured against.
REPLY_CLOCKS = ("handling", "partner_handling", "report_back", "partner_acceptance")


def backfill(conn: sa.Connection) -> None:
    """Fill the new columns from the events and clocks of the steps taken before they existed."""
    decided = (
        'SELECT min(e.at) FROM case_event e WHERE e.case_id = "case".id'
        " AND e.action IN ('accept', 'reject', 'transfer', 'assign')"
    )
    replied = (
        'SELECT min(e.at) FROM case_event e WHERE e.case_id = "case".id'
        " AND e.action IN ('reply', 'report_back')"
    )
    conn.execute(sa.text(f'UPDATE "case" SET decided_at = ({decided}), replied_at = ({replied})'))
    conn.execute(
        sa.text(
            'UPDATE "case" SET decided_on_time = (SELECT "case".decided_at <= k.due_at'
            " FROM case_clock k WHERE k.case_id = \"case\".id AND k.name = 'acceptance'"
            ' AND k.stopped_at = "case".decided_at) WHERE decided_at IS NOT NULL'
        )
    )
    names = ", ".join(f"'{n}'" for n in REPLY_CLOCKS)
    conn.execute(
        sa.text(
            'UPDATE "case" SET replied_on_time = (SELECT min(CASE WHEN "case".replied_at <='
            f' k.due_at THEN 1 ELSE 0 END) FROM case_clock k WHERE k.case_id = "case".id'
            f' AND k.name IN ({names}) AND k.stopped_at = "case".replied_at) = 1'
            " WHERE replied_at IS NOT NULL"
        )
    )
    conn.execute(
        sa.text(
            "UPDATE case_event SET on_time = (SELECT case_event.at <= k.due_at FROM case_clock k"
            " WHERE k.case_id = case_event.case_id AND k.name = 'tracking'"
            " AND k.stopped_at = case_event.at) WHERE action = 'note'"
        )
    )


def upgrade() -> None:
    """Apply this revision."""
    when = sa.DateTime(timezone=True)
    op.add_column("case", sa.Column("decided_at", when, nullable=True))
    op.add_column("case", sa.Column("decided_on_time", sa.Boolean(), nullable=True))
    op.add_column("case", sa.Column("replied_at", when, nullable=True))
    op.add_column("case", sa.Column("replied_on_time", sa.Boolean(), nullable=True))
    op.add_column("case_event", sa.Column("on_time", sa.Boolean(), nullable=True))
    for name, table, _ in DROPPED:
        op.drop_index(name, table_name=table)
    backfill(op.get_bind())
    for name, table, columns, where in CREATED:
        op.create_index(
            name,
            table,
            columns,
            unique=False,
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )


def downgrade() -> None:
    """Revert this revision."""
    for name, table, _, _ in reversed(CREATED):
        op.drop_index(name, table_name=table)
    for name, table, columns in DROPPED:
        op.create_index(name, table, columns, unique=False)
    op.drop_column("case_event", "on_time")
    for column in ("replied_on_time", "replied_at", "decided_on_time", "decided_at"):
        op.drop_column("case", column)
