"""Notifications delivered for real: e-mail to an SMTP server on loopback (aiosmtpd), a signed webhook
and a text-message gateway on loopback HTTP servers; retries with back-off; failures shown to the
admins; and a worker killed mid-batch that, restarted, delivers everything, nothing twice to a
receiver that honours the dedup key."""

import email
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update

from cases.models import Delivery, StaffContact
from cases.notify import channels, preferences, worker
from cases.notify.channels import ChannelConfig, Message
from cases.notify.worker import deliver
from cases.runtime import Runtime
from cases.store import outbox, tables
from cases.store.tables import outbox_t
from cases.supervision.sweeper import sweep
from tests.web import NOW, api_intake, client, make_app, make_web_office, sign_in

SECRET = b"webhook-test-secret"
delivery_t = Delivery.__table__


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- receivers on loopback -------------------------------------------------------------------------


class MailDrop:
    """An SMTP handler that keeps every message and acts once per X-Shoujie-Delivery."""

    def __init__(self) -> None:
        self.received: list[email.message.EmailMessage] = []
        self.acted: list[str] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.received.append(message)
            key = str(message["X-Shoujie-Delivery"])
            if key not in self.acted:
                self.acted.append(key)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[MailDrop, int]]:
    from aiosmtpd.controller import Controller

    drop = MailDrop()
    port = free_port()
    controller = Controller(drop, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield drop, port
    finally:
        controller.stop()


class Receiver:
    """What an HTTP receiver saw: every request, the ones it acted on, and its next answers."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.acted: list[str] = []
        self.fail_next = 0
        self.lock = threading.Lock()


def http_receiver(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            signature = self.headers.get("X-Shoujie-Signature")
            expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
            key = self.headers.get("X-Shoujie-Delivery", "")
            with receiver.lock:
                receiver.requests.append(
                    {
                        "path": self.path,
                        "body": json.loads(body),
                        "key": key,
                        "signed": signature is not None
                        and hmac.compare_digest(signature, expected),
                    }
                )
                if receiver.fail_next > 0:
                    receiver.fail_next -= 1
                    status = 503
                else:
                    status = 200
                    # A dedup-aware receiver acts once per delivery key, however often it arrives.
                    if key not in receiver.acted:
                        receiver.acted.append(key)
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok" if status == 200 else b"busy")

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def http() -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), http_receiver(receiver))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def office(engine: Engine) -> Engine:
    make_web_office(engine)
    with engine.begin() as conn:
        conn.execute(
            update(tables.staff_t)
            .where(tables.staff_t.c.staff_no.in_(["A001", "G001"]))
            .values(email=tables.staff_t.c.staff_no + "@xfj.example.cn")
        )
    return engine


def notify(engine: Engine, n: int, recipient: str = "A001", topic: str = "escalation") -> None:
    with engine.begin() as conn:
        for i in range(n):
            outbox.notify(
                conn,
                dedup_key=f"test:{recipient}:{i}",
                topic=topic,
                recipient=recipient,
                case_no=f"2026-{i + 1:06d}",
                payload={"level": "overdue", "clock": "acceptance", "due_date": "2026-11-20"},
                now=NOW,
            )


def statuses(engine: Engine) -> dict[str, int]:
    with engine.begin() as conn:
        return dict(
            conn.execute(
                select(delivery_t.c.status, func.count()).group_by(delivery_t.c.status)
            ).all()
        )


# --- channels ----------------------------------------------------------------------------------------


def test_email_over_smtp_once_per_message(
    office: Engine, rt: Runtime, smtp: tuple[MailDrop, int]
) -> None:
    drop, port = smtp
    config = ChannelConfig(smtp_host="127.0.0.1", smtp_port=port, smtp_from="xfj@example.cn")
    app = make_app(office, rt)
    c = client(app)
    no = api_intake(app, c, received_at="2026-11-09T09:00:00+08:00")["case_no"]
    sweep(office, rt, now=NOW)

    result = deliver(office, rt, NOW, config=config)
    assert result["sent"] >= 2 and result["failed"] == 0
    to_owner = [m for m in drop.received if m["To"] == "A001@xfj.example.cn"]
    assert to_owner, [m["To"] for m in drop.received]
    mail = to_owner[-1]
    assert "超期" in mail["Subject"] and no in mail["Subject"]
    assert mail["From"] == "xfj@example.cn"
    assert mail["X-Shoujie-Delivery"].startswith("escalation:")
    assert mail["Message-ID"].endswith("@shoujie>")
    assert f"/cases/{no}" in mail.get_content()
    # Staff without an address get no e-mail; their inbox has the message all the same.
    assert not [m for m in drop.received if "A002" in str(m["To"])]

    # Sent is sent: the next pass sends nothing again.
    before = len(drop.received)
    assert deliver(office, rt, NOW + timedelta(minutes=10), config=config)["sent"] == 0
    assert len(drop.received) == before
    with office.begin() as conn:
        states = set(conn.execute(select(outbox_t.c.status)).scalars())
    assert states == {"delivered"}


def test_signed_webhook(office: Engine, rt: Runtime, http: tuple[Receiver, str]) -> None:
    receiver, url = http
    notify(office, 3)
    config = ChannelConfig(webhook_url=url + "/hook", webhook_secret=SECRET)
    assert deliver(office, rt, NOW, config=config)["sent"] == 3
    assert len(receiver.requests) == 3
    assert all(r["signed"] for r in receiver.requests)
    first = receiver.requests[0]
    assert first["path"] == "/hook" and first["key"] == "test:A001:0"
    body = first["body"]
    assert body["id"] == "test:A001:0" and body["case_no"] == "2026-000001"
    assert body["recipient"] == {"staff_no": "A001", "name": "张敏"}
    assert "超期" in body["text"]
    # The signature covers the body: the same message signed with another key does not verify.
    raw = channels.webhook_body(
        Message(
            outbox_id=1,
            dedup_key="k",
            topic="x",
            recipient="A001",
            recipient_name="张敏",
            case_no=None,
            payload={},
            created_at=NOW,
        )
    )
    assert channels.signature(SECRET, raw) != channels.signature(b"other", raw)


def test_text_messages_through_the_gateway_to_the_number_the_user_gave(
    office: Engine, rt: Runtime, http: tuple[Receiver, str]
) -> None:
    receiver, url = http
    app = make_app(office, rt)
    c = client(app)
    token = sign_in(c, "A001")
    r = c.post(
        "/inbox/preferences",
        data={
            "csrf_token": token,
            "channel.sms": "on",
            "channel.webhook": "on",
            "email": "zhangmin@xfj.example.cn",
            "phone": "13800138000",
        },
    )
    assert r.status_code == 303
    page = c.get("/inbox").text
    assert "138****8000" in page and "13800138000" not in page
    with office.begin() as conn:
        stored = conn.execute(select(StaffContact.__table__)).one()
    assert "13800138000" not in stored.phone_enc  # encrypted like the petitioners' numbers

    notify(office, 1)
    config = ChannelConfig(sms_url=url + "/sms")
    assert deliver(office, rt, NOW, config=config)["sent"] == 1
    sms = receiver.requests[0]
    assert sms["path"] == "/sms" and sms["body"]["to"] == "+8613800138000"
    assert "2026-000001" in sms["body"]["text"] and sms["key"] == "test:A001:0"

    # A bad number is refused on the form and nothing changes.
    c.post("/inbox/preferences", data={"csrf_token": token, "phone": "12345"})
    assert "138****8000" in c.get("/inbox").text


def test_preferences_turn_a_channel_off(
    office: Engine, rt: Runtime, smtp: tuple[MailDrop, int], http: tuple[Receiver, str]
) -> None:
    drop, port = smtp
    receiver, url = http
    with office.begin() as conn:
        preferences.set_preferences(conn, rt, "A001", enabled={"email": False}, now=NOW)
    notify(office, 2)
    config = ChannelConfig(
        smtp_host="127.0.0.1", smtp_port=port, webhook_url=url, webhook_secret=SECRET
    )
    assert deliver(office, rt, NOW, config=config)["sent"] == 2
    assert drop.received == [] and len(receiver.requests) == 2


def test_with_no_channel_set_up_the_inbox_is_the_delivery(office: Engine, rt: Runtime) -> None:
    notify(office, 2)
    result = deliver(office, rt, NOW, config=ChannelConfig())
    assert result == {"fanned_out": 2, "sent": 0, "retried": 0, "failed": 0}
    with office.begin() as conn:
        assert set(conn.execute(select(outbox_t.c.status)).scalars()) == {"delivered"}
        assert conn.execute(select(func.count()).select_from(delivery_t)).scalar_one() == 0


# --- failures -----------------------------------------------------------------------------------------


def test_retries_with_back_off_then_failed_and_shown_to_admins(
    office: Engine, rt: Runtime, http: tuple[Receiver, str]
) -> None:
    receiver, url = http
    receiver.fail_next = 100
    notify(office, 1)
    config = ChannelConfig(webhook_url=url, webhook_secret=SECRET)

    def row() -> Any:
        with office.begin() as conn:
            return conn.execute(select(delivery_t)).one()

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
        message = conn.execute(select(outbox_t)).one()
    assert message.status == "failed" and "HTTP 503" in message.last_error
    assert message.read_at is None  # still in the recipient's inbox

    # The admin sees it with its error, and sends it again once the receiver is back.
    app = make_app(office, rt, now=last)
    c = client(app)
    token = sign_in(c, "AD01")
    page = c.get("/admin/deliveries").text
    assert "发送失败" in page and "HTTP 503" in page and "test:A001:0" in page
    receiver.fail_next = 0
    r = c.post(f"/admin/deliveries/{failed.id}/retry", data={"csrf_token": token})
    assert r.status_code == 303
    assert deliver(office, rt, last, config=config)["sent"] == 1
    assert row().status == "sent"
    assert receiver.acted == ["test:A001:0"]
    other = client(app)
    sign_in(other, "A001")
    assert other.get("/admin/deliveries").status_code == 403


def test_an_unreachable_server_and_a_missing_secret_are_errors_not_silence(
    office: Engine, rt: Runtime
) -> None:
    notify(office, 1)
    config = ChannelConfig(
        smtp_host="127.0.0.1", smtp_port=free_port(), webhook_url="http://127.0.0.1:9/x"
    )
    result = deliver(office, rt, NOW, config=config, max_attempts=1)
    assert result["failed"] == 2
    with office.begin() as conn:
        errors = dict(conn.execute(select(delivery_t.c.channel, delivery_t.c.last_error)).all())
    assert "ConnectionRefused" in errors["email"]
    assert "SHOUJIE_WEBHOOK_SECRET" in errors["webhook"]


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
    from api.cli import main
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
