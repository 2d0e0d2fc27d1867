"""Transactions that lose a race with another one are tried again: the one place that decides
which database errors are transient, and how often and how long to wait before trying again.

A deadlock (PostgreSQL SQLSTATE 40P01) or a serialization failure (40001) rolls the whole
transaction back, so running the unit of work again from the start is safe; SQLite says
"database is locked" when its busy timeout ran out. Errors that mean the database is down, full or
too slow (connection lost, ``too many clients``, a statement or lock timeout, the pool empty) are
not retried here: the caller answers 503 and the client tries again later (``api/errors.py``).
"""

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger("shoujie")

T = TypeVar("T")

#: Tries of one unit of work before the error reaches the caller.
ATTEMPTS = 5
#: Upper bound of the first wait, in seconds; doubled at each try, with full jitter.
BASE_DELAY = 0.02

#: Deadlock detected, serialization failure.
RETRY_SQLSTATES = frozenset({"40P01", "40001"})
#: Connection failures (class 08), shutting down / starting up (57P01-57P03), too many
#: connections (53300), statement or lock timeout (57014 query_canceled, 55P03 lock_not_available).
UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300", "57014", "55P03"})
SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


#: What a user is told when the database cannot serve now (HTTP 503, the CLI's one line).
UNAVAILABLE_MESSAGE = "数据库暂时不可用或繁忙，请稍后重试"


def one_line(exc: BaseException) -> str:
    """A database error in one short line: the driver's first line, never the statement."""
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    return first[:200]


def sqlstate(exc: BaseException) -> str | None:
    """The PostgreSQL SQLSTATE of a driver error, if it carries one."""
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def is_retryable(exc: BaseException) -> bool:
    """Whether running the whole transaction again may succeed now (deadlock, serialization
    failure, SQLite busy)."""
    if not isinstance(exc, DBAPIError):
        return False
    if sqlstate(exc) in RETRY_SQLSTATES:
        return True
    return any(text in str(exc.orig).lower() for text in SQLITE_BUSY)


def is_unavailable(exc: BaseException) -> bool:
    """Whether the error means the database cannot serve now: down, unreachable, out of
    connections, too slow, or still contended after every retry. The client should retry later."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated or is_retryable(exc):
        return True
    state = sqlstate(exc) or ""
    if state in UNAVAILABLE_SQLSTATES or state.startswith("08"):
        return True
    # psycopg raises OperationalError without a SQLSTATE when it cannot connect at all.
    orig = type(exc.orig)
    return orig.__module__.startswith("psycopg") and orig.__name__ == "OperationalError"


def pause(attempt: int, base: float = BASE_DELAY) -> float:
    """The wait before try ``attempt + 1``: random in [0, base * 2**attempt) (full jitter)."""
    return random.uniform(0, base * 2**attempt)  # noqa: S311  (jitter, not secrecy)


def retrying(call: Callable[[], T], *, attempts: int = ATTEMPTS, what: str = "transaction") -> T:
    """Run ``call`` (one whole transaction) again while it fails on a transient conflict."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except DBAPIError as exc:
            if attempt == attempts or not is_retryable(exc):
                raise
            log.warning("%s: %s (try %d of %d)", what, sqlstate(exc) or "busy", attempt, attempts)
            time.sleep(pause(attempt))
    raise AssertionError("unreachable")


def in_transaction(
    engine: Engine,
    work: Callable[[Connection], T],
    *,
    attempts: int = ATTEMPTS,
    what: str = "transaction",
) -> T:
    """Run ``work`` in one transaction on ``engine``, retried from the start on a deadlock,
    a serialization failure or a busy SQLite database."""

    def once() -> T:
        with engine.begin() as conn:
            return work(conn)

    return retrying(once, attempts=attempts, what=what)
