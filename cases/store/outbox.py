"""Writing a notification to the outbox, in the transaction of what caused it."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from cases.store import fastsql
from cases.store.tables import outbox_t

#: The recipient of a message to the petitioner: no staff member has this 工号, so it is in no
#: one's inbox; the worker sends it by text message to the number the message carries (encrypted).
PETITIONER_RECIPIENT = "PETITIONER"

#: The recipient of a message to a case's petitioner (not a staff member): sent by text message
#: only, to the number and with the text its payload carries encrypted (``to_enc``, ``text_enc``).
PETITIONER_RECIPIENT = "PETITIONER"


def notify(
    conn: Connection,
    *,
    dedup_key: str,
    topic: str,
    recipient: str,
    case_no: str | None,
    payload: Mapping[str, Any],
    now: datetime,
) -> bool:
    """Write a notification to the outbox, once per dedup key; delivered after commit."""
    values = {
        "dedup_key": dedup_key,
        "topic": topic,
        "recipient_staff_no": recipient,
        "case_no": case_no,
        "payload": dict(payload),
        "created_at": now,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": None,
        "delivered_at": None,
        "read_at": None,
    }
    return fastsql.first(conn, _insert_once(conn.dialect.name), values) is not None


_INSERT_ONCE: dict[str, fastsql.Statement] = {}


def _insert_once(dialect: str) -> fastsql.Statement:
    """``INSERT … ON CONFLICT (dedup_key) DO NOTHING RETURNING id``, built once per dialect: a
    step that tells someone (a notice to the petitioner) pays for one compiled statement."""
    stmt = _INSERT_ONCE.get(dialect)
    if stmt is None:
        maker = pg_insert if dialect == "postgresql" else sqlite_insert
        columns = [c.name for c in outbox_t.columns if c.name != "id"]
        core = (
            maker(outbox_t)
            .on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(outbox_t.c.id)
        )
        stmt = _INSERT_ONCE[dialect] = fastsql.Statement(core, column_keys=columns)
    return stmt
