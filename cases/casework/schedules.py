"""Loading an official year schedule (放假安排): every open deadline it touches is recomputed, and
each change is recorded on its case."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from cases.models import CalendarSchedule
from cases.runtime import Runtime
from cases.store.chain import system_event
from cases.store.locking import lock_cases_in
from cases.store.records import clock_from_row, clock_values
from cases.store.tables import case_t, clock_t
from workflow import measures, sla
from workflow.calendar import YearSchedule


def load_calendar(
    conn: Connection, rt: Runtime, *, schedule: YearSchedule, now: datetime
) -> list[dict[str, Any]]:
    """Store an official year schedule and recompute every open deadline; record each change."""
    ct = CalendarSchedule.__table__
    data = {
        "year": schedule.year,
        "holidays": {d.isoformat(): n for d, n in sorted(schedule.holidays.items())},
        "workdays": sorted(d.isoformat() for d in schedule.workdays),
    }
    conn.execute(ct.delete().where(ct.c.year == schedule.year))
    conn.execute(insert(ct), {"year": schedule.year, "data": data, "loaded_at": now})
    rt.invalidate_calendar()
    ctx = rt.ctx(conn)
    changes = []
    # Every active clock: its due date, and the working days its ladder counts, may change. Their
    # cases are locked first, in id order (cases.store.locking), then the clocks.
    active = clock_t.c.status.in_(["running", "paused"])
    lock_cases_in(conn, select(clock_t.c.case_id).where(active))
    rows = conn.execute(
        select(clock_t, case_t.c.case_no)
        .join(case_t, case_t.c.id == clock_t.c.case_id)
        .where(active)
        .order_by(clock_t.c.case_id, clock_t.c.id)
    ).all()
    for row in rows:
        old = clock_from_row(row)
        new = sla.recompute(old, ctx)
        if new == old:
            continue
        conn.execute(update(clock_t).where(clock_t.c.id == old.id).values(**clock_values(new)))
        dues = measures.due_dates("recompute", [new]) if new.due_date != old.due_date else {}
        if dues:  # the on-time rates count the case by its new last day
            conn.execute(update(case_t).where(case_t.c.id == row.case_id).values(**dues))
        if (new.due_date, new.provisional, new.reckoning) == (
            old.due_date,
            old.provisional,
            old.reckoning,
        ):
            continue  # only the ladder's timing moved: derived data, no change to tell the case
        change = {
            "clock": old.name,
            "old_due_date": old.due_date.isoformat(),
            "new_due_date": new.due_date.isoformat(),
            "old_provisional": old.provisional,
            "provisional": new.provisional,
            "why": f"载入{schedule.year}年官方放假安排，重新计算期限",
            "reckoning": new.reckoning,
        }
        system_event(
            conn, rt, case_no=row.case_no, action="deadline_changed", payload=change, now=now
        )
        changes.append({"case_no": row.case_no, **change})
    return changes
