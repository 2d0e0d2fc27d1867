"""Throttling of guesses, counted in the database so every worker and server shares the count.

Sign-in failures are counted per (account, client) and per client, /track failures per (case,
client) and per client. Past a few free failures each further one makes the key wait longer
(progressive delay, doubling up to a cap); a success clears the (account, client) count. Nothing
locks an account itself: someone guessing from one address never keeps its owner out from another.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from cases.models import Throttle

throttle_t = Throttle.__table__


@dataclass(frozen=True)
class Rule:
    """How many failures are free, the first delay after them, its cap, and when they are forgotten."""

    free: int
    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(minutes=15)
    window: timedelta = timedelta(hours=1)

    def delay(self, failures: int) -> timedelta:
        """The wait after this many failures in a row (none while they are free)."""
        if failures <= self.free:
            return timedelta(0)
        return min(self.cap, self.base * (2 ** min(failures - self.free - 1, 20)))


#: Per (account or case, client): a few typos are free, then the waits grow.
PER_SUBJECT = Rule(free=4)
#: Per client address: many accounts tried from one place.
PER_CLIENT = Rule(free=30)


def key(*parts: str) -> str:
    """The stored key of a counter: a digest, so the table holds no addresses or 工号 in clear."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def wait(conn: Connection, keys: list[str], *, now: datetime) -> float:
    """Seconds until every one of these keys may try again (0: now)."""
    rows = conn.execute(
        select(throttle_t.c.blocked_until).where(
            throttle_t.c.key.in_(keys), throttle_t.c.blocked_until > now
        )
    ).all()
    return max([(r.blocked_until - now).total_seconds() for r in rows] or [0.0])


def fail(conn: Connection, counter: str, rule: Rule, *, now: datetime) -> float:
    """Count one failure of ``counter``; return the seconds it must now wait (0: none)."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stale = throttle_t.c.last_failure_at < now - rule.window
    stmt = (
        insert(throttle_t)
        .values(key=counter, failures=1, last_failure_at=now, blocked_until=None)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "failures": case((stale, 1), else_=throttle_t.c.failures + 1),
                "last_failure_at": now,
            },
        )
        .returning(throttle_t.c.failures)
    )
    failures = conn.execute(stmt).scalar_one()
    delay = rule.delay(failures)
    if delay:
        conn.execute(
            update(throttle_t).where(throttle_t.c.key == counter).values(blocked_until=now + delay)
        )
    return delay.total_seconds()


def clear(conn: Connection, counter: str) -> None:
    """Forget a counter's failures (the right password, the right 查询码)."""
    conn.execute(delete(throttle_t).where(throttle_t.c.key == counter))


def prune(conn: Connection, *, now: datetime, older_than: timedelta = timedelta(days=1)) -> int:
    """Drop counters idle for a day and no longer waiting; return how many."""
    return conn.execute(
        delete(throttle_t).where(
            throttle_t.c.last_failure_at < now - older_than,
            (throttle_t.c.blocked_until.is_(None)) | (throttle_t.c.blocked_until < now),
        )
    ).rowcount
