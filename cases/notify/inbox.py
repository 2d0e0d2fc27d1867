"""The in-app inbox: the outbox is the inbox, a message is there the moment its cause commits.

A person's messages, how many are unread, and marking them read.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from cases.notify.messages import message_text
from cases.runtime import Runtime
from cases.store.tables import outbox_t


def unread_count(conn: Connection, staff_no: str) -> int:
    """How many of this person's messages are unread (one index range)."""
    return conn.execute(
        select(func.count())
        .select_from(outbox_t)
        .where(outbox_t.c.recipient_staff_no == staff_no, outbox_t.c.read_at.is_(None))
    ).scalar_one()


def messages_for(
    conn: Connection,
    rt: Runtime,
    staff_no: str,
    *,
    unread_only: bool = False,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """This person's messages, the newest first."""
    stmt = (
        select(outbox_t)
        .where(outbox_t.c.recipient_staff_no == staff_no)
        .order_by(outbox_t.c.created_at.desc(), outbox_t.c.id.desc())
        .limit(limit)
    )
    if unread_only:
        stmt = stmt.where(outbox_t.c.read_at.is_(None))
    return [
        {
            "id": r.id,
            "topic": r.topic,
            "case_no": r.case_no,
            "text": message_text(r.topic, r.payload or {}, r.case_no),
            "link": "/briefing"
            if r.topic == "briefing"
            else (f"/cases/{r.case_no}" if r.case_no else None),
            "created_at": r.created_at.astimezone(rt.tz).isoformat(),
            "read": r.read_at is not None,
            "delivery_status": r.status,
        }
        for r in conn.execute(stmt)
    ]


def mark_read(
    conn: Connection, staff_no: str, now: datetime, *, message_id: int | None = None
) -> int:
    """Mark one message (or, without an id, all) of this person's as read; return how many."""
    stmt = update(outbox_t).where(
        outbox_t.c.recipient_staff_no == staff_no, outbox_t.c.read_at.is_(None)
    )
    if message_id is not None:
        stmt = stmt.where(outbox_t.c.id == message_id)
    return conn.execute(stmt.values(read_at=now)).rowcount
