"""What the statistics count of joint handling: the 联合会办 cases set up in the period, and each
organ's on-time share of the parts that fell due in it (an open part past its last day counts
against its organ the day it is late, as the office's own on-time rates do)."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select

from cases.joint.tables import organ_t
from cases.store.tables import clock_t


def joint_stats(
    conn: Connection, *, start: date, end: date, span: tuple[datetime, datetime], now: datetime
) -> dict[str, Any]:
    """The local dates ``start``–``end`` (both included), ``span`` the same as instants:
    ``{"cases": N, "by_organ": [{"organ", "owed", "on_time", "late", "open_late", "on_time_rate"}]}``."""
    first, after = span
    cases = conn.execute(
        select(func.count(func.distinct(organ_t.c.case_id))).where(
            organ_t.c.set_up_at >= first, organ_t.c.set_up_at < after
        )
    ).scalar()
    # 应报送: parts whose last day (on the part's clock, as last reckoned) falls in the period,
    # reported or already late.
    owed = and_(
        clock_t.c.due_date >= start,
        clock_t.c.due_date <= end,
        or_(organ_t.c.reported_at.is_not(None), clock_t.c.due_at <= now),
    )
    rows = conn.execute(
        select(
            organ_t.c.organ,
            func.count().label("owed"),
            func.sum(case((organ_t.c.on_time.is_(True), 1), else_=0)).label("on_time"),
            func.sum(case((organ_t.c.reported_at.is_(None), 1), else_=0)).label("open_late"),
        )
        .join(clock_t, clock_t.c.id == organ_t.c.clock_id)
        .where(owed)
        .group_by(organ_t.c.organ)
        .order_by(organ_t.c.organ)
    ).all()
    by_organ = [
        {
            "organ": r.organ,
            "owed": int(r.owed),
            "on_time": int(r.on_time or 0),
            "late": int(r.owed) - int(r.on_time or 0),
            "open_late": int(r.open_late or 0),
            "on_time_rate": round(int(r.on_time or 0) / int(r.owed), 4) if r.owed else None,
        }
        for r in rows
    ]
    return {"cases": int(cases or 0), "by_organ": by_organ}
