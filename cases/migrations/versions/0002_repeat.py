"""repeat, skip-level and group petitions: case_contact, case_keyword

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "case_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("actor_staff_no", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("petitioner_id", sa.Integer(), nullable=True),
        sa.Column("on_site", sa.Boolean(), nullable=False),
        sa.Column("group_size", sa.Integer(), nullable=False),
        sa.Column("skip_level", sa.Boolean(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["petitioner_id"], ["petitioner.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_case_contact_at"), "case_contact", ["at"], unique=False)
    op.create_index(op.f("ix_case_contact_case_id"), "case_contact", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_case_contact_petitioner_id"), "case_contact", ["petitioner_id"], unique=False
    )
    op.create_table(
        "case_keyword",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("term", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("case_id", "term"),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_case_keyword_term_region_received",
        "case_keyword",
        ["term", "region_code", "received_at", "case_id"],
        unique=False,
    )
    # Plain CREATE INDEX: no batch copy of case_representative is needed to add an index.
    op.create_index(
        "ix_case_representative_petitioner_id",
        "case_representative",
        ["petitioner_id"],
        unique=False,
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_case_representative_petitioner_id", table_name="case_representative")
    op.drop_index("ix_case_keyword_term_region_received", table_name="case_keyword")
    op.drop_table("case_keyword")
    op.drop_index(op.f("ix_case_contact_petitioner_id"), table_name="case_contact")
    op.drop_index(op.f("ix_case_contact_case_id"), table_name="case_contact")
    op.drop_index(op.f("ix_case_contact_at"), table_name="case_contact")
    op.drop_table("case_contact")
