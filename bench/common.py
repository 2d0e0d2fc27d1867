"""What the benchmarks share: databases (a temp SQLite file, a scratch PostgreSQL database), the
runtime, a small office, valid intake bodies, and rows snapshots to prove two runs wrote the same."""

import os
import random
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, MetaData, Table, select, text
from sqlalchemy.engine import Dialect, make_url

from cases.db import make_engine, upgrade
from cases.organisation import roster
from cases.runtime import Runtime
from cases.settings import Settings
from cases.store import fastsql, statements

TZ = ZoneInfo("Asia/Shanghai")
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1/shoujie_bench"
OWNER = "B001"
# 工号 → (name, role, group, post)
BENCH_STAFF = {
    "B001": ("张敏", "receptionist", "第一党小组", None),
    "G001": ("陈刚", "supervisor", "第一党小组", "group_leader"),
    "S001": ("周红", "supervisor", "第一党小组", "branch_secretary"),
    "L001": ("吴军", "leader", None, "office_leader"),
}
#: The columns the bulk loaders write, with the ids they assign: the engine's own lists.
CASE_COLS = ["id", *statements.CASE_COLUMNS]
EVENT_COLS = ["id", *statements.EVENT_COLUMNS]
CLOCK_COLS = ["id", "case_id", *statements.CLOCK_COLUMNS]
PETITIONER_COLS = ["id", *statements.PERSON_COLUMNS]
# Tables that describe the office rather than its cases: kept between rounds, never compared.
STATIC_TABLES = {
    "alembic_version",
    "office",
    "party_branch",
    "party_group",
    "staff",
    "calendar_schedule",
}


def runtime() -> Runtime:
    """A runtime with fixed bench keys (as the test suite's ``rt`` fixture)."""
    s = Settings(
        database_url="unused",
        secret_key=b"bench-secret-key-0123456789abcdef0123456789",
        data_key=b"bench-data-key-0123456789abcdef0123456789ab",
        timezone=TZ,
        env="test",
        fixed_now=None,
    )
    return Runtime.from_settings(s)


def local(text_: str) -> datetime:
    """A Shanghai wall-clock time as an aware UTC instant."""
    return datetime.fromisoformat(text_).replace(tzinfo=TZ).astimezone(UTC)


def pg_conninfo(url: str) -> str:
    """The libpq URL of a SQLAlchemy URL (for bare psycopg)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class Backend:
    """One database under test."""

    name: str
    url: str
    path: str | None = None  # SQLite file


@contextmanager
def sqlite_backend(suffix: str = "") -> Iterator[Backend]:
    """A migrated SQLite database in a temp file (WAL, synchronous=NORMAL as cases/db.py sets);
    each call its own (``suffix`` is for PostgreSQL's names)."""
    tmp = tempfile.mkdtemp(prefix="shoujie-bench-")
    path = os.path.join(tmp, "bench.db")
    url = f"sqlite:///{path}"
    try:
        upgrade(url)
        yield Backend("SQLite", url, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def pg_backend(suffix: str = "") -> Iterator[Backend | None]:
    """A freshly created, migrated PostgreSQL database, dropped afterwards; None if unreachable.
    ``suffix`` is added to the database's name, for a bench that needs two at once."""
    import psycopg

    url = os.environ.get("SHOUJIE_BENCH_DATABASE_URL", PG_DEFAULT)
    u = make_url(url)
    dbname = (u.database or "shoujie_bench") + suffix
    u = u.set(database=dbname)
    url = u.render_as_string(hide_password=False)
    admin = pg_conninfo(u.set(database="postgres").render_as_string(hide_password=False))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            # Not WITH (FORCE): a database another session is using (another bench running
            # against the same URL) is left alone, and this bench skips PostgreSQL.
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
            conn.execute(f'CREATE DATABASE "{dbname}"')
    except psycopg.errors.ObjectInUse:
        print(
            f"PostgreSQL 数据库 {dbname} 正被其他会话使用，跳过 / database {dbname} is in use by "
            "another session, PostgreSQL skipped (set SHOUJIE_BENCH_DATABASE_URL to another name)"
        )
        yield None
        return
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"PostgreSQL 不可用，跳过 / PostgreSQL unreachable, skipped ({u.host}): {first}")
        yield None
        return
    try:
        upgrade(url)
        yield Backend("PostgreSQL", url)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            try:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
            except psycopg.errors.ObjectInUse:
                print(f"(database {dbname} still in use by another session: not dropped)")


def backends(which: str) -> list[Any]:
    """Context managers for the chosen backends ("sqlite", "postgresql" or "all")."""
    out: list[Any] = []
    if which in ("all", "sqlite"):
        out.append(sqlite_backend)
    if which in ("all", "postgresql", "pg"):
        out.append(pg_backend)
    return out


def setup_office(engine: Engine, now: datetime) -> None:
    """A group with a receptionist, its leader, the branch secretary and the office leader."""
    with engine.begin() as conn:
        roster.ensure_group(conn, branch="接访处党支部", group="第一党小组")
        for staff_no, (name, role, group, post) in BENCH_STAFF.items():
            roster.add_staff(
                conn, staff_no=staff_no, name=name, role=role, group=group, post=post, now=now
            )


def case_tables(engine: Engine) -> list[Table]:
    """Every table of the migrated database except the static ones, parents first (reflected, so
    tables added by later migrations are included)."""
    meta = MetaData()
    meta.reflect(bind=engine)
    return [t for t in meta.sorted_tables if t.name not in STATIC_TABLES]


def clear_cases(engine: Engine) -> None:
    """Delete every case and everything that hangs off it (staff and groups stay)."""
    tables = case_tables(engine)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
        else:
            # Children first; integer primary keys without AUTOINCREMENT restart at 1.
            for t in reversed(tables):
                conn.execute(t.delete())


def storing(
    table: Table, columns: Sequence[str], dialect: Dialect
) -> Callable[[Sequence[Any]], list[Any]]:
    """Rows of values for ``columns`` as their own types store them (each type's bind processor
    for the dialect, TypeDecorators included): what the bulk loaders hand to executemany or COPY."""
    processors = fastsql.bind_processors([table.c[name] for name in columns], dialect)
    slots = [(i, process) for i, process in enumerate(processors) if process is not None]

    def store(row: Sequence[Any]) -> list[Any]:
        out = list(row)
        for i, process in slots:
            out[i] = process(out[i])
        return out

    return store


def gb11643(first17: str) -> str:
    """An identity number: the 17 digits and their GB 11643 check character."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return first17 + "10X98765432"[total % 11]


REGIONS = ["320102", "320106", "320115", "320213", "320412", "320506", "320583", "321002"]


def intake_bodies(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` valid visit intake bodies with distinct petitioners."""
    rng = random.Random(seed)
    bodies = []
    for i in range(n):
        region = rng.choice(REGIONS)
        born = f"{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        bodies.append(
            {
                "channel": "visit",
                "category": "appeal",
                "petitioner": {
                    "name": f"信访人{i:05d}",
                    "id_number": gb11643(f"{region}{born}{rng.randint(100, 999)}"),
                    "phone": f"138{rng.randint(0, 99_999_999):08d}",
                    "address": "南京市玄武区中山路1号",
                },
                "region_code": region,
                "subject": "拖欠劳动报酬",
                "content": "某公司拖欠工资三个月，多次催要无果。",
                "requests": "请求督促支付",
            }
        )
    return bodies


def _volatile(column: str) -> bool:
    """Columns that differ between two correct runs: surrogate keys, random nonces and salts."""
    return (
        column == "id"
        or column.endswith("_id")
        or column.endswith("_enc")
        or column == "query_code_hash"
        # The audit chain's hashes: each event commits to its case row's digest, which covers
        # the salted 查询码 hash (cases.audit_state). Both runs' chains are checked by
        # ``audit verify`` instead, and the digests of every other table compared.
        or column in CHAIN_HASHES
    )


CHAIN_HASHES = frozenset({"hash", "prev_hash", "last_event_hash", "chain_hash", "chain_head"})


def _stable(value: Any, column: str = "") -> Any:
    """A JSON value without its encrypted fields (an outbox message carries the petitioner's
    phone as stored, whose nonce is random); an event's state digest without the case row's,
    which covers the salted 查询码 hash."""
    if column == "state_digest" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "case"}
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if not k.endswith("_enc")}
    return value


def snapshot(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every case table, without surrogate keys and random nonces, sorted."""
    out: dict[str, list[tuple[str, ...]]] = {}
    tables = case_tables(engine)
    with engine.connect() as conn:
        for t in tables:
            cols = [c for c in t.c if not _volatile(c.name)]
            rows = conn.execute(select(*cols)).all() if cols else []
            out[t.name] = sorted(
                tuple(repr(_stable(v, c.name)) for v, c in zip(r, cols, strict=True)) for r in rows
            )
    return out


def engine_for(backend: Backend) -> Engine:
    """The application's engine for the backend (cases.db.make_engine)."""
    return make_engine(backend.url)
