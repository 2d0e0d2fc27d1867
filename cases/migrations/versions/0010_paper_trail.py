"""paper trail: statutory notices with their 文号, and attachments on cases

Revision ID: 0010
Revises: 0005
Create Date: 2026-11-29 20:00:00

The tables are declared in ``cases/models/paper.py``: ``notice_counter`` (the last 文号 per office
and year), ``case_notice`` (each notice's rendered HTML and its hash) and ``case_attachment``
(the files' bytes, previews, and staged uploads between the intake form and its check page).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "notice_counter",
        sa.Column("office_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("office_id", "year"),
    )
    op.create_table(
        "case_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", TEXT(length=32), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("doc_no", TEXT(length=64), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("sha256", TEXT(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("office_id", "year", "seq", name="uq_notice_office_year_seq"),
    )
    op.create_index("ix_case_notice_case_id", "case_notice", ["case_id"])
    op.create_table(
        "case_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("staged_token", TEXT(length=64), nullable=True),
        sa.Column("filename", TEXT(length=200), nullable=False),
        sa.Column("media_type", TEXT(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", TEXT(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("preview", sa.LargeBinary(), nullable=True),
        sa.Column("uploaded_by", TEXT(length=32), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_attachment_case_id", "case_attachment", ["case_id"])
    op.create_index("ix_case_attachment_staged", "case_attachment", ["staged_token"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("case_attachment")
    op.drop_table("case_notice")
    op.drop_table("notice_counter")
