"""PostgreSQL stopped and started under load: clients see 201 or 503, never 500, and every case
acknowledged with 201 is there afterwards.

The test starts its own PostgreSQL instance (initdb + pg_ctl, as the postgres user) on a spare port
in a temporary directory; it never touches the shared server. Skipped where PostgreSQL's binaries
are not installed.
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from api.app import create_app
from cases.db import make_engine, upgrade
from cases.runtime import Runtime
from cases.settings import Clock, PoolSettings
from cases.store.tables import case_t
from tests.factories import intake_body
from tests.web import NOW, bearer, make_web_office

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
CLIENTS = 4

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not BINARIES, reason="PostgreSQL binaries not installed"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivatePostgres:
    """A throw-away PostgreSQL instance in a temporary directory, run as the postgres user."""

    def __init__(self, root: Path) -> None:
        self.bin = Path(BINARIES[-1]).parent
        self.root = root
        self.data = root / "data"
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        """Create the cluster (trust authentication, local only)."""
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop it (``fast``: connections are cut, transactions rolled back)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    root = Path(tempfile.mkdtemp(prefix="shoujie-pg-"))
    pg = PrivatePostgres(root)
    try:
        pg.init()
        pg.start()
        yield pg
    finally:
        with contextlib.suppress(Exception):
            pg.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def _serve(app: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "the server did not start"
    return server, thread, f"http://127.0.0.1:{port}"


def test_postgres_restart_under_load_gives_201_or_503(
    private_pg: PrivatePostgres, rt: Runtime
) -> None:
    """Intakes run while the database is stopped and started again."""
    upgrade(private_pg.url)
    engine = make_engine(
        private_pg.url,
        PoolSettings(size=4, max_overflow=2, timeout=2, statement_timeout_ms=10_000),
        connect_args={"connect_timeout": 2},
    )
    make_web_office(engine)
    app = create_app(engine=engine, rt=rt, clock=Clock(NOW), sweep_interval=0, deliver_interval=0)
    server, thread, base = _serve(app)
    headers = bearer(app, "A001")
    answers: list[tuple[int, str | None, str]] = []
    stop = threading.Event()
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            while not stop.is_set():
                try:
                    r = http.post("/api/v1/cases", json=intake_body(), headers=headers)
                except httpx.TransportError as exc:  # a dropped connection is a failure too
                    with lock:
                        answers.append((0, None, repr(exc)))
                    continue
                case_no = r.json().get("case_no") if r.status_code == 201 else None
                with lock:
                    answers.append((r.status_code, case_no, r.headers.get("retry-after", "")))

    def acknowledged() -> int:
        with lock:
            return sum(1 for status, _, _ in answers if status == 201)

    def wait_for(predicate: Any, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not predicate() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert predicate(), "timed out waiting for the clients"

    # One intake first: the word index loads its dictionary once (seconds on a busy machine),
    # before the clients and their timeouts start.
    with httpx.Client(base_url=base, timeout=300) as http:
        assert http.post("/api/v1/cases", json=intake_body(), headers=headers).status_code == 201
    workers = [threading.Thread(target=client) for _ in range(CLIENTS)]
    try:
        for w in workers:
            w.start()
        wait_for(lambda: acknowledged() >= 10)
        private_pg.stop("fast")
        during = len(answers)
        wait_for(lambda: len(answers) >= during + 10)  # requests while it is down
        private_pg.start()
        before = acknowledged()
        wait_for(lambda: acknowledged() >= before + 10)  # and served again once it is back
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=60)
        server.should_exit = True
        thread.join(timeout=30)

    statuses = {status for status, _, _ in answers}
    assert statuses <= {201, 503}, [a for a in answers if a[0] not in (201, 503)][:5]
    assert 503 in statuses
    assert all(retry_after for status, _, retry_after in answers if status == 503)
    made = {case_no for status, case_no, _ in answers if status == 201}
    with engine.connect() as conn:
        stored = set(conn.execute(select(case_t.c.case_no)).scalars())
    assert made <= stored
    engine.dispose()
