"""Writing a notification to the outbox, in the transaction of what caused it."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from cases.store.tables import outbox_t
from cases.store.upsert import insert_ignore

#: The recipient of a message to the petitioner: no staff member has this 工号, so it is in no
#: one's inbox; the worker sends it by text message to the number the message carries (encrypted).
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
    }
    return insert_ignore(conn, outbox_t, values, ["dedup_key"]) == 1
