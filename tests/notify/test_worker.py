"""The delivery worker: the inbox alone when no channel is set up; retries with back-off; failures
shown to the admins and sent again; two workers at once; and a worker killed mid-batch that,
restarted, delivers everything, nothing twice to a receiver that honours the dedup key; the
``shoujie deliver`` command and the server's background task."""

import json
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from cases.notify import channels, worker
from cases.notify.channels import ChannelConfig, Message
from cases.notify.worker import deliver
from cases.runtime import Runtime
from cases.store.tables import outbox_t
from tests.notify.helpers import SECRET, MailDrop, Receiver, delivery_t, notify, statuses
from tests.web import NOW, client, make_app, make_web_office, sign_in


def test_with_no_channel_set_up_the_inbox_is_the_delivery(office: Engine, rt: Runtime) -> None:
    notify(office, 2)
    result = deliver(office, rt, NOW, config=ChannelConfig())
    assert result == {"fanned_out": 2, "sent": 0, "retried": 0, "failed": 0}
    with office.begin() as conn:
        assert set(conn.execute(select(outbox_t.c.status)).scalars()) == {"delivered"}
        assert conn.execute(select(func.count()).select_from(delivery_t)).scalar_one() == 0


def test_retries_with_back_off_then_failed_and_shown_to_admins(
    office: Engine, rt: Runtime, http: tuple[Receiver, str]
) -> None:
    receiver, url = http
    receiver.fail_next = 100
    notify(office, 1)
    config = ChannelConfig(webhook_url=url, webhook_secret=SECRET)

    def row() -> Any:
        with office.begin() as conn:
            return conn.execute(select(delivery_t).order_by(delivery_t.c.id).limit(1)).one()

    assert deliver(office, rt, NOW, config=config, max_attempts=3)["retried"] == 1
    first = row()
    assert (first.status, first.attempts) == ("pending", 1)
    assert first.next_attempt_at == NOW + timedelta(minutes=1)
    assert first.last_error.startswith("DeliveryError: HTTP 503")
    # Not yet due: nothing is tried.
    assert deliver(office, rt, NOW + timedelta(seconds=30), config=config)["retried"] == 0
    assert len(receiver.requests) == 1
    later = NOW + timedelta(minutes=1)
    deliver(office, rt, later, config=config, max_attempts=3)
    assert row().next_attempt_at == later + timedelta(minutes=2)  # the wait doubles
    last = later + timedelta(minutes=2)
    assert deliver(office, rt, last, config=config, max_attempts=3)["failed"] == 1
    failed = row()
    assert (failed.status, failed.attempts, failed.next_attempt_at) == ("failed", 3, None)
    with office.begin() as conn:
        message = conn.execute(
            select(outbox_t).where(outbox_t.c.recipient_staff_no == "A001")
        ).one()
        # The admin is told once, in the inbox, that it died (the message is on the dead-letter list).
        alerts = conn.execute(
            select(outbox_t.c.recipient_staff_no, outbox_t.c.topic).where(
                outbox_t.c.recipient_staff_no != "A001"
            )
        ).all()
    assert message.status == "failed" and "HTTP 503" in message.last_error
    assert message.read_at is None  # still in the recipient's inbox
    assert alerts == [("AD01", "delivery_dead")]

    # The admin sees it with its error, and sends it again once the receiver is back.
    app = make_app(office, rt, now=last)
    c = client(app)
    token = sign_in(c, "AD01")
    page = c.get("/admin/deliveries").text
    assert "发送失败" in page and "HTTP 503" in page and "test:A001:0" in page
    receiver.fail_next = 0
    r = c.post(f"/admin/deliveries/{failed.id}/retry", data={"csrf_token": token})
    assert r.status_code == 303
    # The retried message, and the admin's alert by webhook too.
    assert deliver(office, rt, last, config=config)["sent"] == 2
    assert row().status == "sent"
    assert receiver.acted[0] == "test:A001:0" and receiver.acted[1].startswith("delivery_dead:")
    other = client(app)
    sign_in(other, "A001")
    assert other.get("/admin/deliveries").status_code == 403


def test_two_workers_at_once_send_each_message_once(
    office: Engine, rt: Runtime, http: tuple[Receiver, str]
) -> None:
    receiver, url = http
    notify(office, 30)
    config = ChannelConfig(webhook_url=url, webhook_secret=SECRET)
    workers = [
        threading.Thread(
            target=deliver, args=(office, rt, NOW), kwargs={"config": config, "batch_size": 5}
        )
        for _ in range(2)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert statuses(office) == {"sent": 30}
    assert len(receiver.requests) == 30  # claimed before sending: no message went out twice


# --- the worker killed mid-batch -------------------------------------------------------------------


class Crash(BaseException):
    """The worker dying (a kill): not an error a channel reports, nothing catches it."""


def test_killed_mid_batch_and_restarted_delivers_everything_none_twice(
    office: Engine,
    rt: Runtime,
    smtp: tuple[MailDrop, int],
    http: tuple[Receiver, str],
) -> None:
    drop, port = smtp
    receiver, url = http
    messages = 12
    notify(office, messages)
    config = ChannelConfig(
        smtp_host="127.0.0.1", smtp_port=port, webhook_url=url, webhook_secret=SECRET
    )
    sent = 0

    def dying(channel: str, k: int) -> Any:
        def send(message: Message, cfg: ChannelConfig) -> None:
            nonlocal sent
            channels.SENDERS[channel](message, cfg)
            sent += 1
            if sent == k:
                # Killed after the receiver got it, before the worker recorded it.
                raise Crash()

        return send

    k = 7
    senders = {"email": dying("email", k), "webhook": dying("webhook", k)}
    with pytest.raises(Crash):
        deliver(office, rt, NOW, config=config, senders=senders, batch_size=10)
    assert sent == k
    # Restarted at once: what was not claimed goes out; the dead worker's claims wait for the lease.
    restart = NOW + timedelta(seconds=5)
    deliver(office, rt, restart, config=config, batch_size=10)
    assert statuses(office).get("pending", 0) == 10 - (k - 1)
    # After the lease, the rest, including the one that was sent but never recorded.
    done = deliver(office, rt, restart + worker.LEASE, config=config, batch_size=10)
    assert done["failed"] == 0
    assert statuses(office) == {"sent": 2 * messages}

    keys = {f"test:A001:{i}" for i in range(messages)}
    # At least once: one message reached its receiver twice…
    assert len(drop.received) + len(receiver.requests) == 2 * messages + 1
    # …and the receivers, honouring the dedup key, acted on each exactly once.
    assert sorted(drop.acted) == sorted(keys) and sorted(receiver.acted) == sorted(keys)
    assert all(r["signed"] for r in receiver.requests)
    with office.begin() as conn:
        assert set(conn.execute(select(outbox_t.c.status)).scalars()) == {"delivered"}


def test_shoujie_deliver_once(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, http: tuple[Receiver, str], capsys: Any
) -> None:
    from api.cli.main import main
    from cases import db as cases_db
    from cases.settings import settings

    receiver, url = http
    db_url = f"sqlite:///{tmp_path / 'cli.db'}"
    for name, value in {
        "SHOUJIE_DATABASE_URL": db_url,
        "SHOUJIE_ENV": "test",
        "SHOUJIE_NOW": "2026-11-26T10:00:00+08:00",
        "SHOUJIE_WEBHOOK_URL": url,
        "SHOUJIE_WEBHOOK_SECRET": SECRET.decode(),
    }.items():
        monkeypatch.setenv(name, value)
    settings.cache_clear()
    try:
        assert main(["db", "upgrade"]) == 0
        engine = cases_db.engine_for(db_url)
        make_web_office(engine)
        notify(engine, 2)
        capsys.readouterr()
        assert main(["deliver", "--once", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["sent"] == 2
        assert sorted(receiver.acted) == ["test:A001:0", "test:A001:1"]
    finally:
        settings.cache_clear()
        cases_db.engine_for.cache_clear()


def test_the_server_delivers_in_the_background(
    office: Engine, rt: Runtime, http: tuple[Receiver, str], monkeypatch: Any
) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from cases.settings import Clock

    receiver, url = http
    monkeypatch.setenv("SHOUJIE_WEBHOOK_URL", url)
    monkeypatch.setenv("SHOUJIE_WEBHOOK_SECRET", SECRET.decode())
    notify(office, 2)
    app = create_app(
        engine=office, rt=rt, clock=Clock(NOW), sweep_interval=0, deliver_interval=0.05
    )
    with TestClient(app):  # runs the lifespan: the delivery task starts
        deadline = time.monotonic() + 10
        while len(receiver.acted) < 2:
            assert time.monotonic() < deadline, "the background task delivered nothing"
            time.sleep(0.02)
    assert sorted(receiver.acted) == ["test:A001:0", "test:A001:1"]


def test_back_off_doubles_up_to_an_hour() -> None:
    waits = [worker.backoff(n) for n in range(1, 10)]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(waits) == timedelta(hours=1)
