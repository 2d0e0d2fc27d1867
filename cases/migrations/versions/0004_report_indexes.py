"""report indexes: covering indexes for the office statistics (cases/stats.py)

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-27 10:00:00

The same indexes are declared in ``cases/models/reports.py`` (``REPORT_INDEXES``) against the models' tables.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: list[tuple[str, str, list[str]]] = [
    ("ix_case_event_report", "case_event", ["action", "at", "case_id", "actor_staff_no"]),
    ("ix_case_clock_report", "case_clock", ["name", "stopped_at", "case_id", "due_at"]),
    (
        "ix_case_report",
        "case",
        [
            "received_at",
            "owner_id",
            "category",
            "channel",
            "region_code",
            "group_size",
            "skip_level",
            "repeat_of_id",
        ],
    ),
    (
        "ix_case_report_rated",
        "case",
        ["rated_at", "rating", "owner_id", "category", "channel", "region_code"],
    ),
    (
        "ix_case_report_dims",
        "case",
        ["id", "owner_id", "category", "channel", "region_code", "rating", "partner_accepted"],
    ),
]


def upgrade() -> None:
    """Apply this revision."""
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    """Revert this revision."""
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
