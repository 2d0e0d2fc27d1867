"""The external channels and their senders: e-mail over SMTP, a signed webhook, a text-message gateway.

What the office configured (``ChannelConfig``), the message on its way (``Message``), and one
sender per channel; a sender raises ``DeliveryError`` when a channel refuses or cannot take a
message (the worker retries it). Every message carries its outbox dedup key
(``X-Shoujie-Delivery``, also the e-mail's ``Message-ID``) so that a receiver never acts twice.
"""

import hashlib
import hmac
import json
import os
import re
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import httpx

from cases.notify.messages import message_body, message_text

#: The external channels, in the order the preference form shows them.
CHANNELS: tuple[str, ...] = ("email", "webhook", "sms")
CHANNEL_LABELS: dict[str, str] = {
    "inbox": "站内消息",
    "email": "电子邮件",
    "webhook": "Webhook（办公平台）",
    "sms": "短信",
}


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


#: Line breaks and other controls end a mail header: a reason typed over several lines would
#: make every attempt fail (or, unchecked, smuggle in headers of its own).
HEADER_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(value: str) -> str:
    """``value`` fit for one mail header line: each run of control characters is one space."""
    return HEADER_BREAKING.sub(" ", value).strip()


def send_email(message: Message, config: ChannelConfig) -> None:
    """Send by SMTP; the ``Message-ID`` is derived from the dedup key, so a resend is the same mail."""
    if not config.smtp_host:
        raise DeliveryError("未配置 SHOUJIE_SMTP_HOST")
    if not message.email:
        raise DeliveryError(f"{message.recipient} 没有电子邮件地址")
    mail = EmailMessage()
    mail["From"] = header_text(config.smtp_from)
    mail["To"] = header_text(message.email)
    mail["Subject"] = "首接：" + header_text(message.text)[:60]
    mail["Date"] = format_datetime(message.created_at)
    digest = hashlib.sha256(message.dedup_key.encode()).hexdigest()[:32]
    mail["Message-ID"] = f"<{digest}@shoujie>"
    mail["X-Shoujie-Delivery"] = header_text(message.dedup_key)
    mail.set_content(message_body(message.topic, message.payload, message.case_no, config.base_url))
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.timeout) as smtp:
        if config.smtp_starttls:
            smtp.starttls()
        if config.smtp_user:
            smtp.login(config.smtp_user, config.smtp_password or "")
        smtp.send_message(mail)


def _post(url: str, content: bytes, headers: Mapping[str, str], timeout: float) -> None:
    """POST the body; anything but a 2xx answer is a ``DeliveryError``."""
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
