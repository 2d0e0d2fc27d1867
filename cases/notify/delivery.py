"""Notifications that are never lost: the outbox delivered by a worker, at least once, with retries.

An action writes its notifications to the outbox in its own transaction (``outbox.notify``). The
in-app inbox *is* the outbox: a message is in its recipient's inbox the moment its cause commits.
For the external channels the worker (``deliver``) does two things after commit:

1. fan-out: each new outbox message gets one ``delivery`` row per channel its recipient receives
   (email over SMTP, a signed webhook, a text message through an HTTP gateway), by their
   preferences and what the office configured;
2. sending: due deliveries are claimed with a lease (``next_attempt_at`` moved ahead, committed),
   sent outside any transaction, then recorded as sent, or as failed with the error and a later
   ``next_attempt_at`` (exponential back-off). After ``MAX_ATTEMPTS`` a delivery is marked
   ``failed`` and stays on the admins' page with its error until someone retries it.

A worker killed between sending and recording leaves the claim to expire; the message is sent again
after the lease. So delivery is at least once, and every message carries its outbox dedup key
(``X-Shoujie-Delivery``, also the e-mail's ``Message-ID``) so that a receiver never acts twice.
"""

import hashlib
import hmac
import json
import logging
import os
import re
import smtplib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, func, select, update

from cases.models import Delivery, NotificationPreference, StaffContact
from cases.runtime import Runtime
from cases.store import upsert
from cases.store.tables import outbox_t, staff_t
from workflow.errors import InvalidInput, NotFound
from workflow.intake import mask_phone, validate_phone
from workflow.lifecycle import RATINGS
from workflow.periods import LEVEL_LABELS, PERIODS

log = logging.getLogger("shoujie.delivery")

delivery_t = Delivery.__table__
pref_t = NotificationPreference.__table__
contact_t = StaffContact.__table__

#: The external channels, in the order the preference form shows them.
CHANNELS: tuple[str, ...] = ("email", "webhook", "sms")
CHANNEL_LABELS: dict[str, str] = {
    "inbox": "站内消息",
    "email": "电子邮件",
    "webhook": "Webhook（办公平台）",
    "sms": "短信",
}
#: A channel the user has not chosen about: on (it still needs an address and the office's setup).
DEFAULT_ENABLED: dict[str, bool] = {"email": True, "webhook": True, "sms": True}
DELIVERY_STATUS_LABELS: dict[str, str] = {
    "pending": "待发送",
    "sent": "已送达",
    "failed": "发送失败",
}

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
#: How long a claimed delivery is left alone: a worker that died holding it gives it up after this.
LEASE = timedelta(minutes=5)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 1, 2, 4 … minutes, at most an hour."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))


# --- configuration --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelConfig:
    """What the office configured for each channel (``SHOUJIE_SMTP_*``, ``_WEBHOOK_*``, ``_SMS_URL``)."""

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "shoujie@localhost"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    webhook_url: str | None = None
    webhook_secret: bytes | None = None
    sms_url: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    timeout: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "ChannelConfig":
        """Read the channels from the environment; an unset channel is off."""
        env = os.environ if env is None else env
        secret = env.get("SHOUJIE_WEBHOOK_SECRET")
        return cls(
            smtp_host=env.get("SHOUJIE_SMTP_HOST") or None,
            smtp_port=int(env.get("SHOUJIE_SMTP_PORT") or 25),
            smtp_from=env.get("SHOUJIE_SMTP_FROM") or "shoujie@localhost",
            smtp_user=env.get("SHOUJIE_SMTP_USER") or None,
            smtp_password=env.get("SHOUJIE_SMTP_PASSWORD") or None,
            smtp_starttls=env.get("SHOUJIE_SMTP_STARTTLS", "") in ("1", "true", "yes"),
            webhook_url=env.get("SHOUJIE_WEBHOOK_URL") or None,
            webhook_secret=secret.encode() if secret else None,
            sms_url=env.get("SHOUJIE_SMS_URL") or None,
            base_url=(env.get("SHOUJIE_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
        )

    def configured(self) -> tuple[str, ...]:
        """The external channels the office set up."""
        on = {"email": bool(self.smtp_host), "webhook": bool(self.webhook_url)}
        on["sms"] = bool(self.sms_url)
        return tuple(c for c in CHANNELS if on[c])


# --- what a message says ----------------------------------------------------------------------------


def message_text(topic: str, payload: Mapping[str, Any], case_no: str | None) -> str:
    """One line in Chinese: the inbox entry, the text message, the e-mail's first line."""
    p = payload
    no = case_no or ""
    if topic == "escalation":
        period = PERIODS.get(str(p.get("clock")))
        label = p.get("clock_label") or (period.label if period else "期限")
        level = p.get("level_label") or LEVEL_LABELS.get(str(p.get("level")), "")
        return f"【{level}】信访事项 {no} 的{label}届满日为 {p.get('due_date', '')}"
    if topic == "reassigned":
        if p.get("role") == "new_owner":
            return f"您已被指定为信访事项 {no} 的首接责任人。原因：{p.get('reason', '')}"
        return f"信访事项 {no} 已改由他人首接。原因：{p.get('reason', '')}"
    if topic == "dissatisfied":
        return f"【不满意】信访人对信访事项 {no} 的评价为「{RATINGS.get('dissatisfied')}」，请跟进"
    if topic == "supervision_notice":
        return (
            f"【督办单】请于 {p.get('reply_by', '')} 前答复信访事项 {no} 的办理情况。"
            f"{p.get('text', '')}"
        )
    if topic == "notice_answered":
        late = "（逾期）" if p.get("late") else ""
        return f"信访事项 {no} 的督办单已答复{late}：{p.get('answer', '')}"
    if topic == "notice_overdue":
        return (
            f"【督办单逾期】信访事项 {no} 的督办单应于 {p.get('reply_by', '')} 前答复，"
            f"首接责任人 {p.get('owner_name', '')}（{p.get('owner', '')}）至今未答复"
        )
    if topic == "extension_requested":
        return f"【延期申请】信访事项 {no} 申请延长办理期限 {p.get('days', '')} 日：{p.get('reason', '')}"
    if topic == "extension_decided":
        if p.get("approved"):
            return f"信访事项 {no} 的延期申请已批准，办理期限延长 {p.get('days', '')} 日"
        return f"信访事项 {no} 的延期申请未获批准：{p.get('note', '')}"
    if topic == "group_visit":
        size = f"（{p['group_size']}人）" if p.get("group_size") else ""
        return f"【集体访】信访事项 {no} 为集体访{size}，请关注"
    if topic == "repeat_contact":
        return f"【重复访】信访人就信访事项 {no} 再次反映，请首接责任人跟进"
    if topic == "briefing":
        n = p.get("counts", {})
        who = p.get("title", "")
        return (
            f"【每日例会 {p.get('day', '')}】{who}今日到期 {n.get('due_today', 0)} 件，"
            f"已超期 {n.get('overdue', 0)} 件，新登记 {n.get('new', 0)} 件，"
            f"收到评价 {n.get('ratings', 0)} 件"
        )
    return f"{topic}：{no}".rstrip("：")


def message_body(topic: str, payload: Mapping[str, Any], case_no: str | None, base_url: str) -> str:
    """The e-mail body: the line, the briefing's lists, and where to act."""
    lines = [message_text(topic, payload, case_no), ""]
    if topic == "briefing":
        for key, title in (
            ("due_today", "今日到期"),
            ("overdue", "已超期"),
            ("new", "新登记"),
            ("ratings", "收到评价"),
        ):
            items = payload.get(key) or []
            if items:
                lines.append(f"{title}：")
                lines += [f"  {item}" for item in items]
        lines.append(f"详见 {base_url}/briefing")
    elif case_no:
        lines.append(f"请登录查看：{base_url}/cases/{case_no}")
    lines += ["", "—— 首接 信访接待（本邮件由系统发送，请勿直接回复）"]
    return "\n".join(lines)


# --- senders ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One outbox message on its way to one channel."""

    outbox_id: int
    dedup_key: str
    topic: str
    recipient: str
    recipient_name: str
    case_no: str | None
    payload: Mapping[str, Any]
    created_at: datetime
    email: str | None = None
    phone: str | None = None

    @property
    def text(self) -> str:
        """The one-line text."""
        return message_text(self.topic, self.payload, self.case_no)


class DeliveryError(Exception):
    """A channel refused or could not take a message (retried later)."""


Sender = Callable[[Message, ChannelConfig], None]


def signature(secret: bytes, body: bytes) -> str:
    """The webhook's ``X-Shoujie-Signature``: ``sha256=`` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def webhook_body(message: Message) -> bytes:
    """The JSON the webhook receives (UTF-8, keys sorted, so the signature is reproducible)."""
    body = {
        "id": message.dedup_key,
        "topic": message.topic,
        "recipient": {"staff_no": message.recipient, "name": message.recipient_name},
        "case_no": message.case_no,
        "text": message.text,
        "payload": dict(message.payload),
        "created_at": message.created_at.isoformat(),
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")


def send_email(message: Message, config: ChannelConfig) -> None:
    """Send by SMTP; the ``Message-ID`` is derived from the dedup key, so a resend is the same mail."""
    if not config.smtp_host:
        raise DeliveryError("未配置 SHOUJIE_SMTP_HOST")
    if not message.email:
        raise DeliveryError(f"{message.recipient} 没有电子邮件地址")
    mail = EmailMessage()
    mail["From"] = config.smtp_from
    mail["To"] = message.email
    mail["Subject"] = "首接：" + message.text[:60]
    mail["Date"] = format_datetime(message.created_at)
    digest = hashlib.sha256(message.dedup_key.encode()).hexdigest()[:32]
    mail["Message-ID"] = f"<{digest}@shoujie>"
    mail["X-Shoujie-Delivery"] = message.dedup_key
    mail.set_content(message_body(message.topic, message.payload, message.case_no, config.base_url))
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.timeout) as smtp:
        if config.smtp_starttls:
            smtp.starttls()
        if config.smtp_user:
            smtp.login(config.smtp_user, config.smtp_password or "")
        smtp.send_message(mail)


def _post(url: str, content: bytes, headers: Mapping[str, str], timeout: float) -> None:
    try:
        response = httpx.post(url, content=content, headers=dict(headers), timeout=timeout)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")


def send_webhook(message: Message, config: ChannelConfig) -> None:
    """POST the message as JSON, signed with HMAC-SHA256 over the body."""
    if not config.webhook_url:
        raise DeliveryError("未配置 SHOUJIE_WEBHOOK_URL")
    if not config.webhook_secret:
        # Unsigned messages could be forged by anyone who can reach the receiver: refuse, visibly.
        raise DeliveryError("未配置 SHOUJIE_WEBHOOK_SECRET，不能发送未签名的消息")
    body = webhook_body(message)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Shoujie-Signature": signature(config.webhook_secret, body),
        "X-Shoujie-Delivery": message.dedup_key,
        "X-Shoujie-Topic": message.topic,
    }
    _post(config.webhook_url, body, headers, config.timeout)


def send_sms(message: Message, config: ChannelConfig) -> None:
    """POST ``{to, text}`` to the text-message gateway."""
    if not config.sms_url:
        raise DeliveryError("未配置 SHOUJIE_SMS_URL")
    if not message.phone:
        raise DeliveryError(f"{message.recipient} 没有登记手机号码")
    body = json.dumps({"to": message.phone, "text": message.text}, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Shoujie-Delivery": message.dedup_key,
    }
    _post(config.sms_url, body, headers, config.timeout)


SENDERS: dict[str, Sender] = {"email": send_email, "webhook": send_webhook, "sms": send_sms}


# --- the worker -----------------------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    """What one pass did."""

    fanned_out: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """As JSON."""
        return {
            "fanned_out": self.fanned_out,
            "sent": self.sent,
            "retried": self.retried,
            "failed": self.failed,
        }


def deliver(
    engine: Engine,
    rt: Runtime,
    now: datetime,
    *,
    config: ChannelConfig | None = None,
    senders: Mapping[str, Sender] | None = None,
    batch_size: int = 100,
    max_attempts: int = MAX_ATTEMPTS,
    lease: timedelta = LEASE,
) -> dict[str, Any]:
    """One pass of the worker: fan new outbox messages out to channels, then send what is due."""
    config = config or ChannelConfig.from_env()
    senders = {**SENDERS, **(senders or {})}
    result = DeliveryResult()
    result.fanned_out = fan_out(engine, rt, now, config=config, batch_size=batch_size)
    while True:
        claimed = _claim(engine, rt, now, batch_size=batch_size, lease=lease)
        for delivery_id, channel, attempts, message in claimed:
            try:
                senders[channel](message, config)
            except Exception as exc:  # noqa: BLE001  (any failure of a channel is retried, never lost)
                error = f"{type(exc).__name__}: {exc}"[:500]
                result.errors.append(error)
                final = _record_failure(engine, delivery_id, attempts, error, now, max_attempts)
                if final:
                    result.failed += 1
                    log.warning("delivery %s failed for good: %s", delivery_id, error)
                else:
                    result.retried += 1
                continue
            _record_sent(engine, delivery_id, now)
            result.sent += 1
        if len(claimed) < batch_size:
            break
    return result.as_dict()


def fan_out(
    engine: Engine,
    rt: Runtime,
    now: datetime,
    *,
    config: ChannelConfig,
    batch_size: int = 500,
) -> int:
    """Give each new outbox message its delivery rows; return how many messages were handled."""
    configured = config.configured()
    handled = 0
    while True:
        with engine.begin() as conn:
            stmt = (
                select(outbox_t.c.id, outbox_t.c.recipient_staff_no)
                .where(outbox_t.c.status == "pending")
                .order_by(outbox_t.c.id)
                .limit(batch_size)
            )
            if conn.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            rows = conn.execute(stmt).all()
            if not rows:
                break
            wanted = _channels_by_recipient(conn, {r.recipient_staff_no for r in rows}, configured)
            for row in rows:
                channels = wanted.get(row.recipient_staff_no, ())
                for channel in channels:
                    upsert.insert_ignore(
                        conn,
                        delivery_t,
                        {
                            "outbox_id": row.id,
                            "channel": channel,
                            "status": "pending",
                            "attempts": 0,
                            "next_attempt_at": now,
                            "created_at": now,
                        },
                        ["outbox_id", "channel"],
                    )
                # With no external channel the message is delivered: it is in the inbox already.
                values: dict[str, Any] = (
                    {"status": "sending"}
                    if channels
                    else {"status": "delivered", "delivered_at": now}
                )
                conn.execute(update(outbox_t).where(outbox_t.c.id == row.id).values(**values))
            handled += len(rows)
        if len(rows) < batch_size:
            break
    return handled


def _channels_by_recipient(
    conn: Connection, staff_nos: Iterable[str], configured: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """Per 工号, the configured channels the person has an address for and has not turned off."""
    if not configured:
        return {}
    rows = conn.execute(
        select(
            staff_t.c.id,
            staff_t.c.staff_no,
            staff_t.c.email,
            contact_t.c.phone_enc,
        )
        .outerjoin(contact_t, contact_t.c.staff_id == staff_t.c.id)
        .where(staff_t.c.staff_no.in_(sorted(set(staff_nos))), staff_t.c.active.is_(True))
    ).all()
    prefs = _preferences_of(conn, [r.id for r in rows])
    out: dict[str, tuple[str, ...]] = {}
    for r in rows:
        has_address = {"email": bool(r.email), "sms": bool(r.phone_enc), "webhook": True}
        out[r.staff_no] = tuple(
            c
            for c in configured
            if has_address[c] and prefs.get(r.id, {}).get(c, DEFAULT_ENABLED[c])
        )
    return out


def _preferences_of(conn: Connection, staff_ids: Sequence[int]) -> dict[int, dict[str, bool]]:
    out: dict[int, dict[str, bool]] = {}
    if staff_ids:
        for row in conn.execute(select(pref_t).where(pref_t.c.staff_id.in_(list(staff_ids)))):
            out.setdefault(row.staff_id, {})[row.channel] = row.enabled
    return out


def _claim(
    engine: Engine, rt: Runtime, now: datetime, *, batch_size: int, lease: timedelta
) -> list[tuple[int, str, int, Message]]:
    """Take a batch of due deliveries: move their next attempt past the lease and commit."""
    with engine.begin() as conn:
        stmt = (
            select(
                delivery_t.c.id,
                delivery_t.c.channel,
                delivery_t.c.attempts,
                outbox_t.c.id.label("outbox_id"),
                outbox_t.c.dedup_key,
                outbox_t.c.topic,
                outbox_t.c.recipient_staff_no,
                outbox_t.c.case_no,
                outbox_t.c.payload,
                outbox_t.c.created_at,
                staff_t.c.name.label("staff_name"),
                staff_t.c.email,
                contact_t.c.phone_enc,
            )
            .join(outbox_t, outbox_t.c.id == delivery_t.c.outbox_id)
            .outerjoin(staff_t, staff_t.c.staff_no == outbox_t.c.recipient_staff_no)
            .outerjoin(contact_t, contact_t.c.staff_id == staff_t.c.id)
            .where(delivery_t.c.status == "pending", delivery_t.c.next_attempt_at <= now)
            .order_by(delivery_t.c.next_attempt_at, delivery_t.c.id)
            .limit(batch_size)
        )
        if conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update(of=delivery_t, skip_locked=True)
        rows = conn.execute(stmt).all()
        if not rows:
            return []
        # Counted when the try starts: a message that kills the worker every time still runs out
        # of attempts instead of being tried for ever.
        conn.execute(
            update(delivery_t)
            .where(delivery_t.c.id.in_([r.id for r in rows]))
            .values(attempts=delivery_t.c.attempts + 1, next_attempt_at=now + lease)
        )
    out = []
    for r in rows:
        phone = None
        if r.phone_enc:
            try:
                phone = rt.cipher.decrypt(r.phone_enc)
            except ValueError:
                phone = None  # sending then fails with "no number", visibly
        message = Message(
            outbox_id=r.outbox_id,
            dedup_key=r.dedup_key,
            topic=r.topic,
            recipient=r.recipient_staff_no,
            recipient_name=r.staff_name or r.recipient_staff_no,
            case_no=r.case_no,
            payload=r.payload or {},
            created_at=r.created_at,
            email=r.email,
            phone=phone,
        )
        out.append((r.id, r.channel, r.attempts + 1, message))
    return out


def _record_sent(engine: Engine, delivery_id: int, now: datetime) -> None:
    with engine.begin() as conn:
        outbox_id = conn.execute(
            update(delivery_t)
            .where(delivery_t.c.id == delivery_id)
            .values(status="sent", delivered_at=now, next_attempt_at=None, last_error=None)
            .returning(delivery_t.c.outbox_id)
        ).scalar_one()
        _settle_outbox(conn, outbox_id, now)


def _record_failure(
    engine: Engine, delivery_id: int, attempts: int, error: str, now: datetime, max_attempts: int
) -> bool:
    """Record a failed try; return True when it was the last one (the delivery is failed)."""
    final = attempts >= max_attempts
    with engine.begin() as conn:
        outbox_id = conn.execute(
            update(delivery_t)
            .where(delivery_t.c.id == delivery_id)
            .values(
                status="failed" if final else "pending",
                next_attempt_at=None if final else now + backoff(attempts),
                last_error=error,
            )
            .returning(delivery_t.c.outbox_id)
        ).scalar_one()
        _settle_outbox(conn, outbox_id, now, error=error)
    return final


def _settle_outbox(
    conn: Connection, outbox_id: int, now: datetime, error: str | None = None
) -> None:
    """The outbox row's status follows its deliveries: delivered, failed, or still sending."""
    counts = dict(
        conn.execute(
            select(delivery_t.c.status, func.count())
            .where(delivery_t.c.outbox_id == outbox_id)
            .group_by(delivery_t.c.status)
        ).all()
    )
    attempts = conn.execute(
        select(func.max(delivery_t.c.attempts)).where(delivery_t.c.outbox_id == outbox_id)
    ).scalar_one()
    values: dict[str, Any] = {"attempts": attempts or 0}
    if error is not None:
        values["last_error"] = error
    if counts.get("pending"):
        values["status"] = "sending"
    elif counts.get("failed"):
        values["status"] = "failed"
    else:
        values.update(status="delivered", delivered_at=now)
    conn.execute(update(outbox_t).where(outbox_t.c.id == outbox_id).values(**values))


# --- the admins' view ---------------------------------------------------------------------------------


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


# --- the inbox ----------------------------------------------------------------------------------------


def unread_count(conn: Connection, staff_no: str) -> int:
    """How many of this person's messages are unread (one index range)."""
    return conn.execute(
        select(func.count())
        .select_from(outbox_t)
        .where(outbox_t.c.recipient_staff_no == staff_no, outbox_t.c.read_at.is_(None))
    ).scalar_one()


def inbox(
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


# --- preferences --------------------------------------------------------------------------------------


def _staff_id(conn: Connection, staff_no: str) -> Any:
    row = conn.execute(
        select(staff_t.c.id, staff_t.c.email).where(staff_t.c.staff_no == staff_no)
    ).first()
    if row is None:
        raise NotFound("staff.not_found", f"没有工号为 {staff_no} 的工作人员")
    return row


def preferences(
    conn: Connection, staff_no: str, config: ChannelConfig | None = None
) -> dict[str, Any]:
    """A person's channels: on or off, the address used, and whether the office set it up."""
    config = config or ChannelConfig.from_env()
    me = _staff_id(conn, staff_no)
    prefs = _preferences_of(conn, [me.id]).get(me.id, {})
    phone = conn.execute(
        select(contact_t.c.phone_masked).where(contact_t.c.staff_id == me.id)
    ).scalar()
    configured = config.configured()
    address = {"email": me.email, "sms": phone, "webhook": None}
    return {
        "channels": [
            {
                "channel": c,
                "label": CHANNEL_LABELS[c],
                "enabled": prefs.get(c, DEFAULT_ENABLED[c]),
                "configured": c in configured,
                "address": address[c],
            }
            for c in CHANNELS
        ],
        "email": me.email or "",
        "phone_masked": phone or "",
    }


def set_preferences(
    conn: Connection,
    rt: Runtime,
    staff_no: str,
    *,
    enabled: Mapping[str, bool],
    now: datetime,
    email: str | None = None,
    phone: str | None = None,
) -> None:
    """Save a person's channel choices and, when given, their e-mail address and mobile number."""
    me = _staff_id(conn, staff_no)
    if email is not None:
        email = email.strip()
        if email and (len(email) > 200 or not _EMAIL.match(email)):
            raise InvalidInput("contact.bad_email", "电子邮件地址格式不正确", field="email")
        conn.execute(update(staff_t).where(staff_t.c.id == me.id).values(email=email or None))
    if phone is not None:
        phone = phone.strip()
        values: dict[str, Any] = {"phone_enc": None, "phone_masked": None, "updated_at": now}
        if phone:
            number = validate_phone(phone, field="phone")
            values.update(phone_enc=rt.cipher.encrypt(number), phone_masked=mask_phone(number))
        conn.execute(contact_t.delete().where(contact_t.c.staff_id == me.id))
        conn.execute(contact_t.insert().values(staff_id=me.id, **values))
    for channel, on in enabled.items():
        if channel not in CHANNELS:
            raise InvalidInput("preference.bad_channel", f"未知的通知方式：{channel}")
        conn.execute(pref_t.delete().where(pref_t.c.staff_id == me.id, pref_t.c.channel == channel))
        conn.execute(pref_t.insert().values(staff_id=me.id, channel=channel, enabled=bool(on)))


__all__ = [
    "CHANNELS",
    "CHANNEL_LABELS",
    "ChannelConfig",
    "DeliveryError",
    "Message",
    "backoff",
    "deliver",
    "deliveries",
    "delivery_counts",
    "fan_out",
    "inbox",
    "mark_read",
    "message_body",
    "message_text",
    "preferences",
    "retry",
    "set_preferences",
    "signature",
    "unread_count",
    "webhook_body",
]
