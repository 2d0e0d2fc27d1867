"""state digest: each audit event commits to what its step left

Revision ID: 0014
Revises: 0012
Create Date: 2026-11-29 23:10:00

``case_event.state_digest`` holds, per table, the SHA-256 of the rows a case's step left behind
(the case row, its petitioner, its clocks, its escalations, its attachments' hashes);
``admin_event.state_digest`` the same of each staff member's authority (role, active, group, post,
unit). Each event's HMAC covers its digest, and ``shoujie audit verify`` recomputes the current
rows' digests and compares them with the last event's.

Events written before this revision have no digest (NULL): they are not backfilled, since a digest
of today's rows would bless whatever was edited before; a case whose last event has none is
reported as not yet sealed until its next step (or until the chain is re-sealed by the operator).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the two nullable digest columns."""
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state_digest", sa.JSON(), nullable=True))
    with op.batch_alter_table("admin_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state_digest", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("admin_event", schema=None) as batch_op:
        batch_op.drop_column("state_digest")
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_column("state_digest")
