"""One sweep over 10 000 due clocks, among 10 000 open cases and among 1 000 000 open cases.

``python -m bench.sweep [--large 1000000] [--due 10000] [--db all|sqlite|postgresql] [--runs 3]``

The sweeper reads only clocks whose indexed ``next_fire_at`` has come, so its time should grow with
what is due, not with what is open: the bench prints escalations per second for both sizes and the
ratio of the two sweep times (large ÷ small; target ≤ 1.5), each the median of ``--runs`` loads and
sweeps (one sweep's time varies too much on a shared machine to compare two of them).

Populating a million cases through the service would take hours, so both databases are bulk
loaded (executemany on SQLite, COPY on PostgreSQL) with rows the engine itself would have written:
every value comes from the engine's own functions (``workflow.sla`` clocks and their
``next_fire_at``, ``cases.audit`` hash chains, ``cases.crypto``), so the cases pass
``cases.audit.verify`` and the sweeper treats them like any other.

- background cases (not due): registered within the last three days, with their intake event and
  their running acceptance and tracking clocks, whose first level lies ahead;
- due cases (spread evenly among them, not clustered at the end): registered 13 to 35 days ago,
  with a tracking note made in the last two days (so only the acceptance clock is due; a note
  stops one tracking run and starts the next, as ``actions.act`` does). Depending on its age the
  acceptance clock climbs one to four levels (预警 · 超期 · 督办 · 挂牌督办) in the sweep.

The staff are a branch of three party groups, so escalations go up real chains. PostgreSQL gets
ANALYZE after the load (autovacuum would, in service); the SQLite WAL is checkpointed.
"""

import argparse
import random
import sqlite3
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, func, select, text
from sqlalchemy.engine import Dialect

from bench.common import (
    CASE_COLS,
    CLOCK_COLS,
    EVENT_COLS,
    PETITIONER_COLS,
    Backend,
    backends,
    clear_cases,
    engine_for,
    local,
    pg_conninfo,
    runtime,
    storing,
)
from cases.audit import GENESIS, case_link, event_hash, verify
from cases.crypto import generate_query_code, hash_query_code
from cases.organisation import roster
from cases.runtime import Runtime
from cases.store import tables
from cases.supervision.sweeper import sweep
from workflow import sla
from workflow.calendar import local_date
from workflow.escalation import levels_due
from workflow.intake import mask_id_number, mask_phone

TARGET = 1.5
SWEEP_NOW = local("2026-11-27 09:00")
# Days since receipt → levels the acceptance clock (15 日) climbs by SWEEP_NOW, and their share.
DUE_AGES = [(13, 0.4), (17, 0.3), (22, 0.2), (35, 0.1)]
CHUNK = 20_000

GROUP_STAFF = {
    "第一党小组": ("G1", ["R11", "R12", "R13", "R14"]),
    "第二党小组": ("G2", ["R21", "R22", "R23", "R24"]),
    "第三党小组": ("G3", ["R31", "R32", "R33", "R34"]),
}
SUBJECTS = [
    "拖欠劳动报酬",
    "征地拆迁补偿",
    "物业纠纷",
    "养老保险待遇",
    "环境污染",
    "住房公积金提取",
]
REGIONS = ["320102", "320106", "320115", "320213", "320412", "320506", "320583", "321002"]


def setup_staff(engine: Engine, now: datetime) -> dict[str, int]:
    """Three groups of four receptionists under their leaders, the secretary and the leader."""
    with engine.begin() as conn:
        for group, (leader, receptionists) in GROUP_STAFF.items():
            roster.ensure_group(conn, branch="接访处党支部", group=group)
            roster.add_staff(
                conn,
                staff_no=leader,
                name=f"组长{leader}",
                role="supervisor",
                group=group,
                post="group_leader",
                now=now,
            )
            for no in receptionists:
                roster.add_staff(
                    conn, staff_no=no, name=f"接访员{no}", role="receptionist", group=group, now=now
                )
        roster.add_staff(
            conn,
            staff_no="S01",
            name="支部书记",
            role="supervisor",
            group="第一党小组",
            post="branch_secretary",
            now=now,
        )
        roster.add_staff(
            conn, staff_no="L01", name="处长", role="leader", post="office_leader", now=now
        )
        rows = conn.execute(select(tables.staff_t.c.staff_no, tables.staff_t.c.id)).all()
    return {r.staff_no: r.id for r in rows if r.staff_no.startswith("R")}


class Generator:
    """The rows of ``total`` open cases, ``due`` of them spread evenly with a due clock."""

    def __init__(self, rt: Runtime, ctx: sla.Context, owners: dict[str, int]) -> None:
        self.rt, self.ctx = rt, ctx
        self.owners = sorted(owners.items())
        self.rng = random.Random(11643)
        self._clocks: dict[tuple[str, datetime], sla.Clock] = {}
        self.expected: Counter[str] = Counter()
        self.petitioners = self._petitioners(1000)
        self.codes = [hash_query_code(generate_query_code()) for _ in range(1000)]

    def _petitioners(self, n: int) -> list[tuple[Any, ...]]:
        cipher = self.rt.cipher
        out = []
        for i in range(n):
            first17 = f"320102{1950 + i % 50}0{1 + i % 9}1{i % 10}{i % 1000:03d}"
            total = sum(int(d) * pow(2, 17 - k, 11) for k, d in enumerate(first17))
            number = first17 + "10X98765432"[total % 11]
            phone = f"+86139{i:08d}"
            out.append(
                (
                    i + 1,
                    f"信访人{i:04d}",
                    cipher.encrypt(number),
                    cipher.blind_index(number),
                    mask_id_number(number),
                    cipher.encrypt(phone),
                    cipher.blind_index(phone),
                    mask_phone(phone),
                    "南京市玄武区中山路1号",
                    SWEEP_NOW - timedelta(days=60),
                )
            )
        return out

    def clock(self, name: str, at: datetime) -> sla.Clock:
        """A clock started at ``at``, as ``sla.start_clock`` reckons it (memoised per instant)."""
        key = (name, at)
        if key not in self._clocks:
            self._clocks[key] = sla.start_clock(name, at, self.ctx)
        return self._clocks[key]

    def cases(self, total: int, due: int) -> Iterator[tuple[list[Any], list[Any], list[Any]]]:
        """Chunks of (case rows, event rows, clock rows), in case-number order."""
        rng, key = self.rng, self.rt.audit_key
        every = max(1, total // due) if due else 0
        ages = [age for age, share in DUE_AGES for _ in range(round(share * 100))]
        link, event_id, clock_id, n_due = GENESIS, 0, 0, 0
        cases: list[Any] = []
        events: list[Any] = []
        clocks: list[Any] = []
        for seq in range(1, total + 1):
            is_due = bool(every) and seq % every == 0 and n_due < due
            staff_no, owner_id = self.owners[seq % len(self.owners)]
            if is_due:
                age = ages[n_due % len(ages)]
                minutes = rng.randint(8 * 60, 17 * 60)
                received = SWEEP_NOW - timedelta(days=age) + timedelta(minutes=minutes - 9 * 60)
                # A weekend or holiday can push the deadline out: go back until the first level is due.
                while (self.clock("acceptance", received).next_fire_at or SWEEP_NOW) > SWEEP_NOW:
                    received -= timedelta(days=1)
                note_at = SWEEP_NOW - timedelta(minutes=rng.randint(120, 2 * 24 * 60))
                n_due += 1
            else:
                received = SWEEP_NOW - timedelta(minutes=rng.randint(60, 3 * 24 * 60))
                note_at = None
            region = REGIONS[seq % len(REGIONS)]
            case_no = f"{local_date(received, self.rt.tz).year}-{seq:06d}"
            payload = {
                "channel": "visit",
                "category": "appeal",
                "region_code": region,
                "group_size": 1,
                "received_at": received.isoformat(),
            }
            first = event_hash(
                key,
                prev_hash=GENESIS,
                case_no=case_no,
                seq=1,
                action="intake",
                actor_staff_no=staff_no,
                at=received,
                from_state=None,
                to_state="registered",
                payload=payload,
            )
            link = case_link(key, prev_link=link, case_no=case_no, first_event_hash=first)
            event_id += 1
            events.append(
                (
                    event_id,
                    seq,
                    1,
                    "intake",
                    staff_no,
                    received,
                    None,
                    "registered",
                    payload,
                    True,
                    GENESIS,
                    first,
                    None,  # on_time: a registration is not a step in time or late
                    None,  # request_id: no web request made these rows
                    None,  # state_digest: bulk rows commit to no state (audit verify counts them unsealed)
                )
            )
            acceptance = self.clock("acceptance", received)
            tracking = self.clock("tracking", received)
            run = [acceptance, tracking]
            last, count = first, 1
            if note_at is not None:
                note = {"text": "已电话联系信访人，告知办理进展。"}
                last = event_hash(
                    key,
                    prev_hash=first,
                    case_no=case_no,
                    seq=2,
                    action="note",
                    actor_staff_no=staff_no,
                    at=note_at,
                    from_state="registered",
                    to_state="registered",
                    payload=note,
                )
                event_id += 1
                events.append(
                    (
                        event_id,
                        seq,
                        2,
                        "note",
                        staff_no,
                        note_at,
                        "registered",
                        "registered",
                        note,
                        False,
                        first,
                        last,
                        None,  # whether the note was in time: not what the sweep reads
                        None,  # request_id
                        None,  # state_digest
                    )
                )
                count = 2
                run = [
                    acceptance,
                    sla.stop_clock(tracking, note_at),
                    self.clock("tracking", note_at),
                ]
                self.expected.update(
                    levels_due(
                        acceptance,
                        SWEEP_NOW,
                        calendar=self.ctx.calendar,
                        tz=self.ctx.tz,
                        policy=self.ctx.policy,
                    )
                )
                assert acceptance.next_fire_at is not None and acceptance.next_fire_at <= SWEEP_NOW
            for c in run:
                # Only a due case's acceptance clock is due; every other clock's level lies ahead.
                assert (
                    note_at is not None
                    and c is acceptance
                    or (c.next_fire_at is None or c.next_fire_at > SWEEP_NOW)
                )
                clock_id += 1
                clocks.append(
                    (
                        clock_id,
                        seq,
                        c.name,
                        c.status,
                        c.started_at,
                        c.start_on,
                        c.days,
                        c.unit,
                        c.extra_days,
                        c.due_date,
                        c.due_at,
                        c.provisional,
                        c.reckoning,
                        c.level,
                        c.paused_on,
                        c.fixed_due,
                        c.stopped_at,
                        c.next_fire_at,
                    )
                )
            cases.append(
                (
                    seq,
                    case_no,
                    local_date(received, self.rt.tz).year,
                    seq,
                    "registered",
                    "appeal",
                    "visit",
                    SUBJECTS[seq % len(SUBJECTS)],
                    "单位拖欠工资三个月，多次催要无果。",
                    "请求督促解决",
                    region,
                    1,
                    False,
                    None,
                    None,
                    False,
                    None,
                    owner_id,
                    1 + seq % len(self.petitioners),
                    received,
                    self.codes[seq % len(self.codes)],
                    False,
                    False,
                    False,
                    {},
                    link,
                    last,
                    count,
                    received,
                    note_at or received,
                    count,
                    acceptance.due_date,  # acceptance_due: what the intake writes
                    None,  # handling_due
                )
            )
            if len(cases) >= CHUNK:
                yield cases, events, clocks
                cases, events, clocks = [], [], []
        self.head = link
        self.total = total
        if cases:
            yield cases, events, clocks


# --- loaders ---------------------------------------------------------------------------------


def load(backend: Backend, dialect: Dialect, gen: Generator, total: int, due: int) -> None:
    """Bulk-load the cases, their events and clocks, the petitioners and the year's counter,
    each value as its column's type stores it for the engine's ``dialect``."""
    loads = [
        (tables.case_t, CASE_COLS),
        (tables.event_t, EVENT_COLS),
        (tables.clock_t, CLOCK_COLS),
    ]
    people = (tables.petitioner_t, PETITIONER_COLS)
    if backend.path:
        conn = sqlite3.connect(backend.path, isolation_level=None)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")  # the load only; the sweep runs as cases/db.py sets

        def put(table: Table, cols: list[str], rows: list[Any]) -> None:
            marks = ", ".join("?" * len(cols))
            names = ", ".join(cols)
            store = storing(table, cols, dialect)
            conn.executemany(
                f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', [store(r) for r in rows]
            )

        conn.execute("BEGIN")
        put(*people, gen.petitioners)
        for chunk in gen.cases(total, due):
            for (table, cols), rows in zip(loads, chunk, strict=True):
                put(table, cols, rows)
        conn.execute(
            "INSERT INTO case_counter (year, last_seq, chain_head) VALUES (?, ?, ?)",
            (SWEEP_NOW.year, total, gen.head),
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        return

    import psycopg

    with psycopg.connect(pg_conninfo(backend.url)) as conn:
        cur = conn.cursor()

        def put(table: Table, cols: list[str], rows: list[Any]) -> None:
            names = ", ".join(cols)
            store = storing(table, cols, dialect)
            with cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for r in rows:
                    copy.write_row(store(r))

        put(*people, gen.petitioners)
        for chunk in gen.cases(total, due):
            for (table, cols), rows in zip(loads, chunk, strict=True):
                put(table, cols, rows)
        cur.execute(
            "INSERT INTO case_counter (year, last_seq, chain_head) VALUES (%s, %s, %s)",
            (SWEEP_NOW.year, total, gen.head),
        )
        for table in ("case", "case_event", "case_clock", "petitioner"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT max(id) FROM "{table}"))'
            )
        conn.commit()
        conn.autocommit = True
        cur.execute("ANALYZE")


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def run(backend: Backend, total: int, due: int, *, check_audit: bool) -> dict[str, Any]:
    """Build ``total`` open cases with ``due`` due clocks; time one sweep."""
    rt = runtime()
    engine = engine_for(backend)
    try:
        clear_cases(engine)
        with engine.connect() as conn:
            rows = conn.execute(select(tables.staff_t.c.staff_no, tables.staff_t.c.id)).all()
        owners = {r.staff_no: r.id for r in rows if r.staff_no.startswith("R")}
        if not rows:
            owners = setup_staff(engine, SWEEP_NOW - timedelta(days=400))
        with engine.connect() as conn:
            ctx = rt.ctx(conn)
        gen = Generator(rt, ctx, owners)
        t = time.perf_counter()
        load(backend, engine.dialect, gen, total, due)
        built = time.perf_counter() - t
        clocks = _count(engine, tables.clock_t)
        # Warm the engine (connection, calendar, statement cache) with a sweep that finds nothing due.
        sweep(engine, rt, now=SWEEP_NOW - timedelta(days=40))

        t = time.perf_counter()
        result = sweep(engine, rt, now=SWEEP_NOW)
        swept = time.perf_counter() - t
        fired = result["fired"]
        escalations = _count(engine, tables.escalation_t)
        ok = dict(fired) == {k: gen.expected.get(k, 0) for k in fired} and result["examined"] == due
        audit = ""
        if check_audit:
            with engine.connect() as conn:
                v = verify(conn, rt.audit_key)
            audit = (
                f"audit verify OK ({v.events} events)" if v.broken is None else f"AUDIT BROKEN {v}"
            )
        again = sweep(engine, rt, now=SWEEP_NOW)["fired"]
        with engine.connect() as conn:
            events = conn.execute(
                text("SELECT count(*) FROM case_event WHERE action = 'escalated'")
            ).scalar_one()
    finally:
        engine.dispose()
    return {
        "total": total,
        "due": due,
        "clocks": clocks,
        "built": built,
        "seconds": swept,
        "examined": result["examined"],
        "fired": fired,
        "escalations": escalations,
        "events": events,
        "expected_ok": ok,
        "second_pass": sum(again.values()),
        "audit": audit,
    }


def _report(name: str, r: dict[str, Any]) -> None:
    n = sum(r["fired"].values())
    levels = " ".join(f"{k} {v}" for k, v in r["fired"].items())
    print(
        f"  {r['total']:>9,} open cases ({r['clocks']:,} clock rows), {r['due']:,} due: "
        f"built in {r['built']:.1f} s; sweep {r['seconds']:.2f} s — examined {r['examined']:,} "
        f"clocks, fired {n:,} ({levels}) = {n / r['seconds']:,.0f} escalations/s, "
        f"{r['examined'] / r['seconds']:,.0f} clocks/s"
    )
    checks = [
        "levels as expected" if r["expected_ok"] else "LEVELS DIFFER FROM EXPECTED",
        f"{r['escalations']:,} escalation rows, {r['events']:,} escalated events",
        f"second pass fired {r['second_pass']}",
    ]
    if r["audit"]:
        checks.append(r["audit"])
    print("      " + "; ".join(checks))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    ap = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__.split("\n")[0])
    ap.add_argument("--large", type=int, default=1_000_000, help="open cases in the large run")
    ap.add_argument("--due", type=int, default=10_000, help="due clocks (and the small run's size)")
    ap.add_argument("--db", default="all", choices=["all", "sqlite", "postgresql"])
    ap.add_argument("--runs", type=int, default=3, help="loads and sweeps per size (median)")
    args = ap.parse_args(argv)
    print(
        f"首接 sweep bench: one sweep over {args.due:,} due clocks among {args.due:,} "
        f"and among {args.large:,} open cases (sweep now = {SWEEP_NOW.isoformat()})"
    )
    ratios = {}
    for make in backends(args.db):
        with make() as backend:
            if backend is None:
                continue
            print(f"\n== {backend.name} ==")
            # Each size loaded and swept ``--runs`` times: one sweep's time varies run to run on a
            # shared machine (the same code gave ratios from 0.46 to 1.39), so the median counts.
            times: dict[int, list[float]] = {args.due: [], args.large: []}
            for n in range(args.runs):
                for size in (args.due, args.large):
                    r = run(backend, size, args.due, check_audit=n == 0 and size == args.due)
                    _report(backend.name, r)
                    times[size].append(r["seconds"])
            small = statistics.median(times[args.due])
            large = statistics.median(times[args.large])
            ratio = large / small
            ratios[backend.name] = ratio
            verdict = "OK" if ratio <= TARGET else "ABOVE TARGET"
            spread = " · ".join(
                f"{size:,}: " + ", ".join(f"{t:.2f}" for t in found)
                for size, found in times.items()
            )
            print(
                f"  median of {args.runs} runs: large ÷ small = {large:.2f} s ÷ {small:.2f} s"
                f" = {ratio:.2f}   (target ≤ {TARGET})  {verdict}   (each run, s: {spread})"
            )
    print(
        "\nsummary: "
        + "; ".join(f"{k} large ÷ small = {v:.2f} (target ≤ {TARGET})" for k, v in ratios.items())
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
