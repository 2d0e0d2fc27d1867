"""The admins' view of deliveries: counts by status, the failed ones with their error, a retry."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from cases.notify.channels import CHANNEL_LABELS
from cases.notify.messages import message_text
from cases.notify.tables import delivery_t
from cases.runtime import Runtime
from cases.store import outbox
from cases.store.tables import outbox_t, staff_t
from workflow.errors import InvalidInput, NotFound

DELIVERY_STATUS_LABELS: dict[str, str] = {
    "pending": "待发送",
    "sent": "已送达",
    "failed": "发送失败",
}


def delivery_counts(conn: Connection) -> dict[str, int]:
    """How many deliveries are pending, sent and failed."""
    counts = dict(
        conn.execute(select(delivery_t.c.status, func.count()).group_by(delivery_t.c.status)).all()
    )
    return {s: int(counts.get(s, 0)) for s in DELIVERY_STATUS_LABELS}


def deliveries(
    conn: Connection, rt: Runtime, *, status: str = "failed", limit: int = 200
) -> list[dict[str, Any]]:
    """Deliveries by status (``failed``, ``pending``, ``sent``, ``all``), the latest first."""
    if status not in (*DELIVERY_STATUS_LABELS, "all"):
        raise InvalidInput(
            "delivery.bad_status", "状态应为 failed、pending、sent 或 all", field="status"
        )
    stmt = (
        select(
            delivery_t,
            outbox_t.c.dedup_key,
            outbox_t.c.topic,
            outbox_t.c.recipient_staff_no,
            outbox_t.c.case_no,
            outbox_t.c.payload,
            outbox_t.c.created_at.label("message_at"),
        )
        .join(outbox_t, outbox_t.c.id == delivery_t.c.outbox_id)
        .order_by(delivery_t.c.id.desc())
        .limit(limit)
    )
    if status != "all":
        stmt = stmt.where(delivery_t.c.status == status)
    out = []
    for r in conn.execute(stmt):
        out.append(
            {
                "id": r.id,
                "channel": r.channel,
                "channel_label": CHANNEL_LABELS.get(r.channel, r.channel),
                "status": r.status,
                "status_label": DELIVERY_STATUS_LABELS.get(r.status, r.status),
                "attempts": r.attempts,
                "next_attempt_at": r.next_attempt_at.astimezone(rt.tz).isoformat()
                if r.next_attempt_at
                else None,
                "last_error": r.last_error,
                "delivered_at": r.delivered_at.astimezone(rt.tz).isoformat()
                if r.delivered_at
                else None,
                "dedup_key": r.dedup_key,
                "topic": r.topic,
                "recipient": r.recipient_staff_no,
                "case_no": r.case_no,
                "text": message_text(r.topic, r.payload or {}, r.case_no),
                "created_at": r.message_at.astimezone(rt.tz).isoformat(),
            }
        )
    return out


def retry(conn: Connection, delivery_id: int, now: datetime) -> None:
    """An admin sends a failed delivery again: a fresh round of attempts, starting now."""
    done = conn.execute(
        update(delivery_t)
        .where(delivery_t.c.id == delivery_id, delivery_t.c.status != "sent")
        .values(status="pending", attempts=0, next_attempt_at=now)
        .returning(delivery_t.c.outbox_id)
    ).scalar()
    if done is None:
        raise NotFound("delivery.not_found", f"没有待重发的投递记录 {delivery_id}")
    conn.execute(update(outbox_t).where(outbox_t.c.id == done).values(status="sending"))


#: The topic of the admins' alert about a dead delivery (never itself alerted on: no loop).
DEAD_TOPIC = "delivery_dead"


def dead_letter(conn: Connection, delivery_id: int, error: str, now: datetime) -> int:
    """A delivery failed for good: one alert to each active admin, in the transaction that
    records it; the alert is in their inbox at once. Returns how many alerts were written."""
    row = conn.execute(
        select(
            delivery_t.c.channel,
            outbox_t.c.topic,
            outbox_t.c.recipient_staff_no,
            outbox_t.c.case_no,
        )
        .join(outbox_t, outbox_t.c.id == delivery_t.c.outbox_id)
        .where(delivery_t.c.id == delivery_id)
    ).one()
    if row.topic == DEAD_TOPIC:
        return 0
    admins = conn.execute(
        select(staff_t.c.staff_no).where(staff_t.c.role == "admin", staff_t.c.active.is_(True))
    ).scalars()
    written = 0
    for admin_no in admins:
        written += outbox.notify(
            conn,
            # Once per failure: a retried delivery that dies again alerts again.
            dedup_key=f"{DEAD_TOPIC}:{delivery_id}:{now.isoformat()}:{admin_no}",
            topic=DEAD_TOPIC,
            recipient=admin_no,
            case_no=row.case_no,
            payload={
                "delivery_id": delivery_id,
                "channel": row.channel,
                "channel_label": CHANNEL_LABELS.get(row.channel, row.channel),
                "recipient": row.recipient_staff_no,
                "error": error[:200],
            },
            now=now,
        )
    return written


def dead_letter_count(conn: Connection) -> int:
    """How many deliveries failed for good and wait for an admin (the dead-letter list)."""
    return int(
        conn.execute(
            select(func.count()).select_from(delivery_t).where(delivery_t.c.status == "failed")
        ).scalar_one()
    )
