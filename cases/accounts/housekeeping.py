"""Housekeeping of the account tables, run beside each sweep: sessions and tokens that ended a
month ago, and guess counters idle for a day, are deleted so neither table grows with every
sign-in. It takes the real time (sessions' time), never a sweep's SLA "now", which a training
office moves ahead."""

from datetime import datetime

from sqlalchemy import Engine

from cases.accounts import sessions, throttle
from cases.store.retry import retrying


def prune(engine: Engine, now: datetime) -> dict[str, int]:
    """Delete long-ended sessions and idle throttle counters; return how many of each."""

    def once() -> dict[str, int]:
        with engine.begin() as conn:
            return {
                "sessions": sessions.prune(conn, now=now),
                "throttle": throttle.prune(conn, now=now),
            }

    return retrying(once, what="prune")
