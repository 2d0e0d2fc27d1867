"""due dates: the on-time rates count a case by the last day of its deadline (应受理件, 应办结件)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 19:40:00

按期受理率 and 按期办结率 count the cases whose (acceptance, handling) deadline falls in the period,
an open case past its deadline counting against them (domain.md, "Measures the office reports").
The case row carries each deadline's local last day, written by the step that starts, extends or
stops the clock; one partial covering index per rate holds what the rate counts, and one the active
clocks (the cases overdue now). Existing rows are
filled from their clocks (``backfill``: a frozen copy of the rule in ``workflow/measures.py`` at
this revision).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIMS = ["owner_id", "category", "channel", "region_code"]
# (name, columns, the partial index's condition): the on-time rates' covering indexes.
CREATED: list[tuple[str, list[str], str]] = [
    (
        "ix_case_report_acceptance_due",
        ["acceptance_due", *DIMS, "decided_at", "decided_on_time"],
        "acceptance_due IS NOT NULL",
    ),
    (
        "ix_case_report_handling_due",
        ["handling_due", *DIMS, "replied_at", "replied_on_time"],
        "handling_due IS NOT NULL",
    ),
]
# The active clocks, for the cases overdue now (cases/reports/overdue.py): few beside every run.
ACTIVE = (
    "ix_case_clock_active",
    "case_clock",
    ["case_id", "name", "status", "due_date", "level"],
    "status IN ('running', 'paused')",
)
# The office clocks a reply stops, whose due date it is measured against.
REPLY_CLOCKS = ("handling", "partner_handling", "report_back", "partner_acceptance")


def backfill(conn: sa.Connection) -> None:
    """Fill the due dates from the clocks: a running or paused clock's last day, or that of the
    clock the decision (the reply) stopped; none when the clock was stopped otherwise."""
    names = ", ".join(f"'{n}'" for n in REPLY_CLOCKS)
    for column, clocks, step in (
        ("acceptance_due", "'acceptance'", "decided_at"),
        ("handling_due", names, "replied_at"),
    ):
        conn.execute(
            sa.text(
                f'UPDATE "case" SET {column} = (SELECT k.due_date FROM case_clock k'
                f' WHERE k.case_id = "case".id AND k.name IN ({clocks})'
                " AND (k.status IN ('running', 'paused')"
                f' OR (k.stopped_at IS NOT NULL AND k.stopped_at = "case".{step}))'
                " ORDER BY k.id DESC LIMIT 1)"
            )
        )


def upgrade() -> None:
    """Apply this revision."""
    op.add_column("case", sa.Column("acceptance_due", sa.Date(), nullable=True))
    op.add_column("case", sa.Column("handling_due", sa.Date(), nullable=True))
    backfill(op.get_bind())
    for name, table, columns, where in [*((n, "case", c, w) for n, c, w in CREATED), ACTIVE]:
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
    op.drop_index(ACTIVE[0], table_name=ACTIVE[1])
    for name, _, _ in reversed(CREATED):
        op.drop_index(name, table_name="case")
    op.drop_column("case", "handling_due")
    op.drop_column("case", "acceptance_due")
