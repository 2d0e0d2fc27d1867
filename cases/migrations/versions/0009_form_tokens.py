"""form tokens: a creating form's one-time token, claimed in the transaction that creates

Revision ID: 0009
Revises: 0005
Create Date: 2026-11-29 19:30:00

A re-posted intake form (a retry, a second tab) finds its token taken and is sent to the case the
first post made, instead of registering the petition twice. The table lives in the database so
that every worker process sees the same claims.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the form_token table."""
    op.create_table(
        "form_token",
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("staff_no", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token"),
    )


def downgrade() -> None:
    """Drop the form_token table."""
    op.drop_table("form_token")
