"""Cases per second through the service layer against the same rows written with bare driver calls.

``python -m bench.lifecycle [-n 300] [--rounds 3] [--db all|sqlite|postgresql] [--profile]``

Each case goes intake → accept → reply → close, each step its own transaction (``engine.begin()``,
as the command line and the API do). The bare baseline writes the same rows (petitioner, case,
counter, events, clocks, the matter's keywords, the escalation settle-up a stopped clock
needs, and the statutory notices accept and reply issue: the year's 文号 from notice_counter, the
notice's text rendered with the engine's own context and Jinja template, its hash on the event,
the petitioner's text message in the outbox) with sqlite3 /
psycopg directly, in the same number of transactions with the same durability (SQLite WAL +
synchronous=NORMAL + BEGIN IMMEDIATE; PostgreSQL defaults, one COMMIT per step). It computes what
the rows contain with the same primitives (AES-GCM field encryption, blind index, 查询码 hash,
HMAC audit chain, ``workflow.sla`` deadlines, the jurisdiction rule, the jieba keywords, whether
a step was in time) but skips what only the engine does: validation,
permission checks through the state machine, re-reading the actor and the case for the answer,
and rendering the case JSON. Its inputs come already normalised (E.164 phone, 18-digit ID), it
keeps the owner's id and the office's jurisdiction, and it stops clocks with one UPDATE … IN: it is the fastest honest writer,
so the ratio is a lower bound. After the first round both runs' rows are compared column by
column (surrogate keys and random nonces aside); deadlines and the state digests of each step
(``cases.audit_state``: both writers commit each event to the rows its step left, reading the
clocks, escalations and attachments back) must be identical, and the bare rows must pass
``cases.audit.verify``, which recomputes every case's digest. The chain's hashes themselves differ
between the runs since migration 0014: the case row's digest covers the salted 查询码 hash.
"""

import argparse
import cProfile
import hashlib
import io
import json
import pstats
import sqlite3
import statistics
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import event, select

from bench.common import (
    OWNER,
    Backend,
    backends,
    clear_cases,
    engine_for,
    intake_bodies,
    local,
    pg_conninfo,
    runtime,
    setup_office,
    snapshot,
)
from cases import audit_state
from cases.audit import GENESIS, case_link, event_hash, verify
from cases.audit_state import attachment_t, case_t, clock_t, escalation_t
from cases.casework import actions, intake
from cases.crypto import generate_query_code, hash_query_code
from cases.models import CaseKeyword, CaseNotice, Outbox
from cases.paper.notices import notice_context
from cases.paper.render import notice_html
from cases.repeat.index import keyword_rows
from cases.repeat.jurisdiction import classify, office_jurisdiction, region_names
from cases.repeat.matter import matter_vector
from cases.runtime import Runtime
from cases.store import fastsql, statements, tables
from cases.store.outbox import PETITIONER_RECIPIENT
from cases.store.records import clock_values
from workflow import paper, sla
from workflow.calendar import OfficialCalendar, local_date
from workflow.intake import mask_id_number, mask_phone

TARGET = 0.5
STEPS = ("intake", "accept", "reply", "close")
REPLY = {"outcome": "support", "opinion": "经核查，公司已于本月足额支付拖欠工资。"}
BASE = local("2026-11-02 09:00")


def _close(at: datetime) -> dict[str, Any]:
    """Closed soon after the reply: with the petitioner's waiver of review (条例第三十五条)."""
    return {"waiver": {"date": at.astimezone(BASE.tzinfo).date().isoformat(), "how": "书面"}}


def _times(i: int) -> dict[str, datetime]:
    t = BASE + timedelta(seconds=10 * i)
    return {step: t + timedelta(hours=k) for k, step in enumerate(STEPS)}


# --- the engine ------------------------------------------------------------------------------


def run_engine(engine: Any, rt: Runtime, bodies: list[dict[str, Any]]) -> dict[str, float]:
    """Every case through the service, each step in its own transaction; seconds per step."""
    spent: dict[str, float] = defaultdict(float)
    clock = time.perf_counter
    for i, body in enumerate(bodies):
        at = _times(i)
        t0 = clock()
        with engine.begin() as conn:
            case_no = intake.intake(conn, rt, body=body, actor_staff_no=OWNER, now=at["intake"])[
                "case_no"
            ]
        t1 = clock()
        spent["intake"] += t1 - t0
        for action, payload in (("accept", {}), ("reply", REPLY), ("close", _close(at["close"]))):
            with engine.begin() as conn:
                actions.act(
                    conn,
                    rt,
                    case_no=case_no,
                    action=action,
                    actor_staff_no=OWNER,
                    payload=payload,
                    now=at[action],
                )
            t2 = clock()
            spent[action] += t2 - t1
            t1 = t2
    return spent


# --- the bare driver -------------------------------------------------------------------------


class _Counting:
    """A cursor that counts the statements sent (BEGIN and COMMIT included, as for the engine)."""

    def __init__(self, cur: Any, owner: "Bare") -> None:
        self._cur, self._owner = cur, owner

    def execute(self, *args: Any) -> Any:
        self._owner.statements += 1
        return self._cur.execute(*args)

    def executemany(self, statement: str, rows: list[Any]) -> Any:
        self._owner.statements += len(rows)
        return self._cur.executemany(statement, rows)

    def close(self) -> None:
        self._cur.close()


class Bare:
    """The same rows with sqlite3 or psycopg and hand-written SQL."""

    statements = 0

    def __init__(
        self, backend: Backend, rt: Runtime, owner_id: int, calendar: OfficialCalendar
    ) -> None:
        self.rt = rt
        self.owner_id = owner_id
        # The reckoning context (official calendar, time zone, policy), as the engine builds it.
        self.ctx = sla.Context(calendar=calendar, tz=rt.tz, policy=rt.policy)
        self.sqlite = backend.path is not None
        self.office: dict[str, Any] = {}
        if self.sqlite:
            conn = sqlite3.connect(backend.path, isolation_level=None, timeout=30)
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self.conn: Any = conn
        else:
            import psycopg

            self.conn = psycopg.connect(pg_conninfo(backend.url))
            self._json = psycopg.types.json.Json

        # The engine's own column lists (cases.store.statements); the values below follow them.
        self.insert_person = self._insert("petitioner", statements.PERSON_COLUMNS, "id")
        self.insert_case = self._insert("case", statements.CASE_COLUMNS, "id")
        self.insert_event = self._insert("case_event", statements.EVENT_COLUMNS)
        self.insert_clock = self._insert("case_clock", ["case_id", *statements.CLOCK_COLUMNS])
        keyword_columns = [c.name for c in CaseKeyword.__table__.columns]
        self.insert_keyword = self._insert("case_keyword", keyword_columns)
        self.insert_notice = self._insert(
            "case_notice", [c.name for c in CaseNotice.__table__.columns if c.name != "id"]
        )
        outbox_columns = [c.name for c in Outbox.__table__.columns if c.name != "id"]
        self.insert_outbox = (
            self._insert("outbox", outbox_columns) + " ON CONFLICT (dedup_key) DO NOTHING"
        )
        self.take_doc_seq = self.sql(
            "INSERT INTO notice_counter (office_id, year, last_seq) VALUES (?, ?, 1) "
            "ON CONFLICT (office_id, year) DO UPDATE SET last_seq = notice_counter.last_seq + 1 "
            "RETURNING last_seq"
        )
        # The office that issues the notices (name, 文号 prefix), read once.
        self.issuer: Any = None

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def sql(self, statement: str) -> str:
        """The statement in the driver's parameter style."""
        return statement if self.sqlite else statement.replace("?", "%s")

    def _insert(self, table: str, columns: list[str], returning: str = "") -> str:
        """``INSERT INTO table (columns) VALUES (…)`` in the driver's parameter style."""
        marks = ", ".join(["?" if self.sqlite else "%s"] * len(columns))
        sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})'
        return f"{sql} RETURNING {returning}" if returning else sql

    def stored(self, table: Any, values: dict[str, Any]) -> tuple[Any, ...]:
        """A row's values in ``values``' order, as the engine's column types store them."""
        out = []
        for name, value in values.items():
            kind = type(table.c[name].type).__name__
            if kind in ("UTCDateTime", "DateTime"):
                out.append(self.ts(value))
            elif kind == "Date":
                out.append(self.day(value))
            elif kind == "JSON":
                out.append(self.js(value))
            else:
                out.append(value)
        return tuple(out)

    def typed(self, table: Any, names: list[str], row: Any) -> dict[str, Any]:
        """A row read back as Python values (SQLite hands back text for times, dates, JSON)."""
        values = dict(zip(names, row, strict=True))
        if not self.sqlite:
            return values
        for name, value in values.items():
            kind = type(table.c[name].type).__name__
            if kind == "Boolean" and value is not None:
                values[name] = bool(value)
            if value is None or not isinstance(value, str):
                continue
            if kind in ("UTCDateTime", "DateTime"):
                values[name] = datetime.fromisoformat(value).replace(tzinfo=UTC)
            elif kind == "Date":
                values[name] = date.fromisoformat(value)
            elif kind == "JSON":
                values[name] = json.loads(value)
        return values

    def state_after(
        self, cur: Any, case_id: int, case: dict[str, Any], person: dict[str, Any]
    ) -> Any:
        """The digest of what the step left (``cases.audit_state``): the case row as written,
        the clocks, escalations and attachments as the database now has them."""
        hung = []
        for table, names in (
            (clock_t, audit_state.CLOCK_COLUMNS),
            (escalation_t, list(audit_state.ESCALATION_COLUMNS)),
            (attachment_t, list(audit_state.ATTACHMENT_COLUMNS)),
        ):
            rows = cur.execute(
                self.sql(f'SELECT {", ".join(names)} FROM "{table.name}" WHERE case_id = ?'),
                (case_id,),
            ).fetchall()
            hung.append([self.typed(table, names, r) for r in rows])
        return audit_state.case_digest(case, person, *hung)

    # Values as the engine's column types store them.
    def ts(self, v: datetime | None) -> Any:
        """A UTC instant (SQLite: SQLAlchemy's naive text form)."""
        if v is None or not self.sqlite:
            return v
        return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def day(self, v: date | None) -> Any:
        """A date."""
        return v.isoformat() if (v is not None and self.sqlite) else v

    def js(self, v: Any) -> Any:
        """A JSON value."""
        return json.dumps(v) if self.sqlite else self._json(v)

    @contextmanager
    def tx(self) -> Iterator[Any]:
        """One transaction: BEGIN IMMEDIATE … COMMIT on SQLite, COMMIT on PostgreSQL."""
        cur = _Counting(self.conn.cursor(), self)
        try:
            if self.sqlite:
                cur.execute("BEGIN IMMEDIATE")
            yield cur
            if self.sqlite:
                cur.execute("COMMIT")
            else:
                self.statements += 2  # the driver's implicit BEGIN, and COMMIT
                self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise
        finally:
            cur.close()

    def _clock_row(self, case_id: int, c: sla.Clock) -> tuple[Any, ...]:
        return (
            case_id,
            c.name,
            c.status,
            self.ts(c.started_at),
            self.day(c.start_on),
            c.days,
            c.unit,
            c.extra_days,
            self.day(c.due_date),
            self.ts(c.due_at),
            c.provisional,
            c.reckoning,
            c.level,
            self.day(c.paused_on),
            c.fixed_due,
            self.ts(c.stopped_at),
            self.ts(c.next_fire_at),
        )

    def _notice(
        self,
        cur: Any,
        kind: paper.NoticeKind,
        facts: tuple[Any, ...],
        data: dict[str, Any],
        due_dates: dict[str, date],
        now: datetime,
    ) -> dict[str, Any]:
        """The step's notice: next 文号 (one upsert), its text rendered with the engine's own
        context and template (the document is part of the work), stored, and the petitioner's
        text message in the outbox; returns what the step's event records of it."""
        case_id, case_no, event_seq, details, received_at, *rest = facts
        channel, category, subject, content, requests, p_name, phone_enc = rest
        if isinstance(received_at, str):  # SQLite: SQLAlchemy's naive UTC text
            received_at = datetime.fromisoformat(received_at).replace(tzinfo=UTC)
        office = self.issuer
        office_id = office.id if office is not None else 0
        issued_on = local_date(now, self.rt.tz)
        (seq,) = cur.execute(self.take_doc_seq, (office_id, issued_on.year)).fetchone()
        prefix = (office.policy or {}).get("doc_prefix") if office is not None else None
        doc_no = paper.doc_number(prefix, issued_on.year, seq)
        record = SimpleNamespace(
            case_no=case_no,
            p_name=p_name,
            channel=channel,
            category=category,
            subject=subject,
            content=content,
            requests=requests,
            details=details,
        )
        received_on = local_date(received_at, self.rt.tz)
        context = notice_context(
            kind, record, data, due_dates, issued_on, received_on, doc_no, office
        )
        html = notice_html(kind.template, context)
        digest = hashlib.sha256(html.encode()).hexdigest()
        cur.execute(
            self.insert_notice,
            (
                case_id,
                kind.code,
                office_id,
                issued_on.year,
                seq,
                doc_no,
                event_seq,
                html,
                digest,
                self.ts(now),
            ),
        )
        if phone_enc:
            cur.execute(
                self.insert_outbox,
                (
                    f"{case_no}:notice:{doc_no}",
                    "petitioner_notice",
                    PETITIONER_RECIPIENT,
                    case_no,
                    self.js({"title": kind.title, "doc_no": doc_no, "to_enc": phone_enc}),
                    self.ts(now),
                    "pending",
                    0,
                    self.ts(now),
                    None,
                    None,
                    None,
                ),
            )
        return {"kind": kind.code, "title": kind.title, "doc_no": doc_no, "sha256": digest}

    def intake(self, p: dict[str, Any], body: dict[str, Any], now: datetime) -> str:
        """Register a case (inputs already normalised); return its number."""
        rt, cipher = self.rt, self.rt.cipher
        year = local_date(now, rt.tz).year
        code = generate_query_code()
        clocks = sla.intake_clocks(now, now, self.ctx)
        with self.tx() as cur:
            pid = cur.execute(
                self.insert_person,
                (
                    p["name"],
                    cipher.encrypt(p["id_number"]),
                    cipher.blind_index(p["id_number"]),
                    mask_id_number(p["id_number"]),
                    cipher.encrypt(p["phone"]),
                    cipher.blind_index(p["phone"]),
                    mask_phone(p["phone"]),
                    p["address"],
                    self.ts(now),
                ),
            ).fetchone()[0]
            seq, prev_link = cur.execute(
                self.sql(
                    "INSERT INTO case_counter (year, last_seq, chain_head) VALUES (?, 1, ?) "
                    "ON CONFLICT (year) DO UPDATE SET last_seq = case_counter.last_seq + 1 "
                    "RETURNING last_seq, chain_head"
                ),
                (year, GENESIS),
            ).fetchone()
            case_no = f"{year}-{seq:06d}"
            # The office's jurisdiction was read once (the engine reads it at every intake).
            where = classify(body["region_code"], channel=body["channel"], **self.office)
            payload = {
                "channel": body["channel"],
                "category": body["category"],
                "region_code": body["region_code"],
                "group_size": 1,
                "received_at": now.isoformat(),
            }
            person = {
                "name": p["name"],
                "id_number_masked": mask_id_number(p["id_number"]),
                "phone_masked": mask_phone(p["phone"]),
                "address": p["address"],
            }
            row: dict[str, Any] = dict(
                zip(
                    statements.CASE_COLUMNS,
                    (
                        case_no, year, seq, "registered", body["category"], body["channel"],
                        body["subject"], body["content"], body["requests"], body["region_code"],
                        1, body["category"] == "accusation", None, None, where.skip_level, None,
                        self.owner_id, pid, now, hash_query_code(code), False, False, False,
                        {"jurisdiction": where.as_dict()}, None, None, 1, now, now, 1,
                        # acceptance_due, handling_due: the due dates the on-time rates count by
                        next(c.due_date for c in clocks if c.name == "acceptance"), None,
                    ),
                    strict=True,
                )
            )  # fmt: skip
            # The first event commits to the rows the intake leaves (the engine's digest).
            state = audit_state.case_digest(
                {**row, **dict.fromkeys(statements.CASE_STEP_COLUMNS)},
                person,
                [clock_values(c) for c in clocks],
                [],
                [],
            )
            first = event_hash(
                rt.audit_key,
                prev_hash=GENESIS,
                case_no=case_no,
                seq=1,
                action="intake",
                actor_staff_no=OWNER,
                at=now,
                from_state=None,
                to_state="registered",
                payload=payload,
                state=state,
            )
            link = case_link(
                rt.audit_key, prev_link=prev_link, case_no=case_no, first_event_hash=first
            )
            cur.execute(
                self.sql("UPDATE case_counter SET chain_head = ? WHERE year = ?"), (link, year)
            )
            row.update(chain_hash=link, last_event_hash=first)
            case_id = cur.execute(self.insert_case, self.stored(case_t, row)).fetchone()[0]
            cur.execute(
                self.insert_event,
                (
                    case_id,
                    1,
                    "intake",
                    OWNER,
                    self.ts(now),
                    None,
                    "registered",
                    self.js(payload),
                    True,
                    GENESIS,
                    first,
                    None,
                    None,  # request_id: none outside a web request
                    self.js(state),
                ),
            )
            # The matter's keywords, for finding similar matters at later intakes.
            vector = matter_vector(body["subject"], body["content"], body["requests"])
            cur.executemany(
                self.insert_keyword,
                [
                    (r["case_id"], r["term"], r["weight"], r["region_code"], self.ts(now))
                    for r in keyword_rows(case_id, vector, body["region_code"], now)
                ],
            )
            cur.executemany(
                self.insert_clock,
                [self._clock_row(case_id, c) for c in clocks],
            )
        return case_no

    # action → (from state, to state, clocks it stops, clocks it starts); "*" stops every clock
    RULES: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
        "accept": ("registered", "accepted", ("acceptance",), ("handling",)),
        "reply": ("accepted", "replied", ("handling", "tracking"), ("review_window",)),
        "close": ("replied", "closed", ("*",), ()),
    }

    def act(self, case_no: str, action: str, payload: dict[str, Any], now: datetime) -> None:
        """One action on a case."""
        rt = self.rt
        source, target, stops, starts = self.RULES[action]
        kind = paper.notice_for(action)
        lock = "" if self.sqlite else " FOR UPDATE OF c"
        # The whole row and the petitioner's shown fields: the step's digest covers them (the
        # engine reads the same row to check the step).
        columns = [c.name for c in case_t.columns]
        people = list(audit_state.PETITIONER_COLUMNS)
        with self.tx() as cur:
            got = cur.execute(
                self.sql(
                    f"SELECT {', '.join('c.' + n for n in columns)}, "
                    f"{', '.join('p.' + n for n in people)}, p.phone_enc "
                    'FROM "case" c JOIN petitioner p ON p.id = c.petitioner_id '
                    f"WHERE c.case_no = ?{lock}"
                ),
                (case_no,),
            ).fetchone()
            case = self.typed(case_t, columns, got[: len(columns)])
            person = dict(zip(people, got[len(columns) : -1], strict=True))
            phone_enc = got[-1]
            case_id, state, version = case["id"], case["state"], case["version"]
            count, last_hash, details = (
                case["event_count"],
                case["last_event_hash"],
                case["details"],
            )
            if state != source:
                raise RuntimeError(f"{case_no}: {action} not allowed in {state}")
            active = cur.execute(
                self.sql(
                    "SELECT id, name, due_at FROM case_clock WHERE case_id = ? "
                    "AND status IN ('running', 'paused')"
                ),
                (case_id,),
            ).fetchall()
            due = {name: due_at for _, name, due_at in active}
            seq = count + 1
            started = [sla.start_clock(name, now, self.ctx) for name in starts]
            data = payload  # what the step was given; its event also records the notice
            if kind is not None:
                due_dates = {c.name: c.due_date for c in started}
                facts = (
                    *(case[n] for n in ("received_at", "channel", "category", "subject")),
                    *(case[n] for n in ("content", "requests")),
                    person["name"],
                    phone_enc,
                )
                notice = self._notice(
                    cur, kind, (case_id, case_no, seq, details, *facts), payload, due_dates, now
                )
                payload = {**data, "notice": notice}
            # What the statistics count of the step (cases.stats.step_facts).
            changes: dict[str, Any] = {}
            if action == "accept":
                handling = next(c for c in started if c.name == "handling")
                changes = {
                    "decided_at": now,
                    "decided_on_time": self.ts(now) <= due["acceptance"],
                    "handling_due": handling.due_date,
                }
            if action == "reply":
                changes = {
                    "outcome": payload["outcome"],
                    "details": {**dict(details or {}), "reply": dict(data)},
                    "replied_at": now,
                    "replied_on_time": self.ts(now) <= due["handling"],
                }
            if action == "close":
                changes = {"details": {**dict(details or {}), "waiver": payload["waiver"]}}
            # The clocks first, as the engine: the step's event commits to what it left.
            stopped = [cid for cid, name, _ in active if "*" in stops or name in stops]
            if stopped:
                marks = ", ".join("?" * len(stopped))
                cur.execute(
                    self.sql(
                        "UPDATE case_clock SET status = 'stopped', stopped_at = ?, "
                        f"next_fire_at = NULL WHERE id IN ({marks})"
                    ),
                    (self.ts(now), *stopped),
                )
                cur.execute(
                    self.sql(
                        "UPDATE escalation SET status = 'resolved', resolved_at = ? "
                        f"WHERE clock_id IN ({marks}) AND status != 'resolved'"
                    ),
                    (self.ts(now), *stopped),
                )
            for c in started:
                cur.execute(self.insert_clock, self._clock_row(case_id, c))
            moved = {"state": target, "event_count": seq, "updated_at": now, "version": version + 1}
            after = {**case, **changes, **moved}
            state_digest = self.state_after(cur, case_id, after, person)
            h = event_hash(
                rt.audit_key,
                prev_hash=last_hash,
                case_no=case_no,
                seq=seq,
                action=action,
                actor_staff_no=OWNER,
                at=now,
                from_state=state,
                to_state=target,
                payload=payload,
                state=state_digest,
            )
            sets = {**moved, "last_event_hash": h, **changes}
            updated = cur.execute(
                self.sql(
                    f'UPDATE "case" SET {", ".join(f"{k} = ?" for k in sets)} '
                    "WHERE id = ? AND version = ?"
                ),
                (*self.stored(case_t, sets), case_id, version),
            ).rowcount
            if updated != 1:
                raise RuntimeError(f"{case_no}: changed meanwhile")
            cur.execute(
                self.insert_event,
                (
                    case_id,
                    seq,
                    action,
                    OWNER,
                    self.ts(now),
                    state,
                    target,
                    self.js(payload),
                    True,
                    last_hash,
                    h,
                    None,
                    None,
                    self.js(state_digest),
                ),
            )


def _normalised(body: dict[str, Any]) -> dict[str, Any]:
    p = body["petitioner"]
    return {**p, "phone": "+86" + p["phone"], "id_number": p["id_number"].upper()}


def run_bare(bare: Bare, bodies: list[dict[str, Any]]) -> dict[str, float]:
    """Every case with the bare driver, each step in its own transaction; seconds per step."""
    people = [_normalised(b) for b in bodies]
    spent: dict[str, float] = defaultdict(float)
    clock = time.perf_counter
    for i, body in enumerate(bodies):
        at = _times(i)
        t0 = clock()
        case_no = bare.intake(people[i], body, at["intake"])
        t1 = clock()
        spent["intake"] += t1 - t0
        close = {"waiver": {**_close(at["close"])["waiver"], "waives": "review"}}
        for action, payload in (("accept", {}), ("reply", REPLY), ("close", close)):
            bare.act(case_no, action, dict(payload), at[action])
            t2 = clock()
            spent[action] += t2 - t1
            t1 = t2
    return spent


# --- the comparison --------------------------------------------------------------------------


def _compare(a: dict[str, list[Any]], b: dict[str, list[Any]]) -> str:
    """Whether two snapshots hold the same rows; names the first table that differs."""
    for table in sorted(set(a) | set(b)):
        x, y = a.get(table, []), b.get(table, [])
        if x != y:
            if len(x) != len(y):
                return f"DIFFERENT in {table}: engine {len(x)} rows, bare {len(y)} rows"
            first = next((p, q) for p, q in zip(x, y, strict=True) if p != q)
            return f"DIFFERENT in {table}: engine {first[0]} vs bare {first[1]}"
    written = [(t, len(rows)) for t, rows in sorted(a.items()) if rows]
    return "identical (" + ", ".join(f"{t} {n}" for t, n in written) + ")"


def bench_backend(backend: Backend, n: int, rounds: int, profile: bool) -> float | None:
    """Run the rounds on one backend; print the figures; return engine ÷ bare."""
    rt = runtime()
    engine = engine_for(backend)
    bare: Bare | None = None
    try:
        setup_office(engine, BASE - timedelta(days=1))
        with engine.connect() as conn:
            owner_id = (
                conn.execute(tables.staff_t.select().where(tables.staff_t.c.staff_no == OWNER))
                .one()
                .id
            )
            calendar = rt.calendar(conn)
            level, region, organs = office_jurisdiction(conn)
            names = region_names(conn)
            office_t = tables.office_t
            issuer = conn.execute(
                select(office_t.c.id, office_t.c.name, office_t.c.policy)
                .order_by(office_t.c.id)
                .limit(1)
            ).first()
        bare = Bare(backend, rt, owner_id, calendar)
        bare.issuer = issuer
        bare.office = {
            "office_level": level,
            "office_region": region,
            "organs": organs,
            "names": names,
        }
        bodies = intake_bodies(n)
        # Warm both paths (statement caches, imports, the calendar), then start from empty tables.
        run_engine(engine, rt, bodies[:20])
        clear_cases(engine)
        run_bare(bare, bodies[:20])
        clear_cases(engine)

        seen = {"n": 0}

        @event.listens_for(engine, "before_cursor_execute")
        def _count(*_args: Any) -> None:
            seen["n"] += 1

        eng_s: list[float] = []
        bare_s: list[float] = []
        eng_steps: dict[str, list[float]] = defaultdict(list)
        bare_steps: dict[str, list[float]] = defaultdict(list)
        check = ""
        for r in range(rounds):
            seen["n"], bare.statements = 0, 0
            direct = fastsql.sent
            t = time.perf_counter()
            spent = run_engine(engine, rt, bodies)
            # + the statements sent on the DBAPI cursor (cases.store.fastsql), which no event reports,
            # + COMMIT per transaction (and PostgreSQL's implicit BEGIN)
            eng_statements = (
                seen["n"] + fastsql.sent - direct + len(STEPS) * n * (1 if backend.path else 2)
            )
            eng_s.append(time.perf_counter() - t)
            for k, v in spent.items():
                eng_steps[k].append(v)
            first = snapshot(engine) if r == 0 else None
            clear_cases(engine)

            t = time.perf_counter()
            spent = run_bare(bare, bodies)
            bare_s.append(time.perf_counter() - t)
            bare_statements = bare.statements
            for k, v in spent.items():
                bare_steps[k].append(v)
            if first is not None:
                check = _compare(first, snapshot(engine))
                with engine.connect() as conn:
                    verified = verify(conn, rt.audit_key)
                check += (
                    f"; bare rows pass audit verify ({verified.events} events)"
                    if verified.broken is None
                    else f"; bare rows FAIL audit verify: {verified.broken}"
                )
            clear_cases(engine)
        prof = None
        if profile:  # an extra, untimed engine round under the profiler
            prof = cProfile.Profile()
            prof.enable()
            run_engine(engine, rt, bodies)
            prof.disable()
            clear_cases(engine)
    finally:
        if bare is not None:
            bare.close()
        engine.dispose()

    e, b = statistics.median(eng_s), statistics.median(bare_s)
    ratio = b / e
    print(f"\n== {backend.name}: {n} cases × 4 steps, {rounds} rounds (median) ==")
    print(f"  rows written by both: {check}")
    print(
        f"  engine : {n / e:8.1f} cases/s  ({4 * n / e:7.0f} transactions/s)   "
        + "  ".join(f"{s} {1000 * statistics.median(eng_steps[s]) / n:.2f} ms" for s in STEPS)
    )
    print(
        f"  bare   : {n / b:8.1f} cases/s  ({4 * n / b:7.0f} transactions/s)   "
        + "  ".join(f"{s} {1000 * statistics.median(bare_steps[s]) / n:.2f} ms" for s in STEPS)
    )
    verdict = "OK" if ratio >= TARGET else "BELOW TARGET"
    print(
        f"  statements per case (BEGIN/COMMIT included): engine {eng_statements / n:.1f}, "
        f"bare {bare_statements / n:.1f}"
    )
    print(f"  ratio engine ÷ bare = {ratio:.2f}   (target ≥ {TARGET})  {verdict}")
    print(
        f"  rounds engine s: {', '.join(f'{x:.2f}' for x in eng_s)};"
        f" bare s: {', '.join(f'{x:.2f}' for x in bare_s)}"
    )
    if prof is not None:
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(10)
        lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
        start = next(i for i, ln in enumerate(lines) if "ncalls" in ln)
        print("  engine profile (an extra round), top 10 by tottime:")
        for ln in lines[start : start + 11]:
            print("    " + ln)
    return ratio


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    ap = argparse.ArgumentParser(
        prog="python -m bench.lifecycle", description=__doc__.split("\n")[0]
    )
    ap.add_argument("-n", type=int, default=300, help="cases per run (default 300)")
    ap.add_argument("--rounds", type=int, default=3, help="engine/bare rounds (median; default 3)")
    ap.add_argument("--db", default="all", choices=["all", "sqlite", "postgresql"])
    ap.add_argument("--profile", action="store_true", help="cProfile the engine: top 10 by tottime")
    args = ap.parse_args(argv)
    print("首接 lifecycle bench: intake → accept → reply → close, one transaction per step")
    results = {}
    for make in backends(args.db):
        with make() as backend:
            if backend is None:
                continue
            results[backend.name] = bench_backend(backend, args.n, args.rounds, args.profile)
    print(
        "\nsummary: "
        + "; ".join(f"{k} engine ÷ bare = {v:.2f} (target ≥ {TARGET})" for k, v in results.items())
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
