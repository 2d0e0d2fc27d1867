"""Every page and API read a user opens daily, timed at two (or more) sizes of the office.

``python -m bench.pages [--sizes 10000,1000000] [--db all|sqlite|postgresql] [--requests 15]``

Each size is one office: its history (``bench.stats``'s generator: five years of cases with their
events and clocks, every one of them ended by now) and the same live layer at every size
(``bench.sweep``'s generator: ``--live`` open cases received in the last weeks, ``--due`` of them
with a due acceptance clock, swept once so the queue has escalations to show). The petitioners
scale with the office (one per five cases), with their identity and phone encrypted and blind
indexed as the engine writes them, so a search by ID or phone goes through the blind index.

Then each page is requested ``--requests`` times by one client, in process (Starlette's test
client, signed in through ``/login``), after one warm-up request: its median, its p95 and the SQL
statements it ran (counted by a SQLAlchemy ``before_cursor_execute`` hook; the hot path's
statements run on the driver's cursor, ``cases.store.fastsql``, and are not counted — reads go
through SQLAlchemy). It prints, for each page, large ÷ small median (target ≤ 1.5) and p95 at
the largest size (target ≤ 100 ms on PostgreSQL at 1 000 000 cases), and exits 1 when a ratio is
above its target (or a p95 at 1 000 000 cases on PostgreSQL).

The history's fix-up is the bench's one shortcut: the stats generator leaves some cases
registered or replied with their clocks running years ago; here every case older than the live
layer has ended (its running clocks stopped at their due instant, its state closed), as the
sweeper's lapses would have left it. The sizes share nothing: the database is emptied in between.
"""

import argparse
import re
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import Engine, Table, event, select, text, update

from bench import stats as stats_bench
from bench import sweep as sweep_bench
from bench.common import (
    CASE_COLS,
    CLOCK_COLS,
    EVENT_COLS,
    PETITIONER_COLS,
    Backend,
    backends,
    clear_cases,
    engine_for,
    gb11643,
    pg_conninfo,
    runtime,
    storing,
)
from cases.crypto import generate_query_code, hash_query_code
from cases.repeat.topics import topic_rows, topic_t
from cases.settings import Clock
from cases.store import tables
from cases.supervision.sweeper import sweep
from workflow.intake import mask_id_number

RATIO_TARGET = 1.5
P95_TARGET_MS = 100.0
P95_AT = 1_000_000  # the size the p95 target is about
NOW = sweep_bench.SWEEP_NOW
PASSWORD = "bench-pages-1"
PETITIONER_COL = CASE_COLS.index("petitioner_id")
SUBJECT_COL = CASE_COLS.index("subject")
RECEIVED_COL = CASE_COLS.index("received_at")


class Live(sweep_bench.Generator):
    """The live layer: ``bench.sweep``'s open cases, numbered after the history, with 查询码 whose
    plain text the bench keeps (to open ``/track``) and petitioners scaled to the office."""

    def __init__(self, rt: Any, ctx: Any, owners: dict[str, int], people: int) -> None:
        super().__init__(rt, ctx, owners)
        self.plain = [generate_query_code() for _ in range(len(self.codes))]
        self.codes = [hash_query_code(c) for c in self.plain]
        self.people = people
        self.petitioners = [
            (*row[:2], cipher.encrypt(n), cipher.blind_index(n), mask_id_number(n), *row[5:])
            for row in self._petitioners(people)
            for n in [identity(row[0] - 1)]
            for cipher in [rt.cipher]
        ]


def identity(i: int) -> str:
    """The ``i``-th petitioner's identity number: distinct for every one (bench.sweep's repeat
    every 9 000, which would make one person of several at a large office)."""
    born = date(1950, 1, 1) + timedelta(days=(i // 1000) * 37)
    return gb11643(f"320102{born:%Y%m%d}{i % 1000:03d}")


def _shift(rows: list[Any], offsets: dict[int, int]) -> list[Any]:
    """The rows with ``offsets`` added to the integer columns at those positions."""
    out = []
    for r in rows:
        r = list(r)
        for i, by in offsets.items():
            r[i] += by
        out.append(tuple(r))
    return out


def _petitioner_of(case_id: int, people: int) -> int:
    # A petitioner has about five cases, spread over the years.
    return 1 + (case_id * 7919) % people


def build(backend: Backend, engine: Engine, size: int, live: int, due: int) -> dict[str, Any]:
    """Load one office of ``size`` cases (``live`` of them open); sweep once; analyse."""
    rt = runtime()
    clear_cases(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(tables.staff_t.c.staff_no, tables.staff_t.c.id)).all()
    if not rows:
        stats_bench.setup_staff(engine)
        with engine.begin() as conn:
            conn.execute(
                update(tables.staff_t).values(
                    password_hash=Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1).hash(
                        PASSWORD
                    )
                )
            )
        with engine.connect() as conn:
            rows = conn.execute(select(tables.staff_t.c.staff_no, tables.staff_t.c.id)).all()
    owners = {r.staff_no: r.id for r in rows if r.staff_no.startswith("R")}
    history = size - live
    people = max(1000, size // 5)
    with engine.connect() as conn:
        ctx = rt.ctx(conn)
    gen = Live(rt, ctx, owners, people)
    hist = stats_bench.Generator(sorted((k, v) for k, v in owners.items()), years=5)

    t = time.perf_counter()
    pad = (None,) * (len(stats_bench.CASE_COLS) - len(CASE_COLS))

    def chunks() -> Iterator[tuple[list[Any], ...]]:
        for cases, events, clocks, contacts, topics in hist.cases(history):
            cases = [list(c) for c in cases]
            for c in cases:
                c[PETITIONER_COL] = _petitioner_of(c[0], people)
            yield [tuple(c) for c in cases], events, clocks, contacts, topics
        ev0, cl0 = hist.event_id, hist.clock_id
        for cases, events, clocks in gen.cases(live, due):
            cases = [list(c) for c in cases]
            for c in cases:
                c[PETITIONER_COL] = _petitioner_of(c[0] + history, people)
            yield (
                _shift([(*c, *pad) for c in cases], {0: history}),
                _shift(events, {0: ev0, 1: history}),
                _shift(clocks, {0: cl0, 1: history}),
                [],
                [
                    (r["case_id"] + history, r["word"], r["received_at"])
                    for c in cases
                    for r in topic_rows(c[0], c[SUBJECT_COL], c[RECEIVED_COL])
                ],
            )

    _load(backend, engine, gen, chunks(), live)
    _end_history(engine, history)
    built = time.perf_counter() - t
    swept = sweep(engine, rt, now=NOW)
    _analyse(backend, engine)
    return {
        "built": built,
        "fired": sum(swept["fired"].values()),
        "gen": gen,
        "history": history,
        "people": people,
    }


def _load(
    backend: Backend,
    engine: Engine,
    gen: Live,
    chunks: Iterator[tuple[list[Any], ...]],
    live: int,
) -> None:
    """Bulk-insert the petitioners and the chunks of (cases, events, clocks, contacts), each value
    as its column's type stores it (executemany on SQLite, COPY on PostgreSQL), and the live
    year's case counter."""
    loads = [
        (tables.case_t, stats_bench.CASE_COLS),
        (tables.event_t, EVENT_COLS),
        (tables.clock_t, CLOCK_COLS),
        (stats_bench.contact_t, stats_bench.CONTACT_COLS),
        (topic_t, stats_bench.TOPIC_COLS),
    ]
    dialect = engine.dialect
    if backend.path:
        conn = sqlite3.connect(backend.path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")  # the load only

        def put(table: Table, cols: list[str], rows: list[Any]) -> None:
            if rows:
                marks = ", ".join("?" * len(cols))
                store = storing(table, cols, dialect)
                conn.executemany(
                    f'INSERT INTO "{table.name}" ({", ".join(cols)}) VALUES ({marks})',
                    [store(r) for r in rows],
                )

        conn.execute("BEGIN")
        put(tables.petitioner_t, PETITIONER_COLS, gen.petitioners)
        for chunk in chunks:
            for (table, cols), rows in zip(loads, chunk, strict=True):
                put(table, cols, rows)
        conn.execute(
            "INSERT INTO case_counter (year, last_seq, chain_head) VALUES (?, ?, ?)",
            (NOW.year, live, gen.head),
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        return
    import psycopg

    with psycopg.connect(pg_conninfo(backend.url)) as pg:
        cur = pg.cursor()
        cur.execute("SET session_replication_role = replica")  # consistent by construction

        def put(table: Table, cols: list[str], rows: list[Any]) -> None:
            store = storing(table, cols, dialect)
            with cur.copy(f'COPY "{table.name}" ({", ".join(cols)}) FROM STDIN') as copy:
                for r in rows:
                    copy.write_row(store(r))

        put(tables.petitioner_t, PETITIONER_COLS, gen.petitioners)
        for chunk in chunks:
            for (table, cols), rows in zip(loads, chunk, strict=True):
                put(table, cols, rows)
        cur.execute(
            "INSERT INTO case_counter (year, last_seq, chain_head) VALUES (%s, %s, %s)",
            (NOW.year, live, gen.head),
        )
        for table in ("case", "case_event", "case_clock", "case_contact", "petitioner"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
            )
        pg.commit()


def _end_history(engine: Engine, history: int) -> None:
    """Every case of the history has ended by now (the module docstring's one shortcut)."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE case_clock SET status = 'stopped', stopped_at = due_at, "
                "next_fire_at = NULL WHERE status IN ('running', 'paused') AND case_id <= :h"
            ),
            {"h": history},
        )
        conn.execute(
            text(
                "UPDATE \"case\" SET state = 'closed' WHERE id <= :h AND state NOT IN "
                "('closed', 'concluded', 'rejected', 'withdrawn')"
            ),
            {"h": history},
        )


def _analyse(backend: Backend, engine: Engine) -> None:
    if backend.path:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


# --- the pages ---------------------------------------------------------------------------------


class Counter:
    """SQL statements run on an engine, counted by a SQLAlchemy event hook."""

    def __init__(self, engine: Engine) -> None:
        self.n = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_: Any) -> None:
        self.n += 1


def sign_in(c: TestClient, staff_no: str) -> None:
    """Sign the client in through /login, as a person would."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert token, "no CSRF token on /login"
    r = c.post(
        "/login",
        data={
            "staff_no": staff_no,
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "/",
        },
    )
    assert r.status_code == 303, r.text[:300]


def bearer(c: TestClient, staff_no: str) -> dict[str, str]:
    """An Authorization header from POST /api/v1/auth/token."""
    r = c.post("/api/v1/auth/token", data={"username": staff_no, "password": PASSWORD})
    assert r.status_code in (200, 201), r.text[:300]
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def pages(engine: Engine, built: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, str]]]:
    """Each page's (who, path, headers): the reads of a working day."""
    gen: Live = built["gen"]
    history = built["history"]
    with engine.connect() as conn:
        live_case = conn.execute(
            text(
                'SELECT c.case_no, c.petitioner_id, c.id FROM "case" c JOIN escalation e '
                "ON e.case_id = c.id ORDER BY c.id LIMIT 1"
            )
        ).first()
        closed = conn.execute(
            text(
                "SELECT case_no FROM \"case\" WHERE id <= :h AND state = 'closed' "
                "ORDER BY id DESC LIMIT 1"
            ),
            {"h": history},
        ).scalar_one()
        person = conn.execute(
            text(
                "SELECT name, id FROM petitioner WHERE id = :p",
            ),
            {"p": live_case.petitioner_id},
        ).first()
    assert live_case is not None, "the sweep escalated nothing"
    i = person.id - 1
    id_number, phone = identity(i), f"139{i:08d}"
    year = stats_bench.YEAR
    code_plain = gen.plain[(live_case.id - history) % len(gen.plain)]
    return {
        "desk (receptionist)": ("R101", "/", {}),
        "desk (supervisor)": ("G1", "/", {}),
        "case page (live)": ("G1", f"/cases/{live_case.case_no}", {}),
        "case page (closed)": ("G1", f"/cases/{closed}", {}),
        "queue": ("G1", "/queue", {}),
        "cases list": ("G1", "/cases", {}),
        "my cases": ("R101", "/cases?mine=1", {}),
        "search by name": ("G1", f"/cases?q={person.name}", {}),
        # A number travels in the form's body, never the URL (the access log keeps URLs).
        "search by ID number": ("G1", "/cases/search", {"form": {"q": id_number}}),
        "search by phone": ("G1", "/cases/search", {"form": {"q": phone}}),
        "petitioner history": ("G1", f"/petitioners/{person.id}", {}),
        "track (public)": ("", f"/track/{live_case.case_no}", {"code": code_plain}),
        "statistics page (year)": ("L1", f"/reports?from={year}-01-01&to={year}-12-31", {}),
        "statistics API (year)": ("L1", f"/api/v1/stats?from={year}-01-01&to={year}-12-31", {}),
        "briefing": ("L1", "/briefing", {}),
        "staff wall": ("G1", "/staff", {}),
        "case API": ("G1", f"/api/v1/cases/{live_case.case_no}", {}),
        "cases API": ("G1", "/api/v1/cases", {}),
        "escalations API": ("G1", "/api/v1/escalations", {}),
    }


def fetch(c: TestClient, path: str, extra: dict[str, Any], headers: dict[str, str]) -> Any:
    """One request for a page: a GET, or the search form's POST with its CSRF token."""
    if "form" not in extra:
        return c.get(path, headers=headers)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/cases").text)
    return c.post(path, data={**extra["form"], "csrf_token": csrf.group(1) if csrf else ""})


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Office:
    """One size's office, served in process: its app, its signed-in clients, its pages."""

    def __init__(self, engine: Engine, built: dict[str, Any]) -> None:
        from api.app import create_app

        self.engine = engine
        self.app = create_app(
            engine=engine, rt=runtime(), clock=Clock(NOW), sweep_interval=0, deliver_interval=0
        )
        self.base = TestClient(self.app, follow_redirects=False)
        self.clients: dict[str, TestClient] = {}
        self.pages = pages(engine, built)
        self.counter = Counter(engine)

    def getter(self, name: str) -> Callable[[], Any]:
        """A function that requests the page as its reader (signed in, or with the 查询码 given)."""
        who, path, extra = self.pages[name]
        if who not in self.clients:
            c = TestClient(self.app, follow_redirects=False)
            if who:
                sign_in(c, who)
            self.clients[who] = c
        c = self.clients[who]
        headers = bearer(self.base, who) if path.startswith("/api/") else {}
        if "code" in extra:
            case_no = path.rsplit("/", 1)[1]
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/track").text)
            data = {"case_no": case_no, "code": extra["code"]}
            if csrf:
                data["csrf_token"] = csrf.group(1)
            r = c.post("/track", data=data)
            assert r.status_code == 303, (r.status_code, r.text[:300])
        if "form" in extra:  # the CSRF token taken once, outside the timed requests
            token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/cases").text)
            data = {**extra["form"], "csrf_token": token.group(1) if token else ""}
            return lambda: c.post(path, data=data)
        return lambda: c.get(path, headers=headers)


def measure(
    offices: dict[int, Office], requests: int, only: set[str] | None
) -> dict[int, dict[str, dict[str, float]]]:
    """Each page's median and p95 (ms), statements and bytes per request, at every size.

    The sizes take turns, request by request: on a shared machine the load changes from one
    minute to the next, and a ratio of two sizes measured minutes apart would measure that.
    """
    out: dict[int, dict[str, dict[str, float]]] = {size: {} for size in offices}
    names = list(next(iter(offices.values())).pages)
    for name in names:
        if only and name not in only:
            continue
        gets = {size: office.getter(name) for size, office in offices.items()}
        times: dict[int, list[float]] = {size: [] for size in offices}
        counted: dict[int, list[int]] = {size: [] for size in offices}
        last: dict[int, Any] = {}
        for size, get in gets.items():
            r = get()  # warm-up
            assert r.status_code == 200, (name, size, r.status_code, r.text[:300])
        for _ in range(requests):
            for size, get in gets.items():
                counter = offices[size].counter
                before = counter.n
                t = time.perf_counter()
                last[size] = get()
                times[size].append((time.perf_counter() - t) * 1000)
                counted[size].append(counter.n - before)
        for size in offices:
            out[size][name] = {
                "median": statistics.median(times[size]),
                "p95": _percentile(times[size], 0.95),
                "statements": statistics.median(counted[size]),
                "kb": len(last[size].content) / 1024,
            }
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    ap = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n")[0])
    ap.add_argument(
        "--sizes", default="10000,1000000", help="office sizes (cases), comma-separated"
    )
    ap.add_argument("--live", type=int, default=2000, help="open cases (the same at every size)")
    ap.add_argument("--due", type=int, default=300, help="live cases with a due acceptance clock")
    ap.add_argument("--db", default="all", choices=["all", "sqlite", "postgresql"])
    ap.add_argument("--requests", type=int, default=15, help="timed requests per page")
    ap.add_argument("--only", default="", help="only these pages (comma-separated names)")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    only = {s.strip() for s in args.only.split(",") if s.strip()} or None
    print(
        f"首接 pages bench: sizes {', '.join(f'{s:,}' for s in sizes)} cases ({args.live:,} open "
        f"at every size); median and p95 of {args.requests} requests after a warm-up, one client"
    )
    failed = []
    for make in backends(args.db):
        with ExitStack() as stack:
            # One database per size, all open at once: the sizes take turns request by request.
            offices: dict[int, Office] = {}
            name = ""
            for i, size in enumerate(sizes):
                backend = stack.enter_context(make(suffix=f"_{i}"))
                if backend is None:
                    break
                if not name:
                    name = backend.name
                    print(f"\n== {name} ==")
                engine = engine_for(backend)
                stack.callback(engine.dispose)
                built = build(backend, engine, size, args.live, args.due)
                print(
                    f"  {size:,} cases ({built['history']:,} ended, {args.live:,} open, "
                    f"{built['people']:,} petitioners) built in {built['built']:.0f} s; "
                    f"the sweep fired {built['fired']:,} escalations"
                )
                offices[size] = Office(engine, built)
            if len(offices) < len(sizes):
                continue
            failed += _report(name, sizes, measure(offices, args.requests, only))
            sys.stdout.flush()
    print("\nsummary: " + ("every ratio within target" if not failed else "; ".join(failed)))
    return 1 if failed else 0


def _report(
    name: str, sizes: list[int], results: dict[int, dict[str, dict[str, float]]]
) -> list[str]:
    small, large = sizes[0], sizes[-1]
    head = " · ".join(f"{s:>9,}" for s in sizes)
    print(f"  {'page':<24} median ms at {head}  ratio  p95@{large:,}  SQL  KB")
    failed = []
    for page, big in results[large].items():
        row = " · ".join(f"{results[s][page]['median']:>9.1f}" for s in sizes)
        ratio = big["median"] / results[small][page]["median"]
        mark = ""
        if ratio > RATIO_TARGET:
            mark = "  RATIO ABOVE TARGET"
            failed.append(f"{name} {page} ratio {ratio:.2f}")
        if name == "PostgreSQL" and large >= P95_AT and big["p95"] > P95_TARGET_MS:
            mark += "  P95 ABOVE TARGET"
            failed.append(f"{name} {page} p95 {big['p95']:.0f} ms")
        print(
            f"  {page:<24} {row}  {ratio:5.2f}  {big['p95']:8.1f}  {big['statements']:3.0f} "
            f"{big['kb']:6.0f}{mark}"
        )
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
