"""The one lock order of the whole system, so that no two transactions wait for each other.

Every transaction that writes to a case takes, in this order:

1. the case row (``SELECT … FOR UPDATE``), several cases in ascending id order;
2. then that case's clocks, escalations, supervision notices and outbox rows.

Actions lock their one case first (``cases.store.records.load_case``); the sweeper, calendar loads
and the notice sweep lock every case of their batch with ``lock_cases`` before writing anything that
refers to one; acknowledging an escalation, answering a notice and deciding an extension lock the
case of that row first (``lock_case_of``). Deliveries touch only outbox and delivery rows, never a
case. SQLite has one writer at a time (``BEGIN IMMEDIATE``), so there the order holds trivially and
``lock_cases`` does nothing.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Select, select

from cases.store.tables import case_t


def lock_cases(conn: Connection, case_ids: Iterable[int]) -> list[int]:
    """Lock the given case rows in ascending id order (PostgreSQL) and return the ids that exist."""
    ids = sorted(set(case_ids))
    if not ids:
        return []
    stmt = select(case_t.c.id).where(case_t.c.id.in_(ids)).order_by(case_t.c.id)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=case_t)
    return list(conn.execute(stmt).scalars())


def lock_case_of(conn: Connection, table: Any, row_id: int) -> None:
    """Lock the case a child row (escalation, notice, extension request) belongs to, before the
    caller locks the row itself: the one lock order when the action starts from the child."""
    case_id = conn.execute(select(table.c.case_id).where(table.c.id == row_id)).scalar()
    if case_id is not None:
        lock_cases(conn, [case_id])


def lock_cases_in(conn: Connection, case_ids: Select[Any]) -> int:
    """Lock every case whose id the query ``case_ids`` yields, in ascending id order (PostgreSQL);
    for batches too large to name (a calendar load touches every open case). Returns how many."""
    stmt = select(case_t.c.id).where(case_t.c.id.in_(case_ids)).order_by(case_t.c.id)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=case_t)
    return len(conn.execute(stmt).all())
