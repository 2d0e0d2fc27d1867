"""operations: delivery leases, and the request id on audit events

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-29 19:45:00

A delivery claimed by a worker is held until ``leased_until`` (renewed while it sends, cleared when
the worker stops), instead of moving ``next_attempt_at`` ahead: a dead worker's claim runs out after a
short lease, and the retry schedule stays what the failures made it. Each audit event keeps the id of
the request that made it (``X-Request-ID``), so a log line leads to the step and back.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
# The delivery table comes from 0003, on another branch of the history.
depends_on: str | Sequence[str] | None = ("0003",)


def upgrade() -> None:
    """Add ``delivery.leased_until`` and ``case_event.request_id``."""
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_column("request_id")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("leased_until")
