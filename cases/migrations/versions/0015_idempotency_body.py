"""idempotency body: a claim keeps the SHA-256 of the body it was claimed with

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 23:30:00

An ``Idempotency-Key`` replayed with a different body is a client's mistake (a key reused for
another petition), not a retry: it is refused (422) instead of silently answering with the first
case. Claims made before this revision have no hash and keep answering as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the body's hash to each claim."""
    with op.batch_alter_table("idempotency_key") as batch:
        batch.add_column(sa.Column("body_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Drop the body's hash."""
    with op.batch_alter_table("idempotency_key") as batch:
        batch.drop_column("body_sha256")
