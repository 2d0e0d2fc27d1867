"""accounts: sessions and API tokens in the database, throttling counts, the admin event chain

Revision ID: 0011
Revises: 0005
Create Date: 2026-11-29 19:30:00

Sessions and bearer tokens were signed cookies and signed strings, valid until they expired; now
each is a row holding the SHA-256 of the random secret the client keeps, so logout, a password
change and deactivation end them at once in every worker. Failed sign-in and /track attempts are
counted in ``throttle`` (shared by every worker). ``admin_event`` is the office's audit log of
administrative changes, HMAC-chained. Staff gain ``must_change_password`` (an admin's reset) and
``password_changed_at``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """Create the three tables and the two staff columns."""
    op.create_table(
        "auth_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", AutoString(length=64), nullable=False),
        sa.Column("kind", AutoString(length=8), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", AutoString(length=40), nullable=True),
        sa.Column("client", AutoString(length=64), nullable=False),
        sa.Column("user_agent", AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("secret_hash"),
    )
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_session_staff_id"), ["staff_id"], unique=False)
    op.create_table(
        "throttle",
        sa.Column("key", AutoString(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "admin_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_staff_no", AutoString(length=32), nullable=False),
        sa.Column("action", AutoString(length=40), nullable=False),
        sa.Column("subject", AutoString(length=100), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", AutoString(length=64), nullable=False),
        sa.Column("hash", AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    """Drop what ``upgrade`` made."""
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("must_change_password")
    op.drop_table("admin_event")
    op.drop_table("throttle")
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_session_staff_id"))
    op.drop_table("auth_session")
