"""idempotency claim: the key is claimed before the case is registered

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-29 19:40:00

An intake with an ``Idempotency-Key`` first inserts its key row (``INSERT … ON CONFLICT DO
NOTHING``) and fills in the case and the answer when it has them, in the same transaction: a
concurrent duplicate then waits on the claim instead of failing on the unique key afterwards. The
case and the answer are therefore empty for the moment between claim and registration.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Let the key row exist before its case and answer do."""
    with op.batch_alter_table("idempotency_key") as batch:
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("response_enc", existing_type=sa.String(), nullable=True)


def downgrade() -> None:
    """Drop unfinished claims, then require the case and answer again."""
    op.execute("DELETE FROM idempotency_key WHERE case_id IS NULL OR response_enc IS NULL")
    with op.batch_alter_table("idempotency_key") as batch:
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("response_enc", existing_type=sa.String(), nullable=False)
