"""The office's audit log of administrative changes: accounts, passwords, sessions revoked, the
party organisation, regions and organs. One chain, each event an HMAC over its content and its
predecessor's hash (the key is the case chain's), checked by ``shoujie audit verify``.

Passwords and secrets never enter it: an event says that a password was reset, not to what.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from cases import audit_state
from cases.models import AdminChainHead, AdminEvent

admin_event_t = AdminEvent.__table__
head_t = AdminChainHead.__table__
GENESIS = "0" * 64

#: What each administrative action is called on the pages and in the log.
ACTION_LABELS: dict[str, str] = {
    "staff.add": "添加工作人员",
    "staff.password_changed": "本人修改密码",
    "staff.password_reset": "重置密码",
    "staff.deactivated": "停用账号",
    "staff.reactivated": "启用账号",
    "staff.moved": "调整党小组",
    "staff.post": "任免党内职务",
    "staff.role": "调整岗位",
    "session.revoked": "注销会话或令牌",
    "org.branch": "设置党支部",
    "org.group_added": "新建党小组",
    "org.group_renamed": "党小组更名",
    "org.group_removed": "撤销党小组",
    "office.set": "设置本机关层级、区划与转送机关",
    "office.seeded": "载入演示机关",
}


def _canonical(value: Mapping[str, Any]) -> bytes:
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode()


def admin_hash(
    key: bytes,
    *,
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    details: Mapping[str, Any],
    state: Mapping[str, str] | None = None,
) -> str:
    """The hash of one administrative event over its content, its predecessor's hash and the
    staff's authority it left (``state``; None on events before migration 0014)."""
    body = {
        "prev": prev_hash,
        "seq": seq,
        # Whole seconds: some databases round microseconds, and ``seq`` keeps the order.
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "actor": actor,
        "action": action,
        "subject": subject,
        "details": details,
    }
    if state is not None:
        body["state"] = dict(state)
    return hmac.new(key, b"admin|" + _canonical(body), hashlib.sha256).hexdigest()


def record(
    conn: Connection,
    key: bytes,
    *,
    actor: str,
    action: str,
    subject: str,
    now: datetime,
    details: Mapping[str, Any] | None = None,
) -> int:
    """Append one event to the chain, in the caller's transaction; return its number.

    Called after the change it records: the event commits to every staff member's authority as
    the change left it (``cases.audit_state.staff_digests``)."""
    details = dict(details or {})
    # The head row, locked: a second change at the same instant waits for this one's commit.
    head = conn.execute(
        select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1).with_for_update()
    ).first()
    if head is None:
        conn.execute(insert(head_t), {"id": 1, "seq": 0, "hash": GENESIS})
        head = conn.execute(select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1)).one()
    seq, prev = head.seq + 1, head.hash
    state = audit_state.staff_digests(conn)
    digest = admin_hash(
        key,
        prev_hash=prev,
        seq=seq,
        at=now,
        actor=actor,
        action=action,
        subject=subject,
        details=details,
        state=state,
    )
    conn.execute(
        insert(admin_event_t),
        {
            "seq": seq,
            "at": now,
            "actor_staff_no": actor,
            "action": action,
            "subject": subject[:100],
            "details": details,
            "prev_hash": prev,
            "hash": digest,
            "state_digest": state,
        },
    )
    conn.execute(update(head_t).where(head_t.c.id == 1).values(seq=seq, hash=digest))
    return seq


@dataclass(frozen=True)
class AdminVerify:
    """How many administrative events were checked, and the first break, if any."""

    events: int
    broken: str | None = None


def verify(conn: Connection, key: bytes) -> AdminVerify:
    """Walk the chain from the first event: every hash, every link, no number missing."""
    prev, expected, count, sealed = GENESIS, 1, 0, None
    for row in conn.execute(select(admin_event_t).order_by(admin_event_t.c.seq)):
        if row.seq != expected:
            return AdminVerify(
                count, f"管理事件 #{expected} 缺失（admin event #{expected} missing）"
            )
        digest = admin_hash(
            key,
            prev_hash=prev,
            seq=row.seq,
            at=row.at,
            actor=row.actor_staff_no,
            action=row.action,
            subject=row.subject,
            details=row.details or {},
            state=row.state_digest,
        )
        if row.prev_hash != prev or not hmac.compare_digest(digest, row.hash):
            return AdminVerify(
                count, f"管理事件 #{row.seq} 被改动（admin event #{row.seq} altered）"
            )
        prev, expected, count, sealed = row.hash, expected + 1, count + 1, row.state_digest
    head = conn.execute(select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1)).first()
    if head is not None and head.seq > count:
        return AdminVerify(
            count,
            f"管理事件 #{count + 1}–#{head.seq} 被删除（admin events #{count + 1}–#{head.seq} deleted）",
        )
    if head is not None and (head.seq != count or head.hash != prev):
        return AdminVerify(count, "管理事件链头与最后一个事件不符（admin chain head altered）")
    if sealed is not None:
        changed = audit_state.differing(sealed, audit_state.staff_digests(conn))
        if changed:
            who = "、".join(changed)
            return AdminVerify(
                count,
                f"工作人员 {who} 的岗位、账号状态或党内职务与管理日志最后一条记录不符，staff 表被改动"
                f"（staff {', '.join(changed)}: table staff differs from the last admin event）",
            )
    return AdminVerify(count)


def recent(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    """The latest administrative events, newest first, for the admin page and the API."""
    rows = conn.execute(
        select(admin_event_t).order_by(admin_event_t.c.seq.desc()).limit(max(1, min(limit, 1000)))
    )
    return [
        {**dict(r._mapping), "action_label": ACTION_LABELS.get(r.action, r.action)} for r in rows
    ]
