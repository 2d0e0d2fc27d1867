"""admin chain head: the administrative events' last seq and hash in a row of its own

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29 23:45:00

``shoujie audit verify`` could not tell when the newest administrative events had been deleted: the
remaining chain is still whole. The head row moves with every event in the same transaction, so a
deleted tail leaves it pointing past the last event; locking it also serialises two administrative
changes made at the same instant (they had clashed on ``seq``). Filled from the existing chain.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64


def upgrade() -> None:
    """Create the head row from the chain's last event (or the genesis when there is none)."""
    head = op.create_table(
        "admin_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    last = (
        op.get_bind()
        .execute(sa.text("SELECT seq, hash FROM admin_event ORDER BY seq DESC LIMIT 1"))
        .first()
    )
    op.bulk_insert(
        head, [{"id": 1, "seq": last.seq if last else 0, "hash": last.hash if last else GENESIS}]
    )


def downgrade() -> None:
    """Drop the head row."""
    op.drop_table("admin_chain_head")
