"""The admins' view of deliveries: counts by status, the failed ones with their error, a retry."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from cases.notify.channels import CHANNEL_LABELS
from cases.notify.messages import message_text
from cases.notify.tables import delivery_t
from cases.runtime import Runtime
from cases.store.tables import outbox_t
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
