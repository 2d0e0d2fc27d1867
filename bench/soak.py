"""Soak: two servers (uvicorn processes) on one PostgreSQL database, with intake, actions, reads,
sweeps and deliveries together, for minutes; optionally the database made unreachable for a while.

    python -m bench.soak [--minutes 10] [--clients 8] [--outage-at 120 --outage-seconds 20]

Uses ``SHOUJIE_BENCH_DATABASE_URL`` (default ``…/shoujie_soak``), emptied each run. The outage never
touches the PostgreSQL server: the soak database stops accepting connections
(``ALTER DATABASE … ALLOW_CONNECTIONS false``) and its sessions are ended, then it is opened again.
Sweeps have work because a seeder registers cases dated 20 days ago (their acceptance period has run
out); the servers' delivery loops send the escalations to a webhook on loopback. Prints the answers
by status (5xx inside and outside the outage), each server's RSS every 30 s, and the result of
``shoujie audit verify`` at the end.
"""

import argparse
import asyncio
import collections
import contextlib
import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.http import INTAKE, PASSWORD, ROOT, free_port, prepare_database

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/shoujie_soak"


@contextlib.contextmanager
def serve(port: int, env: dict[str, str], log: Path | None = None) -> Iterator[subprocess.Popen]:
    """One uvicorn process serving Shoujie on a loopback port, stopped (SIGTERM) on exit; its
    stderr (the app's log lines) goes to ``log`` when given."""
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    err = log.open("ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stderr=err)
    try:
        deadline = time.monotonic() + 120  # a loaded machine starts slowly
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"server on port {port} did not start")
            time.sleep(0.3)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            err.close()


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Hook(BaseHTTPRequestHandler):
    """The webhook receiver: counts what it is sent."""

    received = 0

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length", 0)))
        Hook.received += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def seeder(url: str, env: dict[str, str], stop: threading.Event) -> None:
    """Register a batch of late cases (dated 20 days ago) every 30 s: work for the sweepers."""
    for key, value in env.items():
        os.environ[key] = value
    from cases.casework import intake
    from cases.runtime import Runtime
    from cases.settings import load_settings

    engine = create_engine(url)
    rt = Runtime.from_settings(load_settings())
    while not stop.is_set():
        past = datetime.now(UTC) - timedelta(days=20)
        try:
            for _ in range(20):
                with engine.begin() as conn:
                    intake.intake(conn, rt, body=INTAKE, actor_staff_no="B001", now=past)
        except Exception as exc:  # noqa: BLE001  (during the outage: try again next round)
            print(f"  seeder: {type(exc).__name__}", flush=True)
        stop.wait(30)
    engine.dispose()


async def clients(
    bases: list[str], token: str, seconds: float, n: int, window: list[float]
) -> dict[str, collections.Counter]:
    """``n`` clients, alternating servers: intake, accept, a note, the case and the list."""
    headers = {"Authorization": f"Bearer {token}"}
    stop_at = time.monotonic() + seconds
    counts: dict[str, collections.Counter] = {
        "all": collections.Counter(),
        "outage": collections.Counter(),
    }

    def tally(what: str) -> None:
        now = time.monotonic()
        inside = window and window[0] <= now <= window[1] + 5  # 5 s of recovery counted with it
        counts["outage" if inside else "all"][what] += 1

    async def call(client: httpx.AsyncClient, method: str, path: str, **kw: Any) -> Any:
        try:
            r = await client.request(method, path, headers=headers, **kw)
        except httpx.HTTPError as exc:
            tally(f"conn:{type(exc).__name__}")
            await asyncio.sleep(0.2)
            return None
        tally(str(r.status_code))
        return r

    async def one(i: int) -> None:
        async with httpx.AsyncClient(base_url=bases[i % len(bases)], timeout=60) as client:
            while time.monotonic() < stop_at:
                r = await call(client, "POST", "/api/v1/cases", json=INTAKE)
                if r is None or r.status_code != 201:
                    await asyncio.sleep(0.2)
                    continue
                no = r.json()["case_no"]
                await call(client, "POST", f"/api/v1/cases/{no}/actions/accept", json={})
                await call(
                    client, "POST", f"/api/v1/cases/{no}/actions/note", json={"text": "电话回访"}
                )
                await call(client, "GET", f"/api/v1/cases/{no}")
                await call(client, "GET", "/api/v1/cases?limit=20")

    await asyncio.gather(*(one(i) for i in range(n)))
    return counts


def outage(url: str, at: float, seconds: float, window: list[float]) -> None:
    """At ``at`` s, refuse connections to the soak database for ``seconds`` s, ending its sessions."""
    time.sleep(at)
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        window[:] = [time.monotonic(), time.monotonic() + seconds]
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
            {"d": name},
        )
        time.sleep(seconds)
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    admin.dispose()
    print(f"  outage: {seconds:g} s from {at:g} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the soak and print its figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--outage-at", type=float, help="seconds into the run")
    p.add_argument("--outage-seconds", type=float, default=20)
    p.add_argument("--logs", type=Path, help="directory for each server's stderr (server-PORT.log)")
    args = p.parse_args(argv)
    url = os.environ.get("SHOUJIE_BENCH_DATABASE_URL", DEFAULT_URL)
    logs = args.logs
    if logs:
        logs.mkdir(parents=True, exist_ok=True)
    prepare_database(url)
    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    env = {
        "SHOUJIE_DATABASE_URL": url,
        "SHOUJIE_ENV": "dev",
        "SHOUJIE_SECRET_KEY": secrets.token_urlsafe(48),
        "SHOUJIE_DATA_KEY": secrets.token_urlsafe(48),
        "SHOUJIE_SWEEP_INTERVAL": "5",
        "SHOUJIE_DELIVER_INTERVAL": "2",
        "SHOUJIE_WEBHOOK_URL": f"http://127.0.0.1:{hook.server_address[1]}/hook",
        "SHOUJIE_WEBHOOK_SECRET": "soak-webhook-secret",
    }
    seconds = args.minutes * 60
    stop = threading.Event()
    window: list[float] = []
    ports = [free_port(), free_port()]
    with (
        serve(ports[0], env, logs and logs / f"server-{ports[0]}.log") as one,
        serve(ports[1], env, logs and logs / f"server-{ports[1]}.log") as two,
    ):
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        token = httpx.post(
            f"{bases[0]}/api/v1/auth/token", data={"username": "B001", "password": PASSWORD}
        ).json()["access_token"]
        threading.Thread(target=seeder, args=(url, env, stop), daemon=True).start()
        if args.outage_at is not None:
            threading.Thread(
                target=outage, args=(url, args.outage_at, args.outage_seconds, window), daemon=True
            ).start()
        time.sleep(2)
        # RSS every 30 s: after two minutes jieba's dictionaries are loaded and every route has
        # run, so memory from then on is what "flat after warm-up" is judged by.
        samples: list[tuple[float, float, float]] = []
        sampling = threading.Event()

        def sample() -> None:
            began = time.monotonic()
            while True:
                samples.append((time.monotonic() - began, rss_mb(one.pid), rss_mb(two.pid)))
                if sampling.wait(30):
                    return

        threading.Thread(target=sample, daemon=True).start()
        counts = asyncio.run(clients(bases, token, seconds, args.clients, window))
        sampling.set()
        ended = datetime.now(UTC)
        samples.append((seconds, rss_mb(one.pid), rss_mb(two.pid)))
        stop.set()
        time.sleep(5)  # the last deliveries
    engine = create_engine(url)
    with engine.connect() as conn:
        cases = conn.execute(text('SELECT count(*) FROM "case"')).scalar_one()
        escalations = conn.execute(text("SELECT count(*) FROM escalation")).scalar_one()
        sent = conn.execute(
            text("SELECT count(*) FROM delivery WHERE status = 'sent'")
        ).scalar_one()
        # What the delivery workers had not got to, and when they last sent: a stalled worker
        # shows as a backlog and a last send long before the end.
        pending = dict(
            conn.execute(
                text(
                    "SELECT channel, count(*) FROM delivery WHERE status = 'pending' "
                    "GROUP BY channel ORDER BY channel"
                )
            ).all()
        )
        last_sent = conn.execute(text("SELECT max(delivered_at) FROM delivery")).scalar_one()
    engine.dispose()
    verify = subprocess.run(
        [sys.executable, "-m", "api.cli", "audit", "verify"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    print(f"soak: {args.minutes:g} min, 2 servers on one PostgreSQL, {args.clients} clients")
    for label, counter in counts.items():
        total = sum(counter.values())
        # 503 is the answer an unreachable database is meant to give; any other 5xx is a fault.
        faults = {k: v for k, v in sorted(counter.items()) if k.startswith("5") and k != "503"}
        dropped = sum(v for k, v in counter.items() if k.startswith("conn:"))
        print(
            f"  {label:7} {total} answers: {dict(sorted(counter.items()))}; "
            f"503: {counter['503']}, other 5xx: {faults or 0}, dropped connections: {dropped}"
        )
    warm = next((s for s in samples if s[0] >= 119), samples[-1])
    for i in (1, 2):
        start, end = samples[0][i], samples[-1][i]
        print(
            f"  server {i}: RSS {start:.0f} MB at start, {warm[i]:.0f} MB at {warm[0] / 60:.1f} min, "
            f"{end:.0f} MB at end ({end - warm[i]:+.0f} MB after warm-up)"
        )
    series = ", ".join(f"{t / 60:.1f}m {a:.0f}/{b:.0f}" for t, a, b in samples)
    print(f"  RSS every 30 s (server 1/server 2, MB): {series}")
    print(
        f"  cases {cases}, escalations {escalations}, webhook deliveries sent {sent} "
        f"(receiver got {Hook.received}); pending {pending or 0}, last sent "
        f"{f'{last_sent:%H:%M:%S}' if last_sent else 'never'}, clients stopped {ended:%H:%M:%S} UTC"
    )
    print(f"  audit verify: {(verify.stdout + verify.stderr).strip()} (exit {verify.returncode})")
    hook.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
