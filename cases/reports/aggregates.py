"""The statistics' queries: each measure a ``GROUP BY`` over one covering index, in the database.

Every query sums ``CASE`` flags over the rows of one time window, with ``COUNT``: no case is loaded
into Python, and only the repeat contacts (few beside the cases) are joined to their case. A query
first groups its rows by owner, category, channel and region together (a few thousand groups at
most), then those groups overall and by each of the four (PostgreSQL: GROUPING SETS; SQLite: UNION
ALL over the CTE). Each yields rows of (dimension, key, counts) for ``cases.reports.stats`` to add
up; what each measure counts is said there.
"""

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)

from cases.models import CaseContact
from cases.reports.counting import STAFF_ONLY, Tally
from cases.store.tables import case_t, event_t, staff_t
from workflow.measures import SATISFIED

contact_t = CaseContact.__table__

#: The case's own dimensions every measure is broken down by ("all" is the overall row).
DIMS = ("owner_id", "category", "channel", "region_code")
#: [first, after) instants, UTC.
Window = tuple[datetime, datetime]
#: (first day, last day, today): a period's local days, and the day the rates are counted on.
Days = tuple[date, date, date]
#: (dimension or "all", key, counts) rows.
Rows = Iterator[tuple[str, Any, dict[str, int]]]


def _dims() -> list[Any]:
    return [case_t.c[d] for d in DIMS]


def _one_if(condition: Any, name: str) -> Any:
    return case((condition, 1), else_=0).label(name)


def _aggregate(conn: Connection, facts: Any, count: str, names: Iterable[str]) -> Rows:
    """Sum the facts overall and by each dimension alone: rows of (dimension, key, counts).

    First by every dimension together (a few thousand groups at most), then those groups by
    each dimension: PostgreSQL with GROUPING SETS in one statement, SQLite (which has none)
    with a UNION ALL over the CTE, which it materialises once. ``count`` names the rows' count.
    """
    names = list(names)
    f = facts.subquery("facts")
    g = (
        select(
            *(f.c[d] for d in DIMS),
            func.count().label(count),
            *(func.sum(f.c[n]).label(n) for n in names),
        )
        .group_by(*(f.c[d] for d in DIMS))
        .cte("slices")
    )
    names = [count, *names]
    sums = [func.sum(g.c[n]).label(n) for n in names]
    if conn.dialect.name == "postgresql":
        sets = [tuple_(), *(tuple_(g.c[d]) for d in DIMS)]
        stmt = select(*(g.c[d] for d in DIMS), *sums).group_by(func.grouping_sets(*sets))
        for row in conn.execute(stmt):
            m = row._mapping
            # Every dimension is NOT NULL: a NULL in a row means it was not grouped by it.
            dim = next((d for d in DIMS if m[d] is not None), "all")
            yield dim, m.get(dim), {n: int(m[n] or 0) for n in names}
        return
    parts = [
        select(literal("all").label("dim"), literal("").label("key"), *sums),
        *(
            select(literal(d).label("dim"), cast(g.c[d], String).label("key"), *sums).group_by(
                g.c[d]
            )
            for d in DIMS
        ),
    ]
    for row in conn.execute(union_all(*parts)):
        m = row._mapping
        if m[count] == 0 and m["dim"] == "all":
            continue  # SQLite's overall row of an empty period: nothing counted
        key = None if m["dim"] == "all" else int(m["key"]) if m["dim"] == "owner_id" else m["key"]
        yield m["dim"], key, {n: int(m[n] or 0) for n in names}


def intakes(conn: Connection, window: Window) -> Rows:
    """Cases received in the window: how many are repeats, visits, skip-level visits, groups."""
    c = case_t.c
    visit = c.channel == "visit"
    facts = select(
        *_dims(),
        _one_if(c.repeat_of_id.is_not(None), "repeat_petitions"),
        _one_if(visit, "visits"),
        _one_if(and_(visit, c.skip_level.is_(True)), "skip_level_visits"),
        _one_if(c.group_size > 1, "group_visits"),
        case((c.group_size > 1, c.group_size), else_=0).label("group_visit_people"),
    ).where(c.received_at >= window[0], c.received_at < window[1])
    names = ("repeat_petitions", "visits", "skip_level_visits", "group_visits")
    return _aggregate(conn, facts, "intakes", [*names, "group_visit_people"])


def repeat_contacts(conn: Connection, window: Window) -> Rows:
    """Repeat petitions recorded as contacts on the original case (重复访, 条例第十九条第三款).

    Each is a reception like an intake (its own channel, group and skip-level flag) and is
    attributed to the original case's owner, category and region: the first receiver stays
    responsible. The contacts are few beside the cases, and ``case_contact.at`` is indexed.
    """
    k, c = contact_t.c, case_t.c
    visit = k.channel == "visit"
    facts = (
        select(
            c.owner_id,
            c.category,
            k.channel.label("channel"),
            c.region_code,
            literal(1).label("repeat_petitions"),
            _one_if(visit, "visits"),
            _one_if(and_(visit, k.skip_level.is_(True)), "skip_level_visits"),
            _one_if(k.group_size > 1, "group_visits"),
            case((k.group_size > 1, k.group_size), else_=0).label("group_visit_people"),
        )
        .select_from(contact_t)
        .join(case_t, c.id == k.case_id)
        .where(k.kind == "repeat", k.at >= window[0], k.at < window[1])
    )
    names = ("repeat_petitions", "visits", "skip_level_visits", "group_visits")
    return _aggregate(conn, facts, "repeat_contacts", [*names, "group_visit_people"])


def decisions(conn: Connection, window: Window) -> Rows:
    """Acceptance decisions made in the window (a volume: the rate counts by due date)."""
    c = case_t.c
    facts = select(*_dims()).where(
        c.decided_at.is_not(None), c.decided_at >= window[0], c.decided_at < window[1]
    )
    return _aggregate(conn, facts, "acceptance_decisions", [])


def replies(conn: Connection, window: Window) -> Rows:
    """Replies made in the window, and how many of their cases rated since (参评率)."""
    c = case_t.c
    facts = select(*_dims(), _one_if(c.rating.is_not(None), "replies_rated")).where(
        c.replied_at.is_not(None), c.replied_at >= window[0], c.replied_at < window[1]
    )
    return _aggregate(conn, facts, "replies", ["replies_rated"])


def _owed(
    conn: Connection, days: Days, due: Any, done: Any, on_time: Any, names: tuple[str, ...]
) -> Rows:
    """The cases whose deadline (``due``, a local last day) falls in ``days``: done (``done`` set)
    or, undone, past their deadline by ``days.today``; how many done in time, how many still open.

    A case whose deadline has not yet passed and which is not yet done is owed nothing yet.
    """
    first, last, today = days
    facts = select(
        *_dims(),
        _one_if(and_(done.is_not(None), on_time.is_(True)), names[1]),
        _one_if(done.is_(None), names[2]),
    ).where(due >= first, due <= last, or_(done.is_not(None), due < today))
    return _aggregate(conn, facts, names[0], names[1:])


def acceptance_owed(conn: Connection, days: Days) -> Rows:
    """应受理件: cases whose acceptance deadline falls in the period, decided or overdue; how many
    decided in time (按期受理) and how many still undecided (超期未受理)."""
    c = case_t.c
    names = ("acceptance_owed", "acceptance_on_time", "acceptance_overdue_open")
    return _owed(conn, days, c.acceptance_due, c.decided_at, c.decided_on_time, names)


def handling_owed(conn: Connection, days: Days) -> Rows:
    """应办结件: cases whose (possibly extended) handling deadline falls in the period, replied or
    overdue; how many replied in time (按期办结) and how many still unreplied (超期未办结)."""
    c = case_t.c
    names = ("handling_owed", "replies_on_time", "handling_overdue_open")
    return _owed(conn, days, c.handling_due, c.replied_at, c.replied_on_time, names)


def ratings(conn: Connection, window: Window) -> Rows:
    """Ratings recorded in the window, and how many of them satisfied or basically satisfied."""
    c = case_t.c
    facts = select(*_dims(), _one_if(c.rating.in_(SATISFIED), "satisfied")).where(
        c.rated_at >= window[0], c.rated_at < window[1], c.rating.is_not(None)
    )
    return _aggregate(conn, facts, "rated", ["satisfied"])


def notes(conn: Connection, window: Window) -> Rows:
    """Tracking notes that stopped a running tracking clock, by the staff member who made them,
    and how many of those in time."""
    e = event_t.c
    rows = conn.execute(
        select(
            e.actor_staff_no,
            func.count(),
            func.sum(case((e.on_time.is_(True), 1), else_=0)),
        )
        .where(e.on_time.is_not(None), e.at >= window[0], e.at < window[1])
        .group_by(e.actor_staff_no)
    ).all()
    if not rows:
        return
    ids = dict(
        conn.execute(
            select(staff_t.c.staff_no, staff_t.c.id).where(
                staff_t.c.staff_no.in_([r[0] for r in rows])
            )
        ).all()
    )
    total = Tally()
    for staff_no, made, on_time in rows:
        counts = {"tracking_notes": int(made), "tracking_notes_on_time": int(on_time or 0)}
        total.add(**counts)
        if staff_no in ids:
            yield "owner_id", ids[staff_no], counts
    yield "all", None, total.counts_of(STAFF_ONLY[:2])


#: Every measure's query over a window of instants, each run once per period.
MEASURES = (intakes, repeat_contacts, decisions, replies, ratings, notes)
#: The on-time rates' queries over a period's local days, as of today.
DUE_MEASURES = (acceptance_owed, handling_owed)
