"""Cases' standing read from the database: their clocks in one query, judged by ``workflow.standing``."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from cases.runtime import Runtime
from cases.store import records
from cases.store.tables import clock_t
from workflow import sla
from workflow.standing import CaseStanding, case_standing


def clocks_by_case(conn: Connection, case_ids: Sequence[int]) -> dict[int, list[sla.Clock]]:
    """Every clock of these cases, oldest first, by case id."""
    out: dict[int, list[sla.Clock]] = {i: [] for i in case_ids}
    if case_ids:
        # By ix_case_clock_case_id; ordered here, so no plan walks the clock table's primary key.
        rows = sorted(
            conn.execute(select(clock_t).where(clock_t.c.case_id.in_(list(case_ids)))),
            key=lambda r: r.id,
        )
        for row in rows:
            out[row.case_id].append(records.clock_from_row(row))
    return out


def standings(
    conn: Connection,
    rt: Runtime,
    clocks: dict[int, list[sla.Clock]],
    now: datetime,
) -> dict[int, CaseStanding]:
    """Each case's standing at ``now``, from its clocks (``clocks_by_case``)."""
    ctx = rt.ctx(conn)
    return {case_id: case_standing(found, now, ctx) for case_id, found in clocks.items()}


def summary(at: CaseStanding, tz: Any) -> dict[str, Any] | None:
    """A case's standing as a row shows it: its worst clock's line, and every counted clock's."""
    if at.worst is None:
        return None
    return {**at.worst.row(tz), "clocks": [c.row(tz) for c in at.clocks]}
