"""joint: 联合会办 — the organs of a joint handling, their meeting records and acceptance disputes

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 22:50:51

Each organ's part is timed by an ordinary ``case_clock`` row (``joint_lead``, ``joint_co1`` …), so
the sweeper escalates it like any other clock; ``joint_organ`` names the organ, its task and that clock.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "joint_dispute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("organs", sa.JSON(), nullable=False),
        sa.Column("claims", AutoString(), nullable=False),
        sa.Column("recorded_by", AutoString(length=32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepting_organ", AutoString(length=100), nullable=True),
        sa.Column("reason", AutoString(), nullable=True),
        sa.Column("decided_by", AutoString(length=32), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("joint_dispute", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_joint_dispute_case_id"), ["case_id"], unique=False)

    op.create_table(
        "joint_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", AutoString(length=200), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("agreed", AutoString(), nullable=False),
        sa.Column("commitments", sa.JSON(), nullable=False),
        sa.Column("recorded_by", AutoString(length=32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("joint_meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_joint_meeting_case_id"), ["case_id"], unique=False)

    op.create_table(
        "joint_organ",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", AutoString(length=8), nullable=False),
        sa.Column("organ", AutoString(length=100), nullable=False),
        sa.Column("task", AutoString(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("unit", AutoString(length=10), nullable=False),
        sa.Column("clock_id", sa.Integer(), nullable=False),
        sa.Column("set_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_up_by", AutoString(length=32), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reported_by", AutoString(length=32), nullable=True),
        sa.Column("report", AutoString(), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["clock_id"],
            ["case_clock.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("clock_id"),
    )
    with op.batch_alter_table("joint_organ", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_joint_organ_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_joint_organ_organ"), ["organ"], unique=False)
        batch_op.create_index(batch_op.f("ix_joint_organ_set_up_at"), ["set_up_at"], unique=False)


def downgrade() -> None:
    """Drop what ``upgrade`` made."""
    with op.batch_alter_table("joint_organ", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_joint_organ_set_up_at"))
        batch_op.drop_index(batch_op.f("ix_joint_organ_organ"))
        batch_op.drop_index(batch_op.f("ix_joint_organ_case_id"))

    op.drop_table("joint_organ")
    with op.batch_alter_table("joint_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_joint_meeting_case_id"))

    op.drop_table("joint_meeting")
    with op.batch_alter_table("joint_dispute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_joint_dispute_case_id"))

    op.drop_table("joint_dispute")
