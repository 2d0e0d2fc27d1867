"""The delivery worker: the outbox delivered over the external channels, at least once, with retries.

An action writes its notifications to the outbox in its own transaction (``outbox.notify``). The
in-app inbox *is* the outbox: a message is in its recipient's inbox the moment its cause commits.
For the external channels the worker (``deliver``) does two things after commit:

1. fan-out: each new outbox message gets one ``delivery`` row per channel its recipient receives
   (email over SMTP, a signed webhook, a text message through an HTTP gateway), by their
   preferences and what the office configured;
2. sending: due deliveries are claimed in small batches with a short lease (``leased_until``,
   committed), sent outside any transaction, the lease of the rest of the batch renewed before each
   send, then recorded as sent, or as failed with the error and a later ``next_attempt_at``
   (exponential back-off). After ``MAX_ATTEMPTS`` a delivery is dead: marked ``failed``, kept on the
   admins' dead-letter list with its error until someone retries it, counted by the morning
   briefing, and the admins get one alert in their inbox (``cases.notify.admin.dead_letter``).
   A worker told to stop (``stop``) releases what it claimed and did not try.

A worker killed between sending and recording leaves its claim to expire after the lease (a minute,
not the batch's whole five minutes of old); the message is sent again then. So delivery is at least once, and every message carries its outbox dedup key
(``X-Shoujie-Delivery``, also the e-mail's ``Message-ID``) so that a receiver never acts twice.
"""

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select, update

from cases.notify.admin import dead_letter
from cases.notify.channels import SENDERS, ChannelConfig, Message, Sender
from cases.notify.preferences import channels_by_recipient
from cases.notify.tables import contact_t, delivery_t
from cases.runtime import Runtime
from cases.store import upsert
from cases.store.outbox import PETITIONER_RECIPIENT
from cases.store.retry import retrying
from cases.store.tables import outbox_t, staff_t

log = logging.getLogger("shoujie.delivery")

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
#: How long a claimed delivery is left alone: a worker that died holding it gives it up after this.
#: A live worker renews it before each send, so it only has to outlast one send.
LEASE = timedelta(seconds=60)
#: Deliveries claimed at once: a dead worker strands no more than these until its lease runs out.
BATCH = 10


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 1, 2, 4 … minutes, at most an hour."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))


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
    batch_size: int = BATCH,
    max_attempts: int = MAX_ATTEMPTS,
    lease: timedelta = LEASE,
    clock: Callable[[], datetime] | None = None,
    stop: threading.Event | None = None,
) -> dict[str, Any]:
    """One pass of the worker: fan new outbox messages out to channels, then send what is due.

    ``clock`` gives the time leases are renewed from (``now`` when not given); when ``stop`` is
    set the pass ends after the message in hand, releasing the rest of its batch.
    """
    config = config or ChannelConfig.from_env()
    senders = {**SENDERS, **(senders or {})}
    clock = clock or (lambda: now)
    result = DeliveryResult()
    while not (stop and stop.is_set()):
        # Each round fans out and claims as of the clock's time, not the pass's start: a long pass
        # (a slow channel, a backlog) also takes the messages written while it was sending.
        moment = max(now, clock())
        result.fanned_out += fan_out(
            engine, rt, moment, config=config, batch_size=max(batch_size, 100)
        )
        claimed = _claim(engine, rt, moment, batch_size=batch_size, lease=lease)
        unsent = [delivery_id for delivery_id, *_ in claimed]
        try:
            for delivery_id, channel, attempts, message in claimed:
                if stop and stop.is_set():
                    break
                _renew(engine, unsent, clock() + lease)
                unsent.remove(delivery_id)
                _send_one(
                    engine,
                    senders[channel],
                    message,
                    config,
                    delivery_id,
                    attempts,
                    now,
                    max_attempts,
                    result,
                )
        except Exception:
            # Recording failed (the database went away): give back what was never tried.
            _release(engine, unsent)
            raise
        # Told to stop: what was claimed and never tried goes back untouched, for another worker.
        _release(engine, unsent)
        if len(claimed) < batch_size:
            break
    return result.as_dict()


def _send_one(
    engine: Engine,
    send: Sender,
    message: Message,
    config: ChannelConfig,
    delivery_id: int,
    attempts: int,
    now: datetime,
    max_attempts: int,
    result: DeliveryResult,
) -> None:
    """Send one claimed delivery and record how it went, each record its own transaction."""
    try:
        send(message, config)
    except Exception as exc:  # noqa: BLE001  (a channel's failure is retried, never lost)
        error = f"{type(exc).__name__}: {exc}"[:500]
        result.errors.append(error)
        final = retrying(
            partial(_record_failure, engine, delivery_id, attempts, error, now, max_attempts),
            what="delivery",
        )
        if final:
            result.failed += 1
            log.warning("delivery %s failed for good: %s", delivery_id, error)
        else:
            result.retried += 1
        return
    # Retried on a deadlock or a busy database: the message is sent, it must be recorded.
    retrying(partial(_record_sent, engine, delivery_id, now), what="delivery")
    result.sent += 1


def _renew(engine: Engine, ids: list[int], until: datetime) -> None:
    """Hold the batch's remaining deliveries a lease longer (the worker is alive and sending)."""
    if ids:
        with engine.begin() as conn:
            conn.execute(
                update(delivery_t).where(delivery_t.c.id.in_(ids)).values(leased_until=until)
            )


def _release(engine: Engine, ids: list[int]) -> None:
    """Give back claimed deliveries never tried: no lease, and the attempt not counted."""
    if ids:
        with engine.begin() as conn:
            conn.execute(
                update(delivery_t)
                .where(delivery_t.c.id.in_(ids), delivery_t.c.status == "pending")
                .values(leased_until=None, attempts=delivery_t.c.attempts - 1)
            )


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
            wanted = channels_by_recipient(conn, {r.recipient_staff_no for r in rows}, configured)
            for row in rows:
                channels = wanted.get(row.recipient_staff_no, ())
                if row.recipient_staff_no == PETITIONER_RECIPIENT:
                    # A petitioner has no inbox: a text message or, unconfigured, a visible failure.
                    channels = ("sms",)
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
            .where(
                delivery_t.c.status == "pending",
                delivery_t.c.next_attempt_at <= now,
                or_(delivery_t.c.leased_until.is_(None), delivery_t.c.leased_until <= now),
            )
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
            .values(attempts=delivery_t.c.attempts + 1, leased_until=now + lease)
        )
    out = []
    for r in rows:
        payload = dict(r.payload or {})
        phone_enc = r.phone_enc
        if r.recipient_staff_no == PETITIONER_RECIPIENT:
            # A petitioner is no staff member: the number rides encrypted in the message, and a
            # text carrying a 查询码 is encrypted too.
            phone_enc = payload.pop("to_enc", None)
            if "text_enc" in payload:
                payload = {"text": _decrypted(rt, payload.get("text_enc"))}
        phone = _decrypted(rt, phone_enc) or None  # none: sending fails with "no number", visibly
        message = Message(
            outbox_id=r.outbox_id,
            dedup_key=r.dedup_key,
            topic=r.topic,
            recipient=r.recipient_staff_no,
            recipient_name=r.staff_name or r.recipient_staff_no,
            case_no=r.case_no,
            payload=payload,
            created_at=r.created_at,
            email=r.email,
            phone=phone,
        )
        out.append((r.id, r.channel, r.attempts + 1, message))
    return out


def _decrypted(rt: Runtime, token: Any) -> str:
    """A field the outbox keeps encrypted, or "" when absent or unreadable."""
    if not token:
        return ""
    try:
        return rt.cipher.decrypt(str(token))
    except ValueError:
        return ""


def _record_sent(engine: Engine, delivery_id: int, now: datetime) -> None:
    """Record a delivery sent, in its own transaction."""
    with engine.begin() as conn:
        outbox_id = conn.execute(
            update(delivery_t)
            .where(delivery_t.c.id == delivery_id)
            .values(
                status="sent",
                delivered_at=now,
                next_attempt_at=None,
                leased_until=None,
                last_error=None,
            )
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
                leased_until=None,
                last_error=error,
            )
            .returning(delivery_t.c.outbox_id)
        ).scalar_one()
        _settle_outbox(conn, outbox_id, now, error=error)
        if final:
            dead_letter(conn, delivery_id, error, now)
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
