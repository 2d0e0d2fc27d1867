"""The supervisor queue (督办队列): one row per case, the highest level and the longest overdue first.

A case is in the queue while an escalation of one of its clocks is in the view's status (``active``:
open or acknowledged; the page's default), or, in the ``active`` and ``open`` views, while one of
its clocks has reached a level the sweeper has not yet recorded. Its level is its standing's
(``workflow.standing``), so the queue's count of each level agrees with the desks and the briefing.
The row is built in ``queue_rows``.

Reading only: acknowledging is in ``acks``, 督办单 in ``notices`` (and ``notice_sweep``), extension
requests in ``extensions``, 不满意 follow-ups in ``followups``. Reassigning from the queue is the
case's own ``reassign`` action, on the case ``escalation_case_no`` names.
"""

import base64
import json
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, select

from cases.casework import standing
from cases.joint.labels import name_organ, organ_of_clock
from cases.repeat.jurisdiction import region_label, region_names
from cases.runtime import Runtime
from cases.store.staff import get_actor
from cases.store.tables import case_t, clock_t, escalation_t, group_t, staff_t
from cases.supervision import acks, notices, queue_rows
from workflow import confidentiality
from workflow.errors import InvalidInput, NotFound
from workflow.lifecycle import CATEGORY_LABELS
from workflow.party_order import natural_key, sort_groups
from workflow.periods import LEVELS
from workflow.standing import COUNTED_CLOCKS, LEVEL_RANK

#: ``active`` is what still needs someone: open or acknowledged (the page's default).
QUEUE_STATUSES = ("active", "open", "acknowledged", "superseded", "resolved", "all")
#: How the rows may be sorted; each then by level and lateness.
SORTS: dict[str, str] = {
    "level": "级别",
    "overdue": "超期时间",
    "owner": "首接责任人",
    "group": "党小组",
    "clock": "期限",
    "category": "类别",
    "region": "地区",
}

#: Rows on one page of the queue: a page never ships the whole queue.
PAGE_SIZE = 100

_owner_t = staff_t.alias("owner")


def _check(status: str, sort: str, **values: str | None) -> None:
    if status not in QUEUE_STATUSES:
        raise InvalidInput(
            "escalation.bad_status",
            "状态应为 active、open、acknowledged、superseded、resolved 或 all",
            field="status",
        )
    allowed: dict[str, tuple[Collection[str], str]] = {
        "level": (LEVELS, "级别"),
        "clock": (COUNTED_CLOCKS, "期限"),
        "category": (tuple(CATEGORY_LABELS), "类别"),
        "sort": (tuple(SORTS), "排序"),
    }
    for name, value in {**values, "sort": sort}.items():
        if name in allowed and value and value not in allowed[name][0]:
            choices, label = allowed[name]
            raise InvalidInput(
                f"escalation.bad_{name}",
                f"{label}应为以下之一：{'、'.join(choices)}",
                field=name,
            )
    region = values.get("region")
    if region and not (len(region) == 6 and region.isdigit()):
        raise InvalidInput("escalation.bad_region", "地区应为6位行政区划代码", field="region")


def _in_region(code: str, region: str) -> bool:
    """Whether a case's region lies in ``region`` (320100 covers 320102; 320000 the province)."""
    prefix = region
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return code.startswith(prefix)


def _case_filters(
    stmt: Select, group: str | None, owner: str | None, category: str | None
) -> Select:
    if group:
        stmt = stmt.where(group_t.c.name == group)
    if owner:
        stmt = stmt.where(_owner_t.c.staff_no == owner)
    if category:
        stmt = stmt.where(case_t.c.category == category)
    return stmt


def _joined(stmt: Select) -> Select:
    return stmt.join(_owner_t, _owner_t.c.id == case_t.c.owner_id).outerjoin(
        group_t, group_t.c.id == _owner_t.c.group_id
    )


def queue_items(
    conn: Connection, rt: Runtime, **kwargs: Any
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The queue's first page of rows, sorted; and how many rows stand at each level
    (``queue_page``'s, without the cursor)."""
    rows, counts, _ = queue_page(conn, rt, **kwargs)
    return rows, counts


def queue_page(
    conn: Connection,
    rt: Runtime,
    *,
    now: datetime,
    status: str = "open",
    level: str | None = None,
    group: str | None = None,
    owner: str | None = None,
    clock: str | None = None,
    category: str | None = None,
    region: str | None = None,
    sort: str = "level",
    case_no: str | None = None,
    limit: int = PAGE_SIZE,
    after: str | None = None,
    viewer_staff_no: str | None = None,
) -> tuple[list[dict[str, Any]], dict[str, int], str | None]:
    """One page of the queue's rows, one per case, sorted; how many rows stand at each level;
    and the cursor of the next page (None on the last).

    Paged by keyset: ``after`` is the sort key of the previous page's last row (``cursor``), so a
    page is the ``limit`` rows after it in the order, however the queue moved in between. Every
    candidate's standing is judged (the level counts and the order need it: the level a clock
    has reached by now is not in any column), but acknowledgements, 督办单 and the rows' full
    contents are read and built for the page's rows only. The counts ignore the level filter
    (they label the level tabs). Seen by ``viewer_staff_no``, an accusation against the viewer or
    the viewer's unit shows no subject, as on the case page (条例第三十条第三款).
    """
    _check(status, sort, level=level, clock=clock, category=category, region=region)
    # The escalations by their status's index alone; the case filters apply to their cases
    # below, by primary key (a join here would let the planner read every case).
    esc_stmt = select(escalation_t).order_by(escalation_t.c.id)
    if status == "active":
        esc_stmt = esc_stmt.where(escalation_t.c.status.in_(["open", "acknowledged"]))
    elif status != "all":
        esc_stmt = esc_stmt.where(escalation_t.c.status == status)
    if case_no:
        esc_stmt = esc_stmt.where(
            escalation_t.c.case_id
            == select(case_t.c.id).where(case_t.c.case_no == case_no).scalar_subquery()
        )
    escalations = list(conn.execute(esc_stmt))
    case_ids = {e.case_id for e in escalations}
    if status in ("active", "open"):
        case_ids |= _unrecorded(conn, now, group, owner, category, case_no)
    cases = _cases(conn, case_ids, group, owner, category)
    kept = {c.id for c in cases}
    escalations = [e for e in escalations if e.case_id in kept]
    if region:
        cases = [c for c in cases if _in_region(c.region_code, region)]
    clocks = standing.clocks_by_case(conn, [c.id for c in cases])
    at = standing.standings(conn, rt, clocks, now)
    by_case: dict[int, list[Any]] = {}
    for e in escalations:
        by_case.setdefault(e.case_id, []).append(e)
    ctx = rt.ctx(conn)
    names = region_names(conn)
    labels = {c.region_code: region_label(c.region_code, names) for c in cases}
    viewer, viewer_row = get_actor(conn, viewer_staff_no) if viewer_staff_no else (None, None)
    unit = viewer_row.unit if viewer_row is not None else None

    def row(c: Any, acked: Mapping[int, Any], latest: Mapping[int, Any]) -> dict[str, Any]:
        return queue_rows.case_row(
            c,
            clocks[c.id],
            at[c.id],
            by_case.get(c.id, []),
            status=status,
            acked=acked,
            notices=latest,
            regions=labels,
            now=now,
            ctx=ctx,
            hidden=confidentiality.hidden_from(viewer, unit, c),
        )

    # First each candidate's level and place in the order (no acknowledgements or notices yet).
    ranked = [(row(c, {}, {}), c) for c in cases]
    # A case is listed for a level (or, in the history views, an escalation) it has.
    ranked = [(r, c) for r, c in ranked if r["level"]]
    if clock:
        ranked = [(r, c) for r, c in ranked if any(_lists(e, clock) for e in r["clocks"])]
    counts = dict.fromkeys(LEVELS, 0)
    for r, _ in ranked:
        counts[r["level"]] += 1
    if level:
        ranked = [(r, c) for r, c in ranked if r["level"] == level]
    keyed = sorted(((_sort_key(r, sort), c) for r, c in ranked), key=lambda kc: kc[0])
    if after:
        start = _decode(after)
        try:
            keyed = [(k, c) for k, c in keyed if list(k) > start]
        except TypeError as exc:  # a cursor of another order
            raise InvalidInput(
                "escalation.bad_after", "翻页位置无效，请从第一页开始", field="after"
            ) from exc
    page = keyed[:limit]
    more = len(keyed) > limit
    # Then the page's rows in full: their acknowledgements and latest 督办单 only.
    shown = [e for _, c in page for e in by_case.get(c.id, [])]
    acked = acks.acknowledgements(conn, [e.id for e in shown])
    latest = notices.latest_notices(conn, rt, [e.clock_id for e in shown], now)
    rows = [row(c, acked, latest) for _, c in page]
    # 联合会办: each organ's part is named by its organ.
    organs = organ_of_clock(conn, [c.id for _, c in page])
    if organs:
        ids = {c.case_no: c.id for _, c in page}
        for r in rows:
            for entry in (r, *r["clocks"]):
                name_organ(entry, organs.get((ids[r["case_no"]], entry.get("clock", ""))))
    return rows, counts, cursor(page[-1][0]) if more and page else None


def cursor(key: tuple[Any, ...]) -> str:
    """A row's sort key as the ``after`` of the next page (URL-safe text)."""
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def _decode(after: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4))
        key = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "escalation.bad_after", "翻页位置无效，请从第一页开始", field="after"
        ) from exc
    if not isinstance(key, list):
        raise InvalidInput("escalation.bad_after", "翻页位置无效，请从第一页开始", field="after")
    return key


def _lists(entry: Mapping[str, Any], clock: str) -> bool:
    """Whether a row's clock entry is the clock asked for, at a level or escalated."""
    return entry["clock"] == clock and bool(entry["level"] or entry["escalations"])


def _unrecorded(
    conn: Connection,
    now: datetime,
    group: str | None,
    owner: str | None,
    category: str | None,
    case_no: str | None,
) -> set[int]:
    """Cases with an office clock at a level the sweeper has yet to record (its indexed
    ``next_fire_at`` has come): the queue does not wait for the sweeper's next pass."""
    stmt = _joined(select(clock_t.c.case_id).join(case_t, case_t.c.id == clock_t.c.case_id)).where(
        clock_t.c.next_fire_at <= now,
        clock_t.c.status == "running",
        clock_t.c.name.in_(COUNTED_CLOCKS),
    )
    if case_no:
        stmt = stmt.where(case_t.c.case_no == case_no)
    return set(conn.execute(_case_filters(stmt, group, owner, category)).scalars())


def _cases(
    conn: Connection,
    case_ids: set[int],
    group: str | None,
    owner: str | None,
    category: str | None,
) -> list[Any]:
    if not case_ids:
        return []
    stmt = _joined(
        select(
            case_t.c.id,
            case_t.c.case_no,
            case_t.c.subject,
            case_t.c.confidential,
            case_t.c.accused_unit,
            case_t.c.accused_name,
            case_t.c.state,
            case_t.c.category,
            case_t.c.region_code,
            _owner_t.c.staff_no.label("owner_staff_no"),
            _owner_t.c.name.label("owner_name"),
            group_t.c.name.label("group_name"),
        )
    ).where(case_t.c.id.in_(sorted(case_ids)))
    return list(conn.execute(_case_filters(stmt, group, owner, category)))


def _sort_key(row: Mapping[str, Any], sort: str) -> tuple[Any, ...]:
    # The most pressing first: the highest level, then the earliest end (the longest overdue).
    pressing = (-LEVEL_RANK[row["level"]], row.get("due_at") or "", row["case_no"])
    first: dict[str, Any] = {
        "level": (),
        "overdue": (row.get("due_at") or "",),
        "owner": (row["owner"]["staff_no"],),
        "group": (natural_key(row["group"]),),
        "clock": (
            COUNTED_CLOCKS.index(row["clock"]) if row.get("clock") in COUNTED_CLOCKS else 99,
        ),
        "category": (tuple(CATEGORY_LABELS).index(row["category"]),),
        "region": (row["region_code"],),
    }
    return (*first[sort], *pressing)


def queue_count(conn: Connection, rt: Runtime, *, now: datetime) -> dict[str, int]:
    """How many cases the queue's default view (``active``) lists, per level and in all."""
    _, counts = queue_items(conn, rt, now=now, status="active", limit=0)
    return {**counts, "total": sum(counts.values())}


def group_names(conn: Connection) -> list[str]:
    """The party groups, for the queue's filter."""
    return sort_groups(conn.execute(select(group_t.c.name)).scalars())


def escalation_case_no(conn: Connection, escalation_id: int) -> str:
    """The case number an escalation is on."""
    case_no = conn.execute(
        select(case_t.c.case_no)
        .join(escalation_t, escalation_t.c.case_id == case_t.c.id)
        .where(escalation_t.c.id == escalation_id)
    ).scalar()
    if case_no is None:
        raise NotFound("escalation.not_found", f"没有编号为 {escalation_id} 的督办事项")
    return case_no


def escalation_row(
    conn: Connection, rt: Runtime, *, escalation_id: int, now: datetime
) -> dict[str, Any]:
    """The queue's row of the case this escalation is on, with every escalation it had."""
    case_no = escalation_case_no(conn, escalation_id)
    rows, _ = queue_items(conn, rt, now=now, status="all", case_no=case_no, limit=1)
    return rows[0]


def region_options(
    conn: Connection, rows: list[dict[str, Any]], chosen: str | None
) -> list[tuple[str, str]]:
    """The regions the filter offers: the office's named regions, and those of the rows shown."""
    names = region_names(conn)
    codes = set(names) | {r["region_code"] for r in rows} | ({chosen} if chosen else set())
    return [(code, region_label(code, names)) for code in sorted(codes)]
