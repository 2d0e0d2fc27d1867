"""The office statistics for a year in a database of 1 000 000 cases, beside one bare SQL aggregate.

``python -m bench.stats [--cases 1000000] [--years 5] [--db all|sqlite|postgresql] [--repeat 3]``

Builds ``--cases`` cases received over the ``--years`` years up to 2025 (``--years 1``: all of
them in 2025), with their events and clocks, bulk-inserted directly (executemany on SQLite, COPY
on PostgreSQL): statistics read only rows, so the rows are what the engine would have written for
each step (the clock due dates come from ``workflow.calendar``'s reckoning), but the audit hashes
are placeholders and no petitioner data is encrypted. The cases follow the lifecycle: most are
accepted and replied, some transferred (with or without the partner's acceptance recorded),
assigned and reported back, rejected or withdrawn; a share of the decisions and replies come late,
some handling periods are extended, owners make tracking notes every week or so (some late), two
thirds of the replies are rated, one case in twenty-five has a repeat contact (重复访). About 7
events and 7 clock runs per case. Like ``actions.act``, each decision, reply and tracking note also
writes what the statistics count of it (``workflow.measures.step_facts``): the case's ``decided_at`` and
``replied_at`` with whether each was in time, and the note event's ``on_time``.

Then it times ``cases.reports.stats.office_stats`` for 2025 (every measure, every breakdown, the previous
year 2024 beside it, and the hotspots) after one warm-up run, and one bare SQL aggregate over the same year's
case rows through the bare driver (``sqlite3`` / ``psycopg``): the intakes by category with
their repeat, skip-level and group-visit counts. It prints both times and their ratio. Target:
the year's statistics in ≤ 1 s on PostgreSQL.

After the load both databases are analysed (``ANALYZE``; PostgreSQL also ``VACUUM`` so its
index-only scans see an up-to-date visibility map, as autovacuum keeps it in service).
"""

import argparse
import json
import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Engine, Table, select
from sqlalchemy.engine import Dialect

from bench.common import CASE_COLS as REGISTERED_COLS
from bench.common import (
    CLOCK_COLS,
    EVENT_COLS,
    PETITIONER_COLS,
    Backend,
    backends,
    engine_for,
    pg_conninfo,
    runtime,
    storing,
)
from cases.models import CaseContact
from cases.organisation import roster
from cases.repeat.topics import topic_counts, topic_rows, topic_t
from cases.reports import aggregates, counting, stats
from cases.reports.overdue import open_overdue
from cases.store import statements, tables
from workflow.calendar import end_of_day, local_date, reckon

TARGET_PG = 1.0  # seconds
#: The rows the engine writes: a case as registered, then what its steps write (step_facts).
CASE_COLS = [*REGISTERED_COLS, *statements.CASE_STEP_COLUMNS]
contact_t = CaseContact.__table__
CONTACT_COLS = [c.name for c in contact_t.columns]
TABLES = ("case", "case_event", "case_clock", "case_contact", "case_topic")
TOPIC_COLS = ["case_id", "word", "received_at"]
YEAR = 2025
CHUNK = 20_000
RT = runtime()
TZ = RT.tz
#: When the year's statistics are read: early the next year (open cases past their deadlines
#: count against the on-time rates, and are overdue now).
READ_AT = datetime(YEAR + 1, 1, 15, 2, 0, tzinfo=UTC)
ZERO_HASH = "0" * 64

GROUPS = ["第一党小组", "第二党小组", "第三党小组"]
RECEPTIONISTS_PER_GROUP = 10
CATEGORIES = [("appeal", 70), ("suggestion", 18), ("accusation", 12)]
CHANNELS = [("visit", 45), ("letter", 20), ("call", 20), ("online", 15)]
REGIONS = [f"32{city:02d}{county:02d}" for city in range(1, 14) for county in (2, 4, 6)][:40]
TOPICS = [
    "拖欠劳动报酬",
    "征地拆迁补偿",
    "物业服务纠纷",
    "养老保险待遇",
    "噪声污染扰民",
    "住房公积金提取",
    "农村宅基地纠纷",
    "医疗纠纷赔偿",
    "教育入学安排",
    "违章建筑举报",
    "企业改制安置",
    "失业保险金发放",
    "城中村改造",
    "出租车营运管理",
    "供暖费用收取",
    "小区停车收费",
    "拆迁安置房质量",
    "工伤认定争议",
    "低保资格审核",
    "环境污染举报",
]
PLACES = ["玄武区", "秦淮区", "建邺区", "鼓楼区", "浦口区", "栖霞区", "雨花台区", "江宁区"]
STREETS = ["中山路", "北京东路", "汉中路", "龙蟠路", "应天大街", "江东中路", "集庆路", "虎踞路"]
STREETS += ["珠江路", "广州路", "湖南路", "长江路", "太平南路", "洪武路", "瑞金路", "光华路"]
PARTIES = ["某物业公司", "某建筑公司", "某街道办", "某小区", "某医院", "某学校", "某餐饮店", ""]
PARTIES += ["某房地产开发公司", "某劳务公司", "某村委会", "某社区居委会", "某工厂", "某商场"]
DETAILS = ["", "问题", "长期未解决", "多次反映无果", "请求尽快处理", "影响居民生活", "补偿不到位"]
DETAILS += ["涉及多户居民", "至今未答复", "存在安全隐患", "要求依法查处", "标准不合理"]


@cache
def _words(subject: str) -> tuple[str, ...]:
    return tuple(r["word"] for r in topic_rows(0, subject, None))  # type: ignore[arg-type]


def _topic_rows(case_id: int, subject: str, received: datetime) -> list[dict[str, Any]]:
    return [{"case_id": case_id, "word": w, "received_at": received} for w in _words(subject)]


def _weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


@cache
def _due(start: date, days: int) -> tuple[date, datetime]:
    """A period's last day and its 24:00 local, reckoned by the official calendar."""
    d = reckon(start, days).due_date
    return d, end_of_day(d, TZ)


def _last_day(due_at: datetime) -> date:
    """A clock's last day, from its due instant (24:00 local of that day)."""
    return _local_day(due_at - timedelta(seconds=1))


def _local_day(t: datetime) -> date:
    return local_date(t, TZ)


class Generator:
    """Rows of cases received in the ``years`` years up to ``YEAR``, with their events and
    clocks, in id order."""

    def __init__(
        self, owners: list[tuple[str, int]], years: int, seed: int = 2025, distinct: bool = True
    ) -> None:
        self.owners = owners
        self.distinct = distinct
        self.rng = random.Random(seed)
        self.event_id = 0
        self.clock_id = 0
        self.counts = dict.fromkeys(TABLES, 0)
        self.contact_id = 0
        self.in_year: dict[int, int] = {}
        start = datetime(YEAR - years + 1, 1, 1, tzinfo=TZ).astimezone(UTC)
        self.year_start = start
        self.year_seconds = int(
            (datetime(YEAR + 1, 1, 1, tzinfo=TZ).astimezone(UTC) - start).total_seconds()
        )

    def _clock(
        self,
        rows: list[Any],
        case_id: int,
        name: str,
        started: datetime,
        days: int,
        stopped: datetime | None,
        *,
        status: str | None = None,
        start_on: date | None = None,
        extra: int = 0,
        fixed_due: date | None = None,
    ) -> datetime:
        on = start_on or _local_day(started)
        if fixed_due is not None:
            due_date, due_at = fixed_due, end_of_day(fixed_due, TZ)
        else:
            due_date, due_at = _due(on, days + extra)
        self.clock_id += 1
        rows.append(
            (
                self.clock_id,
                case_id,
                name,
                status or ("stopped" if stopped else "running"),
                started,
                on,
                days,
                "calendar",
                extra,
                due_date,
                due_at,
                False,
                "",
                None,
                None,
                fixed_due is not None,
                stopped,
                None,
            )
        )
        return due_at

    def _tracking(
        self, rows: list[Any], case_id: int, start: datetime, notes: list[datetime], end: datetime
    ) -> dict[datetime, bool]:
        """Tracking runs: each note stops the running one and starts the next (as actions.act).
        Returns whether each note met the run it stopped (the note event's ``on_time``)."""
        run_start = start
        met = {}
        for note in notes:
            met[note] = note <= self._clock(rows, case_id, "tracking", run_start, 7, note)
            run_start = note
        self._clock(rows, case_id, "tracking", run_start, 7, end)
        return met

    def cases(self, total: int) -> Iterator[tuple[list[Any], ...]]:
        """Chunks of (case rows, event rows, clock rows, contact rows)."""
        rng = self.rng
        cases: list[Any] = []
        events: list[Any] = []
        clocks: list[Any] = []
        contacts: list[Any] = []
        topics: list[Any] = []
        # Receipt times in order, so case numbers follow the calendar as in service.
        offsets = sorted(rng.randrange(self.year_seconds) for _ in range(total))
        for case_id, offset in enumerate(offsets, start=1):
            received = self.year_start + timedelta(seconds=offset)
            year = _local_day(received).year
            self.in_year[year] = self.in_year.get(year, 0) + 1
            staff_no, owner_id = self.owners[rng.randrange(len(self.owners))]
            category = _weighted(rng, CATEGORIES)
            channel = _weighted(rng, CHANNELS)
            steps: list[tuple[datetime, str]] = [(received, "intake")]
            state = "registered"
            outcome = rating = rated_at = transferred_on = None
            extended = partner_accepted = False
            clock_rows: list[Any] = []

            def at_after(t: datetime, lo: float, hi: float) -> datetime:
                return t + timedelta(seconds=int(rng.uniform(lo, hi) * 86400))

            path = rng.random()
            # A decision within the 15 days mostly; one in ten comes late.
            decided = (
                at_after(received, 0.1, 12) if rng.random() < 0.9 else at_after(received, 15, 22)
            )
            notes: list[datetime] = []
            met: dict[datetime, bool] = {}
            reply_at: datetime | None = None
            # What actions.act writes for the statistics (workflow.measures.step_facts).
            decided_at = decided_on_time = replied_on_time = None
            acceptance_due = handling_due = None  # workflow.measures.due_dates
            if path < 0.04:  # still registered (or simply not yet decided)
                due = self._clock(clock_rows, case_id, "acceptance", received, 15, None)
                acceptance_due = _last_day(due)
                self._clock(clock_rows, case_id, "tracking", received, 7, None)
            elif path < 0.10:  # 不予受理 or 撤回: terminal, every clock stops
                action = "reject" if path < 0.07 else "withdraw"
                state = "rejected" if action == "reject" else "withdrawn"
                steps.append((decided, action))
                due = self._clock(clock_rows, case_id, "acceptance", received, 15, decided)
                if action == "reject":  # a withdrawal decides nothing
                    decided_at, decided_on_time = decided, decided <= due
                    acceptance_due = _last_day(due)
                self._tracking(clock_rows, case_id, received, [], decided)
            else:
                if path < 0.72:
                    decision = "accept"
                elif path < 0.87:
                    decision = "transfer"
                else:
                    decision = "assign"
                steps.append((decided, decision))
                due = self._clock(clock_rows, case_id, "acceptance", received, 15, decided)
                decided_at, decided_on_time = decided, decided <= due
                acceptance_due = _last_day(due)
                # Replies: most within the period, one in eight late.
                late = rng.random() < 0.125
                if decision == "accept":
                    extra = 0
                    if rng.random() < 0.1:
                        extended, extra = True, 15
                        steps.append((at_after(decided, 30, 50), "extend"))
                    limit = 60 + extra
                    reply_at = (
                        at_after(decided, limit + 1, limit + 20)
                        if late
                        else at_after(decided, 5, limit - 1)
                    )
                    due = self._clock(
                        clock_rows, case_id, "handling", decided, 60, reply_at, extra=extra
                    )
                    steps.append((reply_at, "reply"))
                elif decision == "transfer":
                    transferred_on = _local_day(decided)
                    if rng.random() < 0.7:
                        accepted = at_after(decided, 1, 14)
                        accepted_on = _local_day(accepted)
                        partner_accepted = True
                        steps.append((accepted, "record_partner_acceptance"))
                        self._clock(
                            clock_rows, case_id, "partner_acceptance", decided, 15, accepted
                        )
                        reply_at = at_after(accepted, 61, 80) if late else at_after(accepted, 5, 58)
                        due = self._clock(
                            clock_rows,
                            case_id,
                            "partner_handling",
                            accepted,
                            60,
                            reply_at,
                            start_on=accepted_on,
                        )
                    else:
                        reply_at = at_after(decided, 16, 30) if late else at_after(decided, 3, 14)
                        due = self._clock(
                            clock_rows, case_id, "partner_acceptance", decided, 15, reply_at
                        )
                    steps.append((reply_at, "reply"))
                else:
                    report_by = _local_day(decided) + timedelta(days=30)
                    reply_at = at_after(decided, 32, 45) if late else at_after(decided, 5, 29)
                    due = self._clock(
                        clock_rows,
                        case_id,
                        "report_back",
                        decided,
                        30,
                        reply_at,
                        fixed_due=report_by,
                    )
                    steps.append((reply_at, "report_back"))
                replied_on_time = reply_at <= due
                handling_due = _last_day(due)  # the clock the reply stopped
                outcome = rng.choice(["support", "explain", "not_support"])
                state = "replied"
                # Tracking notes every week or so while the office works the case; some late.
                t = received
                while True:
                    t = at_after(t, 3, 6.9) if rng.random() < 0.8 else at_after(t, 8.2, 12)
                    if t >= reply_at or len(notes) >= 4:
                        break
                    notes.append(t)
                steps.extend((n, "note") for n in notes)
                met = self._tracking(clock_rows, case_id, received, notes, reply_at)
                closed_at = at_after(reply_at, 5, 29) if rng.random() < 0.5 else None
                self._clock(clock_rows, case_id, "review_window", reply_at, 30, closed_at)
                if closed_at is not None:
                    steps.append((closed_at, "close"))
                    state = "closed"
                if rng.random() < 0.66:
                    rated_at = at_after(reply_at, 1, 25)
                    r = rng.random()
                    rating = (
                        "satisfied"
                        if r < 0.6
                        else "basically_satisfied"
                        if r < 0.85
                        else "dissatisfied"
                    )
                    steps.append((rated_at, "record_evaluation"))
            steps.sort(key=lambda s: s[0])
            for seq, (t, action) in enumerate(steps, start=1):
                self.event_id += 1
                events.append(
                    (
                        self.event_id,
                        case_id,
                        seq,
                        action,
                        staff_no,
                        t,
                        None,  # the states along the way are not what statistics read
                        state if seq == len(steps) else None,
                        {},
                        True,
                        ZERO_HASH,
                        ZERO_HASH,
                        met.get(t) if action == "note" else None,
                        None,  # request_id: no web request made these rows
                        None,  # state_digest: bulk rows commit to no state (audit verify counts them unsealed)
                    )
                )
            repeat_of = rng.randrange(1, case_id) if case_id > 100 and rng.random() < 0.08 else None
            cases.append(
                (
                    case_id,
                    f"{year}-{case_id:07d}",
                    year,
                    case_id,
                    state,
                    category,
                    channel,
                    subject := self._subject(rng),
                    "信访人反映的具体情况。",
                    "请求依法处理",
                    REGIONS[rng.randrange(len(REGIONS))],
                    rng.randint(2, 40) if rng.random() < 0.05 else 1,
                    category == "accusation",
                    None,
                    None,
                    channel == "visit" and rng.random() < 0.1,
                    repeat_of,
                    owner_id,
                    1 + case_id % 1000,
                    received,
                    "bench",
                    extended,
                    False,
                    partner_accepted,
                    {},
                    ZERO_HASH,
                    ZERO_HASH,
                    len(steps),
                    received,
                    steps[-1][0],
                    len(steps),
                    acceptance_due,
                    handling_due,
                    transferred_on,
                    outcome,
                    rating,
                    rated_at,
                    decided_at,
                    decided_on_time,
                    reply_at,
                    replied_on_time,
                )
            )
            clocks.extend(clock_rows)
            # What the intake stores of the subject for the hot topics (cases.repeat.topics).
            topics.extend(
                (r["case_id"], r["word"], r["received_at"])
                for r in _topic_rows(case_id, subject, received)
            )
            # One case in twenty-five sees the petitioner come back about the same matter: a
            # repeat contact on it (重复访), sometimes a skip-level visit or a group.
            if rng.random() < 0.04:
                self.contact_id += 1
                back = _weighted(rng, CHANNELS)
                contacts.append(
                    (
                        self.contact_id,
                        case_id,
                        at_after(received, 5, 90),
                        "repeat",
                        back,
                        staff_no,
                        "再次反映",
                        1 + case_id % 1000,
                        False,
                        rng.randint(2, 20) if rng.random() < 0.05 else 1,
                        back == "visit" and rng.random() < 0.2,
                        {},
                    )
                )
            if len(cases) >= CHUNK:
                yield self._count(cases, events, clocks, contacts, topics)
                cases, events, clocks, contacts, topics = [], [], [], [], []
        if cases:
            yield self._count(cases, events, clocks, contacts, topics)

    def _subject(self, rng: random.Random) -> str:
        """A subject line: a topic (a few are common), with a place and, unless ``distinct`` is
        off, the street, the number and the party complained of, as petitioners write them (most
        subjects are then distinct, as in service)."""
        topic = TOPICS[min(len(TOPICS) - 1, int(rng.paretovariate(1.2)) - 1)]
        if not self.distinct:
            return f"{rng.choice(PLACES)}{topic}"
        return (
            f"{rng.choice(PLACES)}{rng.choice(STREETS)}{rng.randint(1, 400)}号"
            f"{rng.choice(PARTIES)}{topic}{rng.choice(DETAILS)}"
        )

    def _count(self, *chunk: list[Any]) -> tuple[list[Any], ...]:
        for name, rows in zip(TABLES, chunk, strict=True):
            self.counts[name] += len(rows)
        return chunk


def _petitioners() -> list[tuple[Any, ...]]:
    made = datetime(YEAR - 1, 12, 1, tzinfo=UTC)
    return [
        (i, f"信访人{i:04d}", None, None, None, None, None, None, "南京市", made)
        for i in range(1, 1001)
    ]


# --- loading ----------------------------------------------------------------------------------


def load(backend: Backend, dialect: Dialect, gen: Generator, total: int) -> None:
    """Bulk-insert the cases, their events, clocks and contacts, and a thousand petitioners,
    each value as its column's type stores it for the engine's ``dialect``."""
    loads = [
        (tables.case_t, CASE_COLS),
        (tables.event_t, EVENT_COLS),
        (tables.clock_t, CLOCK_COLS),
        (contact_t, CONTACT_COLS),
        (topic_t, TOPIC_COLS),
    ]
    people = (tables.petitioner_t, PETITIONER_COLS)
    if backend.path:
        conn = sqlite3.connect(backend.path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")  # the load only

        def put(table: Table, cols: list[str], rows: list[Any]) -> None:
            marks = ", ".join("?" * len(cols))
            store = storing(table, cols, dialect)
            conn.executemany(
                f'INSERT INTO "{table.name}" ({", ".join(cols)}) VALUES ({marks})',
                [store(r) for r in rows],
            )

        conn.execute("BEGIN")
        put(*people, _petitioners())
        for chunk in gen.cases(total):
            for (table, cols), rows in zip(loads, chunk, strict=True):
                put(table, cols, rows)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        return

    import psycopg

    with psycopg.connect(pg_conninfo(backend.url)) as conn:
        cur = conn.cursor()
        # The rows are consistent by construction: skip the foreign-key triggers for the load.
        cur.execute("SET session_replication_role = replica")

        def put(table: Table, cols: list[str], rows: list[Any]) -> None:
            store = storing(table, cols, dialect)
            with cur.copy(f'COPY "{table.name}" ({", ".join(cols)}) FROM STDIN') as copy:
                for r in rows:
                    copy.write_row(store(r))

        put(*people, _petitioners())
        for chunk in gen.cases(total):
            for (table, cols), rows in zip(loads, chunk, strict=True):
                put(table, cols, rows)
        for table in ("case", "case_event", "case_clock", "case_contact", "petitioner"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT max(id) FROM "{table}"))'
            )
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")


def setup_staff(engine: Engine) -> list[tuple[str, int]]:
    """Three party groups of receptionists under their leaders, the secretary and the leader."""
    made = datetime(YEAR - 1, 12, 1, tzinfo=UTC)
    with engine.begin() as conn:
        for g, group in enumerate(GROUPS, start=1):
            roster.ensure_group(conn, branch="接访处党支部", group=group)
            roster.add_staff(
                conn,
                staff_no=f"G{g}",
                name=f"组长{g}",
                role="supervisor",
                group=group,
                post="group_leader",
                now=made,
            )
            for i in range(1, RECEPTIONISTS_PER_GROUP + 1):
                roster.add_staff(
                    conn,
                    staff_no=f"R{g}{i:02d}",
                    name=f"接访员{g}{i:02d}",
                    role="receptionist",
                    group=group,
                    now=made,
                )
        roster.add_staff(
            conn, staff_no="L1", name="处长", role="leader", post="office_leader", now=made
        )
        rows = conn.execute(select(tables.staff_t.c.staff_no, tables.staff_t.c.id)).all()
    return sorted((r.staff_no, r.id) for r in rows if r.staff_no.startswith("R"))


# --- timing -----------------------------------------------------------------------------------

BARE_SQL = """
SELECT category, count(*),
       sum(CASE WHEN repeat_of_id IS NOT NULL THEN 1 ELSE 0 END),
       sum(CASE WHEN channel = 'visit' AND skip_level THEN 1 ELSE 0 END),
       sum(CASE WHEN group_size > 1 THEN group_size ELSE 0 END)
FROM "case" WHERE received_at >= {p} AND received_at < {p}
GROUP BY category
"""


def _bare(backend: Backend, period: counting.Period) -> Callable[[], list[Any]]:
    """One bare SQL aggregate over the year's case rows, through the bare driver."""
    first, after = period.instants(TZ)
    if backend.path:
        conn = sqlite3.connect(backend.path)
        sql = BARE_SQL.format(p="?")
        # The bare driver writes SQLAlchemy's SQLite DATETIME text itself.
        args: tuple[Any, ...] = tuple(
            t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") for t in (first, after)
        )
        return lambda: conn.execute(sql, args).fetchall()
    import psycopg

    pg = psycopg.connect(pg_conninfo(backend.url), autocommit=True)
    sql = BARE_SQL.format(p="%s")
    return lambda: pg.execute(sql, (first, after)).fetchall()


def _time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median of ``repeat`` timed calls, after one warm-up call; and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def _breakdown(engine: Engine, period: counting.Period) -> dict[str, float]:
    """One run of each query of the statistics, timed alone (for the record, not the target)."""
    first, after = period.instants(TZ)
    out = {}
    with engine.connect() as conn:
        stats.office_stats(conn, RT, period=period, now=READ_AT)  # the same session settings
        for query in aggregates.MEASURES:
            t = time.perf_counter()
            for span in ((first, after), (period.previous().instants(TZ)[0], first)):
                list(query(conn, span))
            out[query.__name__.strip("_")] = time.perf_counter() - t
        today = local_date(READ_AT, TZ)
        for owed in aggregates.DUE_MEASURES:
            t = time.perf_counter()
            for days in (period, period.previous()):
                list(owed(conn, (days.start, days.end, today)))
            out[owed.__name__] = time.perf_counter() - t
        t = time.perf_counter()
        open_overdue(conn, RT, READ_AT)
        out["open_overdue"] = time.perf_counter() - t
        t = time.perf_counter()
        topic_counts(conn, (period.previous().instants(TZ)[0], after), first)
        out["topics"] = time.perf_counter() - t
    return out


def run(
    backend: Backend, total: int, years: int, repeat: int, distinct: bool = True
) -> dict[str, Any]:
    """Load ``total`` cases over ``years`` years; time the last year's statistics (the first,
    cold call alone, then the median of warm ones) and the bare aggregate."""
    engine = engine_for(backend)
    owners = setup_staff(engine)
    gen = Generator(owners, years, distinct=distinct)
    t = time.perf_counter()
    load(backend, engine.dialect, gen, total)
    built = time.perf_counter() - t
    period = counting.Period(date(YEAR, 1, 1), date(YEAR, 12, 31))

    def full() -> dict[str, Any]:
        with engine.connect() as conn:
            return stats.office_stats(conn, RT, period=period, now=READ_AT)

    t = time.perf_counter()
    full()  # the first call of a fresh server: nothing in any cache
    cold = time.perf_counter() - t
    seconds, result = _time(full, repeat)
    bare_seconds, bare = _time(_bare(backend, period), repeat)
    parts = _breakdown(engine, period)
    engine.dispose()
    in_year = gen.in_year.get(YEAR, 0)
    assert sum(r[1] for r in bare) == result["intakes"] == in_year, "they disagree on intakes"
    return {
        "built": built,
        "rows": dict(gen.counts),
        "in_year": in_year,
        "in_previous": gen.in_year.get(YEAR - 1, 0),
        "seconds": seconds,
        "cold": cold,
        "bare": bare_seconds,
        "parts": parts,
        "result": result,
    }


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    ap = argparse.ArgumentParser(prog="python -m bench.stats", description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=1_000_000, help="cases in the database")
    ap.add_argument(
        "--years", type=int, default=5, help=f"years the cases were received in (up to {YEAR})"
    )
    ap.add_argument("--db", default="all", choices=["all", "sqlite", "postgresql"])
    ap.add_argument("--repeat", type=int, default=3, help="timed runs (the median is shown)")
    ap.add_argument("--json", action="store_true", help="also print the statistics' JSON")
    ap.add_argument(
        "--few-subjects",
        action="store_true",
        help="160 subject lines in all (the old bench's), instead of mostly distinct ones",
    )
    args = ap.parse_args(argv)
    print(
        f"首接 stats bench: statistics for {YEAR} (beside {YEAR - 1}) in a database of "
        f"{args.cases:,} cases received over {args.years} year(s) "
        f"(median of {args.repeat} runs after a warm-up)"
    )
    verdicts = []
    for make in backends(args.db):
        with make() as backend:
            if backend is None:
                continue
            print(f"\n== {backend.name} ==")
            r = run(backend, args.cases, args.years, args.repeat, not args.few_subjects)
            rows = r["rows"]
            res = r["result"]
            print(
                f"  loaded {rows['case']:,} cases, {rows['case_event']:,} events, "
                f"{rows['case_clock']:,} clock runs in {r['built']:.0f} s; "
                f"{r['in_year']:,} cases received in {YEAR}, {r['in_previous']:,} in {YEAR - 1}"
            )
            print(
                f"  {YEAR}: 受理 {res['intakes']:,} · 按期受理率 "
                f"{_rate(res['acceptance_on_time_rate'])} · 按期办结率 "
                f"{_rate(res['handling_on_time_rate'])} · 满意率 {_rate(res['satisfaction_rate'])}"
                f" · 参评率 {_rate(res['rating_rate'])} · 重复访率 {_rate(res['repeat_rate'])} · "
                f"越级访率 {_rate(res['skip_level_rate'])} · 集体访 {res['group_visits']:,} 件 "
                f"{res['group_visit_people']:,} 人 · hotspots "
                + "、".join(t["keyword"] for t in res["hotspots"]["topics"][:5])
            )
            ratio = r["seconds"] / r["bare"] if r["bare"] else float("inf")
            line = (
                f"  statistics {r['seconds']:.3f} s (first, cold call {r['cold']:.3f} s) · "
                f"bare SQL aggregate {r['bare']:.3f} s · "
                f"ratio {ratio:.1f}"
            )
            if backend.name == "PostgreSQL":
                ok = r["seconds"] <= TARGET_PG
                line += f"   (target ≤ {TARGET_PG:.0f} s: {'OK' if ok else 'ABOVE TARGET'})"
            print(line)
            print(
                "  each query alone (both periods): "
                + " · ".join(f"{k} {v:.3f} s" for k, v in r["parts"].items())
            )
            verdicts.append(f"{backend.name} {r['seconds']:.3f} s (bare {r['bare']:.3f} s)")
            if args.json:
                print(json.dumps(res, ensure_ascii=False, indent=1, default=str))
    print("\nsummary: " + "; ".join(verdicts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
