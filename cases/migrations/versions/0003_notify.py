"""notifications, the supervisor queue, supervision notices, extension requests, daily briefing

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-27 10:00:00

The tables are declared in ``cases/models/notify.py`` and ``cases/models/supervision.py``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "briefing_run",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("outbox_id", "channel", name="uq_delivery_outbox_channel"),
    )
    op.create_index(
        "ix_delivery_status_next_attempt_at",
        "delivery",
        ["status", "next_attempt_at"],
        unique=False,
    )
    op.create_table(
        "notification_preference",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("staff_id", "channel"),
    )
    op.create_table(
        "staff_contact",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("phone_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("phone_masked", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("staff_id"),
    )
    op.create_table(
        "extension_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_extension_request_case_id"), "extension_request", ["case_id"], unique=False
    )
    op.create_index(
        op.f("ix_extension_request_status"), "extension_request", ["status"], unique=False
    )
    op.create_table(
        "rating_followup",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("staff_no", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("case_id"),
    )
    op.create_table(
        "escalation_ack",
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("staff_no", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalation.id"]),
        sa.PrimaryKeyConstraint("escalation_id"),
    )
    op.create_table(
        "supervision_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=True),
        sa.Column("clock_id", sa.Integer(), nullable=True),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("issued_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("to_staff_no", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reply_by", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_fire_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["clock_id"], ["case_clock.id"]),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("case_id", "escalation_id", "next_fire_at", "to_staff_no"):
        op.create_index(
            op.f(f"ix_supervision_notice_{column}"), "supervision_notice", [column], unique=False
        )
    op.create_table(
        "notice_escalation",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["notice_id"], ["supervision_notice.id"]),
        sa.PrimaryKeyConstraint("notice_id"),
    )
    # Plain CREATE INDEX: no batch copy of the outbox is needed to add an index.
    op.create_index(
        "ix_outbox_recipient_read_at", "outbox", ["recipient_staff_no", "read_at"], unique=False
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_outbox_recipient_read_at", table_name="outbox")
    op.drop_table("notice_escalation")
    for column in ("to_staff_no", "next_fire_at", "escalation_id", "case_id"):
        op.drop_index(op.f(f"ix_supervision_notice_{column}"), table_name="supervision_notice")
    op.drop_table("supervision_notice")
    op.drop_table("escalation_ack")
    op.drop_table("rating_followup")
    op.drop_index(op.f("ix_extension_request_status"), table_name="extension_request")
    op.drop_index(op.f("ix_extension_request_case_id"), table_name="extension_request")
    op.drop_table("extension_request")
    op.drop_table("staff_contact")
    op.drop_table("notification_preference")
    op.drop_index("ix_delivery_status_next_attempt_at", table_name="delivery")
    op.drop_table("delivery")
    op.drop_table("briefing_run")
