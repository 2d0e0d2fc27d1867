"""Delivery leases and dead letters, over a real loopback SMTP server: a worker told to stop gives
back what it never tried; a worker still sending keeps its batch from another worker; a message that
fails for good is on the admins' list, alerts each admin once and is counted by the morning briefing."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from cases.notify import channels
from cases.notify.channels import ChannelConfig, Message
from cases.notify.worker import deliver
from cases.reports.briefing import briefing, run_briefing
from cases.runtime import Runtime
from cases.store import outbox
from cases.store.tables import outbox_t
from tests.notify.helpers import MailDrop, delivery_t, free_port, notify, statuses
from tests.web import NOW, client, make_app, sign_in


def rows(engine: Engine) -> list[Any]:
    with engine.begin() as conn:
        return list(conn.execute(select(delivery_t).order_by(delivery_t.c.id)))


def test_a_worker_told_to_stop_gives_back_what_it_never_tried(
    office: Engine, rt: Runtime, smtp: tuple[MailDrop, int]
) -> None:
    """Shut down after two mails: the other eight of its batch go out at once from the next worker,
    not after the lease, and no attempt is counted against them."""
    import threading

    drop, port = smtp
    notify(office, 10)
    config = ChannelConfig(smtp_host="127.0.0.1", smtp_port=port)
    stop = threading.Event()
    sent = 0

    def send(message: Message, cfg: ChannelConfig) -> None:
        nonlocal sent
        channels.SENDERS["email"](message, cfg)
        sent += 1
        if sent == 2:
            stop.set()  # the server shutting down while this mail goes out

    result = deliver(office, rt, NOW, config=config, senders={"email": send}, stop=stop)
    assert result["sent"] == 2
    waiting = [r for r in rows(office) if r.status == "pending"]
    assert len(waiting) == 8
    assert all(r.leased_until is None and r.attempts == 0 for r in waiting)
    assert deliver(office, rt, NOW, config=config)["sent"] == 8
    assert statuses(office) == {"sent": 10} and len(drop.received) == 10


def test_a_worker_still_sending_keeps_its_batch(
    office: Engine, rt: Runtime, smtp: tuple[MailDrop, int]
) -> None:
    """Each send takes 50 s of a 60 s lease: renewed before each send, the batch stays the first
    worker's, and a second worker starting meanwhile sends none of it twice."""
    drop, port = smtp
    notify(office, 4)
    config = ChannelConfig(smtp_host="127.0.0.1", smtp_port=port)
    ticks = iter(NOW + timedelta(seconds=50 * i) for i in range(1, 100))
    times: list[datetime] = []

    def clock() -> datetime:
        times.append(next(ticks))
        return times[-1]

    second: list[dict[str, Any]] = []

    def send(message: Message, cfg: ChannelConfig) -> None:
        channels.SENDERS["email"](message, cfg)
        if len(times) == 3:  # 150 s after the claim: the first lease alone would have run out
            second.append(deliver(office, rt, times[-1], config=config))

    result = deliver(
        office,
        rt,
        NOW,
        config=config,
        senders={"email": send},
        clock=clock,
        batch_size=4,
        lease=timedelta(seconds=60),
    )
    assert result["sent"] == 4
    assert second == [{"fanned_out": 0, "sent": 0, "retried": 0, "failed": 0}]
    assert len(drop.received) == 4


def test_a_message_that_fails_for_good_is_a_dead_letter_the_admin_and_the_briefing_see(
    office: Engine, rt: Runtime, smtp: tuple[MailDrop, int]
) -> None:
    """No server listens where the mail is sent: after the last attempt the delivery is on the
    admins' list, each admin is alerted once in the inbox, and the leaders' briefing counts it."""
    drop, port = smtp
    dead = ChannelConfig(smtp_host="127.0.0.1", smtp_port=free_port())
    notify(office, 1)
    assert deliver(office, rt, NOW, config=dead, max_attempts=1)["failed"] == 1
    later = NOW + timedelta(hours=2)
    deliver(office, rt, later, config=dead, max_attempts=1)  # nothing more to try: no new alert
    with office.begin() as conn:
        alerts = conn.execute(
            select(outbox_t.c.recipient_staff_no, outbox_t.c.topic).where(
                outbox_t.c.topic == "delivery_dead"
            )
        ).all()
        assert alerts == [("AD01", "delivery_dead")]
        assert briefing(conn, rt, later)["failed_deliveries"] == 1

    app = make_app(office, rt, now=later)
    admin = client(app)
    sign_in(admin, "AD01")
    page = admin.get("/admin/deliveries").text
    assert "发送失败" in page and "test:A001:0" in page
    inbox = admin.get("/inbox").text
    assert "【投递失败】" in inbox
    leader = client(app)
    sign_in(leader, "L001")
    assert "投递失败的通知 1 条" in leader.get("/briefing").text

    # The morning briefing tells the admins how many wait on the list.
    morning = NOW.replace(hour=1) + timedelta(days=1)  # 09:00 in Shanghai
    run_briefing(office, rt, morning, force=True)
    with office.begin() as conn:
        lines = conn.execute(
            select(outbox_t.c.recipient_staff_no, outbox_t.c.payload).where(
                outbox_t.c.topic == "briefing"
            )
        ).all()
    assert [(who, p["failed_deliveries"]) for who, p in lines if p.get("deliveries_only")] == [
        ("AD01", 1)
    ]
    assert "投递失败的通知 1 条" in admin.get("/inbox").text
    # Sent over the live server once an admin retries it.
    live = ChannelConfig(smtp_host="127.0.0.1", smtp_port=port)
    failed = next(r for r in rows(office) if r.status == "failed")
    from cases.notify.admin import retry

    with office.begin() as conn:
        retry(conn, failed.id, later)
    deliver(office, rt, later, config=live)
    assert any("test:A001:0" in m for m in drop.acted)


def test_a_long_pass_also_sends_what_was_written_while_it_was_sending(
    office: Engine, rt: Runtime, smtp: tuple[MailDrop, int]
) -> None:
    """A message written while the worker is busy with a full batch goes out in the same pass:
    the pass fans out again before each batch, as of the clock's time, not only at its start."""
    drop, port = smtp
    notify(office, 2)
    config = ChannelConfig(smtp_host="127.0.0.1", smtp_port=port)
    ticks = iter(NOW + timedelta(seconds=i) for i in range(1, 100))

    def send(message: Message, cfg: ChannelConfig) -> None:
        channels.SENDERS["email"](message, cfg)
        if len(drop.received) == 1:
            with office.begin() as conn:  # an escalation raised meanwhile
                outbox.notify(
                    conn,
                    dedup_key="test:A001:meanwhile",
                    topic="escalation",
                    recipient="A001",
                    case_no="2026-000099",
                    payload={"level": "overdue", "clock": "handling", "due_date": "2026-11-20"},
                    now=NOW,
                )

    result = deliver(
        office,
        rt,
        NOW,
        config=config,
        senders={"email": send},
        clock=lambda: next(ticks),
        batch_size=2,
    )
    assert result["fanned_out"] == 3 and result["sent"] == 3
    assert statuses(office) == {"sent": 3}
