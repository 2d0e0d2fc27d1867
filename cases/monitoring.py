"""What an operator watches, read from the database: how late the sweeper is, what waits to be
delivered, what failed for good, whether the schema is at the migrations' head."""

from datetime import datetime
from functools import cache
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, func, select, text

from cases.db import alembic_config
from cases.notify.tables import delivery_t
from cases.store.tables import clock_t, outbox_t


def gauges(conn: Connection, now: datetime) -> dict[str, float]:
    """Sweep lag (now − the oldest ``next_fire_at`` already due, 0 when none is), the outbox
    backlog (messages not yet fanned out, deliveries waiting) and the deliveries failed for good."""
    oldest = conn.execute(
        select(func.min(clock_t.c.next_fire_at)).where(clock_t.c.next_fire_at <= now)
    ).scalar()
    lag = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    new = conn.execute(
        select(func.count()).select_from(outbox_t).where(outbox_t.c.status == "pending")
    ).scalar_one()
    by_status = dict(
        conn.execute(select(delivery_t.c.status, func.count()).group_by(delivery_t.c.status)).all()
    )
    return {
        "sweep_lag_seconds": lag,
        "outbox_backlog": float(new + by_status.get("pending", 0)),
        "delivery_failed": float(by_status.get("failed", 0)),
    }


def pool_in_use(engine: Engine) -> float:
    """Connections of this process's pool now lent out (0 for a pool that does not count)."""
    checked_out: Any = getattr(engine.pool, "checkedout", None)
    return float(checked_out()) if callable(checked_out) else 0.0


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def migrations_current(conn: Connection) -> bool:
    """Whether every migration is applied: the revisions the ``alembic_version`` rows name, with
    all they stand on, are every revision there is."""
    try:
        applied = tuple(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except Exception:  # noqa: BLE001  (no version table: never migrated)
        return False
    script = _script()
    try:
        covered = {r.revision for r in script.revision_map.iterate_revisions(applied, "base")}
    except Exception:  # noqa: BLE001  (a revision this code does not know: a newer database)
        return False
    return covered == {r.revision for r in script.walk_revisions()}
