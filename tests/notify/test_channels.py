"""Each channel for real: e-mail to an SMTP server on loopback (aiosmtpd), a signed webhook and a
text-message gateway on loopback HTTP servers; a person's choice of channels; an unreachable server
or a missing secret is an error, not silence."""

from datetime import timedelta

from sqlalchemy import Engine, select

from cases.models import StaffContact
from cases.notify import channels, preferences
from cases.notify.channels import ChannelConfig, Message
from cases.notify.worker import deliver
from cases.runtime import Runtime
from cases.store.tables import outbox_t
from cases.supervision.sweeper import sweep
from tests.notify.helpers import SECRET, MailDrop, Receiver, delivery_t, free_port, notify
from tests.web import NOW, api_act, api_intake, client, make_app, sign_in


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


def test_a_reason_over_several_lines_never_breaks_a_mail_header(
    office: Engine, rt: Runtime, smtp: tuple[MailDrop, int]
) -> None:
    drop, port = smtp
    config = ChannelConfig(smtp_host="127.0.0.1", smtp_port=port, smtp_from="xfj@example.cn")
    app = make_app(office, rt)
    c = client(app)
    no = api_intake(app, c, staff_no="A002")["case_no"]
    api_act(
        app,
        c,
        no,
        "reassign",
        "G001",
        to_staff_no="A001",
        reason="回避\r\nBcc: someone@evil.example\r\n\r\n伪造的正文",
    )
    result = deliver(office, rt, NOW, config=config)
    assert result["failed"] == 0, result
    mail = next(m for m in drop.received if m["To"] == "A001@xfj.example.cn")
    assert "\n" not in mail["Subject"] and "\r" not in mail["Subject"]
    assert "原因：回避 Bcc: someone" in mail["Subject"]
    assert mail["Bcc"] is None
