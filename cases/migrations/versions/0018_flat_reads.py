"""flat reads: the hot topics stored at intake, and the indexes of the desk and the case lists

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 23:30:00

Issue 16: every page flat in the size of the office. ``case_topic`` holds each case's topic words
(研判分析's hot topics), computed once when the case is registered instead of from every distinct
subject at every statistics call; ``ix_case_topic_received_word`` counts a period's words from the
index alone. Existing cases gain their words by ``backfill_topics`` in ``cases.repeat.topics``
(``shoujie`` runs it with the keyword backlog); this revision cannot import the tokenizer.

Each index is named with the read it serves:
- ``ix_case_open_owner`` (partial, open states): a desk's open cases, ``owner_id = ? AND state IN
  (open) ORDER BY received_at``;
- ``ix_case_owner_received``: my cases newest first, ``owner_id = ? ORDER BY received_at DESC, id
  DESC LIMIT 100``;
- ``ix_case_received_id``: the case list newest first, ``ORDER BY received_at DESC, id DESC LIMIT``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of workflow.lifecycle.OPEN_STATES at this revision.
OPEN_STATES = (
    "registered",
    "accepted",
    "transferred",
    "assigned",
    "replied",
    "under_review",
    "review_replied",
    "under_reexamination",
)
OPEN = "state IN (" + ", ".join(f"'{s}'" for s in OPEN_STATES) + ")"


def upgrade() -> None:
    """Create ``case_topic`` and the read indexes."""
    op.create_table(
        "case_topic",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("word", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("case_id", "word"),
    )
    op.create_index("ix_case_topic_received_word", "case_topic", ["received_at", "word"])
    op.create_index(
        "ix_case_open_owner",
        "case",
        ["owner_id", "received_at"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )
    op.create_index("ix_case_owner_received", "case", ["owner_id", "received_at", "id"])
    op.create_index("ix_case_received_id", "case", ["received_at", "id"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_case_received_id", table_name="case")
    op.drop_index("ix_case_owner_received", table_name="case")
    op.drop_index("ix_case_open_owner", table_name="case")
    op.drop_index("ix_case_topic_received_word", table_name="case_topic")
    op.drop_table("case_topic")
