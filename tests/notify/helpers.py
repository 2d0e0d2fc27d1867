"""What the notification tests share: an SMTP server and HTTP receivers on loopback that act once
per delivery key, messages put in the outbox, and the deliveries counted by status."""

import email
import hashlib
import hmac
import json
import socket
import threading
from email import policy
from http.server import BaseHTTPRequestHandler
from typing import Any

from sqlalchemy import Engine, func, select

from cases.models import Delivery
from cases.store import outbox
from tests.web import NOW

SECRET = b"webhook-test-secret"
delivery_t = Delivery.__table__


def free_port() -> int:
    """A free TCP port on loopback."""
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


class Receiver:
    """What an HTTP receiver saw: every request, the ones it acted on, and its next answers."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.acted: list[str] = []
        self.fail_next = 0
        self.lock = threading.Lock()


def http_receiver(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    """A request handler that records into ``receiver`` and checks the webhook signature."""

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


# --- the outbox -----------------------------------------------------------------------------------


def notify(engine: Engine, n: int, recipient: str = "A001", topic: str = "escalation") -> None:
    """Put ``n`` messages for ``recipient`` in the outbox."""
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
    """How many deliveries there are per status."""
    with engine.begin() as conn:
        return dict(
            conn.execute(
                select(delivery_t.c.status, func.count()).group_by(delivery_t.c.status)
            ).all()
        )
