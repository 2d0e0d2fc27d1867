"""A case as the services read it (with owner and masked petitioner), and its clocks as rows."""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, update

from cases.store import fastsql, statements
from cases.store.tables import case_t, escalation_t
from workflow import sla

_CASE_STORED = [(col.name, fastsql.storer(col)) for col in case_t.columns]


def case_record(values: Mapping[str, Any], **joined: Any) -> Any:
    """A case row as ``load_case`` reads it, from the values just written (``joined``: owner and
    petitioner); a column not given is NULL."""
    return statements.CASE.record(
        *(
            values.get(name) if store is None else store(values.get(name))
            for name, store in _CASE_STORED
        ),
        *(joined[name] for name, _ in statements.CASE_JOINED),
    )


def load_case(conn: Connection, case_no: str, *, for_update: bool) -> Any:
    """The case with its owner and (masked) petitioner, locked for update on PostgreSQL."""
    stmt = (
        statements.CASE_FOR_UPDATE
        if for_update and conn.dialect.name == "postgresql"
        else statements.CASE
    )
    return fastsql.first(conn, stmt, (case_no,))


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
    return [clock_from_row(r) for r in fastsql.all_rows(conn, statements.CLOCKS, (case_id,))]


def clock_values(clock: sla.Clock) -> dict[str, Any]:
    """A clock's columns (all but its id and case) as a mapping."""
    return {name: getattr(clock, name) for name in statements.CLOCK_COLUMNS}


def _clock_params(clock: sla.Clock) -> tuple[Any, ...]:
    """A clock's values in ``CLOCK_COLUMNS`` order."""
    return tuple(getattr(clock, name) for name in statements.CLOCK_COLUMNS)


def write_clocks(
    conn: Connection, case_id: int, changed: Sequence[sla.Clock], started: Sequence[sla.Clock]
) -> list[sla.Clock]:
    """Persist changed and new clocks; return the new ones with their ids."""
    if changed:
        fastsql.executemany(
            conn, statements.UPDATE_CLOCK, [(*_clock_params(c), c.id) for c in changed]
        )
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
    out = []
    for clock in started:
        # One statement per clock: each needs its id back, and a multi-row INSERT's RETURNING
        # order is not promised.
        row = fastsql.first(
            conn,
            statements.INSERT_CLOCK,
            statements.INSERT_CLOCK.values({"case_id": case_id, **clock_values(clock)}),
        )
        out.append(replace(clock, id=row.id))
    return out
