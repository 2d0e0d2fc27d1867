"""HTTP benchmark: intake + accept through the JSON API, against a bare FastAPI app doing the same
database writes, both on PostgreSQL behind uvicorn with two workers, 32 concurrent clients.

    python -m bench.http [--seconds 10] [--clients 32] [--workers 2]

Uses its own database (``SHOUJIE_BENCH_DATABASE_URL``, default
``postgresql+psycopg://postgres@127.0.0.1/shoujie_bench``), created when missing and emptied
each run. Talks to loopback only; every loop is bounded in time. Prints requests per second,
p50/p99 latency, the ratio of the two, and the resident memory of each worker.
"""

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cases.organisation import roster

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/shoujie_bench"
PASSWORD = "bench-password-1"

INTAKE = {
    "channel": "visit",
    "category": "appeal",
    "petitioner": {
        "name": "王建国",
        "id_number": "11010519491231002X",
        "phone": "13800138000",
        "address": "南京市玄武区中山路1号",
    },
    "region_code": "320102",
    "subject": "拆迁补偿款未发放",
    "content": "2025年签订拆迁协议后补偿款至今未到位。",
    "requests": "尽快发放补偿款",
}

# --- the bare app: the same writes, hand-written, no rules ------------------------------------------

BARE_SCHEMA = [
    "DROP TABLE IF EXISTS bench_clock, bench_event, bench_case, bench_petitioner, bench_counter",
    "CREATE TABLE bench_counter (year int PRIMARY KEY, last_seq int NOT NULL)",
    "INSERT INTO bench_counter VALUES (2026, 0)",
    """CREATE TABLE bench_petitioner (id serial PRIMARY KEY, name text, phone_enc text,
       phone_index text, id_number_enc text, id_number_index text, address text,
       created_at timestamptz)""",
    """CREATE TABLE bench_case (id serial PRIMARY KEY, case_no text UNIQUE, state text,
       subject text, content text, requests text, petitioner_id int, owner text,
       received_at timestamptz, version int, event_count int)""",
    """CREATE TABLE bench_event (id serial PRIMARY KEY, case_id int, seq int, action text,
       actor text, at timestamptz, payload jsonb, hash text)""",
    """CREATE TABLE bench_clock (id serial PRIMARY KEY, case_id int, name text, status text,
       due_at timestamptz, reckoning text)""",
    "CREATE INDEX ON bench_clock (case_id)",
]


def bare_app() -> FastAPI:
    """A FastAPI app doing intake's and accept's writes with plain SQL (uvicorn factory)."""
    engine = create_engine(os.environ["SHOUJIE_DATABASE_URL"])
    app = FastAPI()

    @app.post("/cases", status_code=201)
    def intake(body: dict[str, Any]) -> dict[str, Any]:
        now = datetime.now(UTC)
        person = body["petitioner"]
        with engine.begin() as conn:
            seq = conn.execute(
                text(
                    "UPDATE bench_counter SET last_seq = last_seq + 1 WHERE year = 2026 "
                    "RETURNING last_seq"
                )
            ).scalar_one()
            case_no = f"2026-{seq:06d}"
            pid = conn.execute(
                text(
                    "INSERT INTO bench_petitioner (name, phone_enc, phone_index, id_number_enc, "
                    "id_number_index, address, created_at) VALUES (:n, :pe, :pi, :ie, :ii, :a, :t) "
                    "RETURNING id"
                ),
                {
                    "n": person["name"],
                    "pe": secrets.token_urlsafe(40),
                    "pi": secrets.token_hex(32),
                    "ie": secrets.token_urlsafe(40),
                    "ii": secrets.token_hex(32),
                    "a": person["address"],
                    "t": now,
                },
            ).scalar_one()
            cid = conn.execute(
                text(
                    "INSERT INTO bench_case (case_no, state, subject, content, requests, "
                    "petitioner_id, owner, received_at, version, event_count) VALUES "
                    "(:no, 'registered', :s, :c, :r, :p, 'B001', :t, 1, 1) RETURNING id"
                ),
                {
                    "no": case_no,
                    "s": body["subject"],
                    "c": body["content"],
                    "r": body["requests"],
                    "p": pid,
                    "t": now,
                },
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO bench_event (case_id, seq, action, actor, at, payload, hash) "
                    "VALUES (:c, 1, 'intake', 'B001', :t, '{}', :h)"
                ),
                {"c": cid, "t": now, "h": secrets.token_hex(32)},
            )
            for name in ("acceptance", "tracking"):
                conn.execute(
                    text(
                        "INSERT INTO bench_clock (case_id, name, status, due_at, reckoning) "
                        "VALUES (:c, :n, 'running', :t, '自次日起算15日')"
                    ),
                    {"c": cid, "n": name, "t": now},
                )
        return {"case_no": case_no, "state": "registered", "version": 1}

    @app.post("/cases/{case_no}/actions/accept")
    def accept(case_no: str) -> dict[str, Any]:
        now = datetime.now(UTC)
        with engine.begin() as conn:
            row = conn.execute(
                text("SELECT id, version FROM bench_case WHERE case_no = :no FOR UPDATE"),
                {"no": case_no},
            ).one()
            conn.execute(
                text(
                    "UPDATE bench_case SET state = 'accepted', version = version + 1, "
                    "event_count = event_count + 1 WHERE id = :id AND version = :v"
                ),
                {"id": row.id, "v": row.version},
            )
            conn.execute(
                text(
                    "INSERT INTO bench_event (case_id, seq, action, actor, at, payload, hash) "
                    "VALUES (:c, 2, 'accept', 'B001', :t, '{}', :h)"
                ),
                {"c": row.id, "t": now, "h": secrets.token_hex(32)},
            )
            conn.execute(
                text(
                    "UPDATE bench_clock SET status = 'stopped' "
                    "WHERE case_id = :c AND name = 'acceptance'"
                ),
                {"c": row.id},
            )
            conn.execute(
                text(
                    "INSERT INTO bench_clock (case_id, name, status, due_at, reckoning) "
                    "VALUES (:c, 'handling', 'running', :t, '自次日起算60日')"
                ),
                {"c": row.id, "t": now},
            )
        return {"case_no": case_no, "state": "accepted", "version": row.version + 1}

    return app


# --- setting up ------------------------------------------------------------------------------------


def prepare_database(url: str) -> None:
    """Create the bench's own database when missing, migrate it, and add the benching staff."""
    from cases.db import upgrade
    from cases.security import hash_password

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": parsed.database}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(url)
    with engine.begin() as conn:
        roster.add_staff(
            conn,
            staff_no="B001",
            name="压测",
            role="receptionist",
            password_hash=hash_password(PASSWORD),
            now=datetime.now(UTC),
        )
        for statement in BARE_SCHEMA:
            conn.execute(text(statement))
    engine.dispose()


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(target: str, port: int, workers: int, env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """uvicorn with ``workers`` processes on a loopback port, stopped on exit."""
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"{target} did not start") from None
                time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def worker_rss_mb(parent: int) -> list[float]:
    """Resident memory of uvicorn's worker processes (the parent's children), in MB."""
    try:
        children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    except OSError:
        return []
    out = []
    for pid in children:
        if b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes():
            continue  # multiprocessing's helper, not a worker
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out.append(int(line.split()[1]) / 1024)
    return out


# --- the load --------------------------------------------------------------------------------------


async def load(
    base: str, *, token: str | None, seconds: float, clients: int, prefix: str
) -> dict[str, Any]:
    """``clients`` loops of intake then accept, for ``seconds``; latencies of every request."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds

    async def one(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            r = await client.post(f"{prefix}/cases", json=INTAKE, headers=headers)
            latencies.append(time.perf_counter() - t0)
            if r.status_code != 201:
                errors += 1
                continue
            no = r.json()["case_no"]
            t0 = time.perf_counter()
            r = await client.post(f"{prefix}/cases/{no}/actions/accept", headers=headers)
            latencies.append(time.perf_counter() - t0)
            errors += r.status_code != 200

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        started = time.monotonic()
        await asyncio.gather(*(one(client) for _ in range(clients)))
        elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    """Run both servers in turn and print the comparison."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args(argv)
    url = os.environ.get("SHOUJIE_BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgresql"):
        print("bench.http needs PostgreSQL (SHOUJIE_BENCH_DATABASE_URL)", file=sys.stderr)
        return 2
    prepare_database(url)
    env = {
        "SHOUJIE_DATABASE_URL": url,
        "SHOUJIE_ENV": "dev",
        "SHOUJIE_SECRET_KEY": secrets.token_urlsafe(48),
        "SHOUJIE_DATA_KEY": secrets.token_urlsafe(48),
        "SHOUJIE_SWEEP_INTERVAL": "0",
    }
    results = {}
    port = free_port()
    with serve("api.app:create_app", port, args.workers, env) as proc:
        base = f"http://127.0.0.1:{port}"
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "B001", "password": PASSWORD}
        ).json()["access_token"]
        results["shoujie"] = asyncio.run(
            load(base, token=token, seconds=args.seconds, clients=args.clients, prefix="/api/v1")
        )
        results["shoujie"]["rss_mb"] = worker_rss_mb(proc.pid)
    port = free_port()
    with serve("bench.http:bare_app", port, args.workers, env) as proc:
        results["bare"] = asyncio.run(
            load(
                f"http://127.0.0.1:{port}",
                token=None,
                seconds=args.seconds,
                clients=args.clients,
                prefix="",
            )
        )
        results["bare"]["rss_mb"] = worker_rss_mb(proc.pid)
    print(
        f"intake + accept over HTTP, PostgreSQL, {args.workers} workers, {args.clients} clients, "
        f"{args.seconds:g} s each"
    )
    for name, r in results.items():
        rss = ", ".join(f"{m:.0f}" for m in r["rss_mb"]) or "?"
        print(
            f"  {name:8} {r['rps']:8.1f} req/s   p50 {r['p50_ms']:7.1f} ms   "
            f"p99 {r['p99_ms']:7.1f} ms   {r['requests']} requests, {r['errors']} errors   "
            f"RSS per worker: {rss} MB"
        )
    ratio = results["shoujie"]["rps"] / results["bare"]["rps"]
    print(f"  ratio shoujie / bare: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
