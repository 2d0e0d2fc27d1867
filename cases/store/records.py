"""A case as the services read it (with owner and masked petitioner), and its clocks as rows."""

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, update

from cases.store import fastsql, statements
from cases.store.tables import clock_t, escalation_t
from workflow import sla


def case_record(case_row: Any, **joined: Any) -> Any:
    """A case row as ``load_case`` reads it, from the case's own row as just written and read
    back (``INSERT … RETURNING``) and its owner and petitioner fields (``joined``)."""
    return statements.CASE.record(*case_row, *(joined[name] for name in statements.CASE_JOINED))


def load_case(conn: Connection, case_no: str, *, for_update: bool) -> Any:
    """The case with its owner and (masked) petitioner, locked for update on PostgreSQL."""
    stmt = statements.CASE_FOR_UPDATE if for_update else statements.CASE
    return fastsql.first(conn, stmt, {"case_no": case_no})


def clock_from_row(row: Any) -> sla.Clock:
    """A ``case_clock`` row as the rules' ``Clock``."""
    return sla.Clock(
        id=row.id,
        name=row.name,
        status=row.status,
        started_at=row.started_at,
        start_on=row.start_on,
        days=row.days,
        unit=row.unit,
        due_date=row.due_date,
        due_at=row.due_at,
        provisional=row.provisional,
        reckoning=row.reckoning,
        extra_days=row.extra_days,
        level=row.level,
        paused_on=row.paused_on,
        fixed_due=row.fixed_due,
        stopped_at=row.stopped_at,
        next_fire_at=row.next_fire_at,
    )


def load_clocks(conn: Connection, case_id: int) -> list[sla.Clock]:
    """Every clock run of a case, oldest first."""
    rows = fastsql.all_rows(conn, statements.CLOCKS, {"case_id": case_id})
    return [clock_from_row(r) for r in rows]


def clock_values(clock: sla.Clock) -> dict[str, Any]:
    """A clock's columns (all but its id and case) as a mapping."""
    return {name: getattr(clock, name) for name in statements.CLOCK_COLUMNS}


def write_clocks(
    conn: Connection,
    case_id: int,
    changed: Sequence[sla.Clock],
    started: Sequence[sla.Clock],
    *,
    before: Sequence[sla.Clock] = (),
) -> list[sla.Clock]:
    """Persist changed and new clocks; return the new ones with their ids. A changed clock found
    in ``before`` (the clocks as loaded) has only the columns that differ written."""
    loaded = {c.id: c for c in before}
    updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for clock in changed:
        old = loaded.get(clock.id)
        names = tuple(
            n
            for n in statements.CLOCK_COLUMNS
            if old is None or getattr(clock, n) != getattr(old, n)
        )
        if names:
            row = {n: getattr(clock, n) for n in names}
            updates.setdefault(names, []).append({**row, "clock_id": clock.id})
    for names, rows in updates.items():
        fastsql.executemany(conn, statements.update_clock(names), rows)
    # A stopped clock's open escalations are settled with it: nothing escalates a finished step.
    # Only a clock that has escalated has any: the sweeper writes an escalation and the clock's
    # level in one transaction, under the case's lock, and nothing sets a level back to None.
    stopped = [c.id for c in changed if not c.active and c.level is not None]
    if stopped:
        conn.execute(
            update(escalation_t)
            .where(escalation_t.c.clock_id.in_(stopped), escalation_t.c.status != "resolved")
            .values(status="resolved", resolved_at=changed[0].stopped_at)
        )
    ids = fastsql.insert_returning_ids(
        conn, clock_t, [{"case_id": case_id, **clock_values(c)} for c in started]
    )
    return [replace(clock, id=id_) for clock, id_ in zip(started, ids, strict=True)]
