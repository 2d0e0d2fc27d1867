"""Fixtures of the notification tests: an SMTP server and an HTTP receiver on loopback, and the web
office with e-mail addresses for A001 and G001."""

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest
from sqlalchemy import Engine, update

from cases.store import tables
from tests.notify.helpers import MailDrop, Receiver, free_port, http_receiver
from tests.web import make_web_office


@pytest.fixture
def smtp() -> Iterator[tuple[MailDrop, int]]:
    """An SMTP server on a free loopback port, and what it received."""
    from aiosmtpd.controller import Controller

    drop = MailDrop()
    port = free_port()
    controller = Controller(drop, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield drop, port
    finally:
        controller.stop()


@pytest.fixture
def http() -> Iterator[tuple[Receiver, str]]:
    """An HTTP receiver on loopback, and its base URL."""
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
    """The web office; A001 and G001 have e-mail addresses, the others none."""
    make_web_office(engine)
    with engine.begin() as conn:
        conn.execute(
            update(tables.staff_t)
            .where(tables.staff_t.c.staff_no.in_(["A001", "G001"]))
            .values(email=tables.staff_t.c.staff_no + "@xfj.example.cn")
        )
    return engine
