"""Office statistics (domain.md, "Measures the office reports"), computed in the database.

Every measure is a ``GROUP BY`` over one covering index with ``COUNT`` and ``SUM(CASE …)``: no
case is loaded into Python, and only the repeat contacts (few beside the cases) are joined to their
case. A query first groups its rows by owner,
category, channel and region together (a few thousand groups at most), then those groups overall
and by each of the four (PostgreSQL: GROUPING SETS; SQLite: UNION ALL over the CTE); Python only
adds up the few rows that come back. Each period is read once: the current one, then the previous
one of equal length.

What each measure counts, for a period of local dates ``from``–``to`` (both included):

- 受理量 ``intakes``: cases received in the period; ``receptions`` adds the repeat petitions
  recorded as contacts on an earlier case (``repeat_contacts``), which are received but not
  accepted again (条例第十九条第三款).
- 按期受理率: acceptance decisions (accept · reject · transfer · assign) made in the period on or
  before the acceptance clock's due date (24:00 local) ÷ all such decisions in the period.
- 按期办结率: replies (reply · report_back) made in the period within the due date of the office
  clock they stopped (handling with any extension, partner_handling, report_back; a transferred
  case's reply before the partner's acceptance was recorded stops partner_acceptance, the only
  office clock then running) ÷ all replies in the period.
- 满意率: (满意 + 基本满意) ÷ ratings recorded in the period.
- 参评率: the cases replied in the period that the petitioner has rated ÷ the cases replied in
  the period (a cohort, so the rate stays within [0, 1]).
- 重复访率: repeat petitions (contacts on an earlier case, and new cases linked to one) ÷
  receptions; 越级访率: skip-level visits ÷ visits (new cases and repeat contacts by visit).
- 集体访: receptions with more than one person, and the number of people they brought.
- 跟踪按期率 (per staff member): the tracking notes they made in the period that stopped a
  running tracking clock on or before its due date ÷ those notes (a note made while no tracking
  clock ran, the case being with the petitioner, meets no tracking obligation and is not counted).

The step writes what is counted of it, in the same unit of work (``step_facts``, called by
``cases.actions.act``): a case is decided once and replied once, so ``decided_at`` /
``decided_on_time`` and ``replied_at`` / ``replied_on_time`` sit on the case row, each measured
against the clock the step stopped; a tracking note's timeliness sits on its event (``on_time``).
A withdrawal or the partner's recorded acceptance, which stop such clocks too, write nothing.

Case measures are attributed to the case's current owner (首接责任人), category, channel and
region (a repeat contact: the original case's owner, category and region, its own channel);
tracking notes to the staff member who made them. A rate is ``None`` when nothing was counted:
never a division by zero.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    tuple_,
    union_all,
)
from sqlalchemy import text as sql_text

from cases import text
from cases.models import Case, CaseEvent, PartyGroup, Staff
from cases.repeat import jurisdiction
from workflow import sla
from workflow.errors import InvalidInput
from workflow.lifecycle import CATEGORY_LABELS, CHANNEL_LABELS

case_t = Case.__table__
event_t = CaseEvent.__table__
staff_t = Staff.__table__
group_t = PartyGroup.__table__


# --- what is counted ------------------------------------------------------------------------------

DECISION_ACTIONS = ("accept", "reject", "transfer", "assign")
REPLY_ACTIONS = ("reply", "report_back")
#: The office clocks a reply stops, whose due date it is measured against.
REPLY_CLOCKS = ("handling", "partner_handling", "report_back", "partner_acceptance")
SATISFIED = ("satisfied", "basically_satisfied")
MAX_DAYS = 3700  # ten years and a little: longer ranges are a typo, not a question
UNGROUPED = "（未编入党小组）"
#: Measures counted per staff member only (not per category, channel or region).
STAFF_ONLY = ("tracking_notes", "tracking_notes_on_time", "tracking_on_time_rate")


#: Each measure's Chinese name, in the order the exports show them.
MEASURE_LABELS: dict[str, str] = {
    "intakes": "受理量",
    "previous_intakes": "上期受理量",
    "acceptance_decisions": "受理决定",
    "acceptance_on_time": "按期受理",
    "acceptance_on_time_rate": "按期受理率",
    "replies": "答复（办结）",
    "replies_on_time": "按期办结",
    "handling_on_time_rate": "按期办结率",
    "rated": "评价",
    "satisfied": "满意及基本满意",
    "satisfaction_rate": "满意率",
    "replies_rated": "已答复且已评价",
    "rating_rate": "参评率",
    "receptions": "登记（含重复访）",
    "repeat_contacts": "重复访（记入原件）",
    "repeat_petitions": "重复访",
    "repeat_rate": "重复访率",
    "visits": "来访",
    "skip_level_visits": "越级访",
    "skip_level_rate": "越级访率",
    "group_visits": "集体访（件）",
    "group_visit_people": "集体访（人次）",
    "tracking_notes": "跟踪记录",
    "tracking_notes_on_time": "按期跟踪",
    "tracking_on_time_rate": "跟踪按期率",
    "on_time_rate": "按期率（受理与办结）",
}


def ratio(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator``, or None when nothing was counted."""
    return numerator / denominator if denominator else None


@dataclass
class Tally:
    """The counts behind every measure, for one slice of one period."""

    intakes: int = 0
    repeat_contacts: int = 0
    repeat_petitions: int = 0
    visits: int = 0
    skip_level_visits: int = 0
    group_visits: int = 0
    group_visit_people: int = 0
    acceptance_decisions: int = 0
    acceptance_on_time: int = 0
    replies: int = 0
    replies_on_time: int = 0
    replies_rated: int = 0
    rated: int = 0
    satisfied: int = 0
    tracking_notes: int = 0
    tracking_notes_on_time: int = 0

    def add(self, **counts: int) -> None:
        """Add aggregate counts (None from an empty SUM counts as 0)."""
        for name, value in counts.items():
            setattr(self, name, getattr(self, name) + int(value or 0))

    def counts(self) -> dict[str, int]:
        """The counts alone."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def counts_of(self, names: Iterable[str]) -> dict[str, int]:
        """Some of the counts."""
        return {n: getattr(self, n) for n in names}

    def measures(self) -> dict[str, Any]:
        """The counts and the rates they give, as JSON."""
        out: dict[str, Any] = dict(self.counts())
        receptions = self.intakes + self.repeat_contacts
        out.update(
            receptions=receptions,
            acceptance_on_time_rate=ratio(self.acceptance_on_time, self.acceptance_decisions),
            handling_on_time_rate=ratio(self.replies_on_time, self.replies),
            satisfaction_rate=ratio(self.satisfied, self.rated),
            rating_rate=ratio(self.replies_rated, self.replies),
            repeat_rate=ratio(self.repeat_petitions, receptions),
            skip_level_rate=ratio(self.skip_level_visits, self.visits),
            tracking_on_time_rate=ratio(self.tracking_notes_on_time, self.tracking_notes),
            on_time_rate=ratio(
                self.acceptance_on_time + self.replies_on_time,
                self.acceptance_decisions + self.replies,
            ),
        )
        return out


@dataclass(frozen=True)
class Period:
    """A range of local dates, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of equal length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def instants(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """[00:00 local of the first day, 24:00 local of the last day) as UTC instants."""
        first = datetime.combine(self.start, time(0), tzinfo=tz).astimezone(UTC)
        after = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=tz)
        return first, after.astimezone(UTC)

    def as_json(self) -> dict[str, Any]:
        """The period as JSON."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "days": self.days}


def parse_period(start: str | date | None, end: str | date | None, *, today: date) -> Period:
    """The period ``start``–``end`` (ISO dates); missing ends default to the 90 days up to today."""

    def parse(value: str | date | None, name: str) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(
                "stats.bad_date", f"日期格式应为 YYYY-MM-DD：{value}", field=name
            ) from None

    last = parse(end, "to") or today
    first = parse(start, "from") or last - timedelta(days=89)
    if first > last:
        raise InvalidInput(
            "stats.bad_period",
            f"起始日期 {first.isoformat()} 晚于截止日期 {last.isoformat()}",
            field="from",
        )
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput("stats.period_too_long", "统计区间不能超过十年", field="from")
    return Period(first, last)


# --- the queries ----------------------------------------------------------------------------------

_DIMS = ("owner_id", "category", "channel", "region_code")
Window = tuple[datetime, datetime]
Rows = Iterator[tuple[str, Any, dict[str, int]]]


def _dims() -> list[Any]:
    return [case_t.c[d] for d in _DIMS]


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
            *(f.c[d] for d in _DIMS),
            func.count().label(count),
            *(func.sum(f.c[n]).label(n) for n in names),
        )
        .group_by(*(f.c[d] for d in _DIMS))
        .cte("slices")
    )
    names = [count, *names]
    sums = [func.sum(g.c[n]).label(n) for n in names]
    if conn.dialect.name == "postgresql":
        sets = [tuple_(), *(tuple_(g.c[d]) for d in _DIMS)]
        stmt = select(*(g.c[d] for d in _DIMS), *sums).group_by(func.grouping_sets(*sets))
        for row in conn.execute(stmt):
            m = row._mapping
            # Every dimension is NOT NULL: a NULL in a row means it was not grouped by it.
            dim = next((d for d in _DIMS if m[d] is not None), "all")
            yield dim, m.get(dim), {n: int(m[n] or 0) for n in names}
        return
    parts = [
        select(literal("all").label("dim"), literal("").label("key"), *sums),
        *(
            select(literal(d).label("dim"), cast(g.c[d], String).label("key"), *sums).group_by(
                g.c[d]
            )
            for d in _DIMS
        ),
    ]
    for row in conn.execute(union_all(*parts)):
        m = row._mapping
        if m[count] == 0 and m["dim"] == "all":
            continue  # SQLite's overall row of an empty period: nothing counted
        key = None if m["dim"] == "all" else int(m["key"]) if m["dim"] == "owner_id" else m["key"]
        yield m["dim"], key, {n: int(m[n] or 0) for n in names}


def _intakes(conn: Connection, window: Window) -> Rows:
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


def _repeat_contacts(conn: Connection, window: Window) -> Rows:
    """Repeat petitions recorded as contacts on the original case (重复访, 条例第十九条第三款).

    Each is a reception like an intake (its own channel, group and skip-level flag) and is
    attributed to the original case's owner, category and region: the first receiver stays
    responsible. The contacts are few beside the cases, and ``case_contact.at`` is indexed.
    """
    # Imported here: cases.models imports this module while cases.models_repeat may still be
    # loading (whichever of the two is imported first).
    from cases.models import CaseContact  # noqa: PLC0415

    contact_t = CaseContact.__table__
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


def _decisions(conn: Connection, window: Window) -> Rows:
    """Acceptance decisions made in the window, and how many of them in time."""
    c = case_t.c
    facts = select(*_dims(), _one_if(c.decided_on_time.is_(True), "acceptance_on_time")).where(
        c.decided_at.is_not(None), c.decided_at >= window[0], c.decided_at < window[1]
    )
    return _aggregate(conn, facts, "acceptance_decisions", ["acceptance_on_time"])


def _replies(conn: Connection, window: Window) -> Rows:
    """Replies made in the window: how many in time, how many of their cases rated since."""
    c = case_t.c
    facts = select(
        *_dims(),
        _one_if(c.replied_on_time.is_(True), "replies_on_time"),
        _one_if(c.rating.is_not(None), "replies_rated"),
    ).where(c.replied_at.is_not(None), c.replied_at >= window[0], c.replied_at < window[1])
    return _aggregate(conn, facts, "replies", ["replies_on_time", "replies_rated"])


def _ratings(conn: Connection, window: Window) -> Rows:
    c = case_t.c
    facts = select(*_dims(), _one_if(c.rating.in_(SATISFIED), "satisfied")).where(
        c.rated_at >= window[0], c.rated_at < window[1], c.rating.is_not(None)
    )
    return _aggregate(conn, facts, "rated", ["satisfied"])


def _notes(conn: Connection, window: Window) -> Rows:
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
    for staff_no, notes, on_time in rows:
        counts = {"tracking_notes": int(notes), "tracking_notes_on_time": int(on_time or 0)}
        total.add(**counts)
        if staff_no in ids:
            yield "owner_id", ids[staff_no], counts
    yield "all", None, total.counts_of(STAFF_ONLY[:2])


MEASURES = (_intakes, _repeat_contacts, _decisions, _replies, _ratings, _notes)


# --- what a step writes for the statistics ---------------------------------------------------------


@dataclass(frozen=True)
class StepFacts:
    """What the statistics will count of one step, written by the step in its own transaction."""

    #: Columns of the case row: ``decided_at``/``decided_on_time`` or ``replied_at``/``replied_on_time``.
    case: dict[str, Any]
    #: For a tracking note that stopped a running tracking clock, whether it met the due date.
    note_on_time: bool | None = None


def step_facts(action: str, stopped: Iterable[sla.Clock], at: datetime) -> StepFacts:
    """The facts of ``action`` at ``at``, from the clocks it changed (``stopped``).

    An acceptance decision stops the case's acceptance clock; a reply stops the office clock then
    running (handling with any extension, partner_handling, report_back, or partner_acceptance for
    a transferred case whose partner's acceptance was not recorded); a note stops the running
    tracking clock. "In time" is at or before that clock's due instant (24:00 local of its last
    day). A case is decided once and replied once (the state machine allows no second), so the
    case row holds them; a withdrawal or the partner's recorded acceptance, which stop such clocks
    too, are neither.
    """
    by_name = {c.name: c for c in stopped if c.stopped_at == at}
    if action in DECISION_ACTIONS:
        clock = by_name.get("acceptance")
        return StepFacts(
            {"decided_at": at, "decided_on_time": None if clock is None else at <= clock.due_at}
        )
    if action in REPLY_ACTIONS:
        clock = next((by_name[n] for n in REPLY_CLOCKS if n in by_name), None)
        return StepFacts(
            {"replied_at": at, "replied_on_time": None if clock is None else at <= clock.due_at}
        )
    if action == "note" and "tracking" in by_name:
        return StepFacts({}, at <= by_name["tracking"].due_at)
    return StepFacts({})


def _subjects(conn: Connection, window: Window, cur: datetime) -> list[tuple[str, int, int]]:
    """(subject, cases now, cases before) for every distinct subject of the two periods."""
    c = case_t.c
    now_flag = case((c.received_at >= cur, 1), else_=0)
    rows = conn.execute(
        select(c.subject, func.sum(now_flag), func.count())
        .where(c.received_at >= window[0], c.received_at < window[1])
        .group_by(c.subject)
    )
    return [(r[0], int(r[1] or 0), int(r[2]) - int(r[1] or 0)) for r in rows]


def _rising(
    current: Mapping[str, int], previous: Mapping[str, int], limit: int
) -> list[dict[str, Any]]:
    """Keys that grew from the previous period, the largest rise first."""
    out = []
    for key in set(current) | set(previous):
        now, before = current.get(key, 0), previous.get(key, 0)
        if now > before:
            out.append(
                {
                    "key": key,
                    "count": now,
                    "previous": before,
                    "change": now - before,
                    "growth": ratio(now - before, before),
                }
            )
    out.sort(key=lambda h: (-h["change"], -h["count"], h["key"]))
    return out[:limit]


def hotspots(
    subjects: Iterable[tuple[str, int, int]],
    regions_now: Mapping[str, int],
    regions_before: Mapping[str, int],
    *,
    limit: int = 10,
    names: Mapping[str, str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """研判分析: the topic words (from the subjects) and the regions rising period over period."""
    now: Counter[str] = Counter()
    before: Counter[str] = Counter()
    for subject, n_now, n_before in subjects:
        for word in text.topic_words(subject or ""):
            now[word] += n_now
            before[word] += n_before
    topics = _rising(now, before, limit)
    for t in topics:
        t["keyword"] = t["key"]
    regions = _rising(regions_now, regions_before, limit)
    for r in regions:
        r["region_code"] = r["key"]
        r["label"] = jurisdiction.region_label(r["key"], names or {})
    return {"topics": topics, "regions": regions}


# --- putting it together --------------------------------------------------------------------------


@dataclass
class _Slices:
    """Tallies by period (1 now, 0 before): overall, and by each dimension."""

    overall: dict[int, Tally] = field(default_factory=lambda: {0: Tally(), 1: Tally()})
    by: dict[str, dict[int, dict[Any, Tally]]] = field(
        default_factory=lambda: {d: {0: {}, 1: {}} for d in _DIMS}
    )

    def add(self, cur: int, dim: str, key: Any, counts: Mapping[str, int]) -> None:
        """Add one aggregate row."""
        if dim == "all":
            self.overall[cur].add(**counts)
        else:
            self.by[dim][cur].setdefault(key, Tally()).add(**counts)


def _staff(conn: Connection, ids: Iterable[int]) -> dict[int, Any]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = conn.execute(
        select(staff_t.c.id, staff_t.c.staff_no, staff_t.c.name, group_t.c.name.label("group"))
        .outerjoin(group_t, group_t.c.id == staff_t.c.group_id)
        .where(staff_t.c.id.in_(wanted))
    )
    return {r.id: r for r in rows}


def _breakdown(
    now: Mapping[Any, Tally],
    before: Mapping[Any, Tally],
    extra: Callable[[Any], Mapping[str, Any]],
    name: Callable[[Any], str] = str,
) -> dict[str, dict[str, Any]]:
    """One slice per key, most intakes first: its label, its measures, the previous intakes."""
    keys = sorted(set(now) | set(before), key=lambda k: (-now.get(k, Tally()).intakes, str(k)))
    return {
        name(k): {
            **extra(k),
            **now.get(k, Tally()).measures(),
            "previous_intakes": before.get(k, Tally()).intakes,
        }
        for k in keys
    }


def _case_breakdown(
    now: Mapping[Any, Tally], before: Mapping[Any, Tally], labels: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """A breakdown by a case's own dimension: tracking notes are counted per staff member only."""
    out = _breakdown(now, before, lambda k: {"label": labels.get(k, k)})
    for row in out.values():
        for key in STAFF_ONLY:
            del row[key]
    return out


def _change(now: Mapping[str, Any], before: Mapping[str, Any]) -> dict[str, Any]:
    """Each measure now minus before (None when either side counted nothing), as
    ``<measure>_change``: a rate's change is a difference, not a rate, and may be negative."""
    return {
        f"{key}_change": None if value is None or before.get(key) is None else value - before[key]
        for key, value in now.items()
    }


def office_stats(
    conn: Connection, *, period: Period, tz: tzinfo, hotspot_limit: int = 10
) -> dict[str, Any]:
    """The office's statistics for ``period``, beside the previous period of equal length."""
    if conn.dialect.name == "postgresql":
        # For this transaction only. The planner's cost estimates for a year's aggregates are
        # high enough to switch on JIT compilation, which costs more (~0.2 s a query) than it
        # saves; the groups and hash tables fit in memory instead of spilling to disk.
        conn.execute(sql_text("SET LOCAL jit = off"))
        conn.execute(sql_text("SET LOCAL work_mem = '64MB'"))
    previous = period.previous()
    first, after = period.instants(tz)
    window = (previous.instants(tz)[0], after)
    slices = _Slices()
    # Each period on its own: its rows are read once either way, and with no period flag among
    # the grouping keys the planner estimates the groups right (and hashes them in memory).
    for cur, span in ((1, (first, after)), (0, (window[0], first))):
        for query in MEASURES:
            for dim, key, counts in query(conn, span):
                slices.add(cur, dim, key, counts)

    names = jurisdiction.region_names(conn)
    by_owner_id = slices.by["owner_id"]
    owners = _staff(conn, [*by_owner_id[0], *by_owner_id[1]])
    by_group: dict[int, dict[str, Tally]] = {0: {}, 1: {}}
    for cur in (0, 1):
        for owner_id, tally in by_owner_id[cur].items():
            row = owners.get(owner_id)
            group = (row.group if row is not None else None) or UNGROUPED
            by_group[cur].setdefault(group, Tally()).add(**tally.counts())

    def owner_fields(owner_id: Any) -> dict[str, Any]:
        row = owners.get(owner_id)
        return {
            "label": f"{row.name}（{row.staff_no}）" if row else str(owner_id),
            "staff_no": row.staff_no if row else None,
            "name": row.name if row else None,
            "group": (row.group if row else None) or UNGROUPED,
            "cases_owned": by_owner_id[1].get(owner_id, Tally()).intakes,
        }

    by_owner = _breakdown(
        by_owner_id[1],
        by_owner_id[0],
        owner_fields,
        # Keyed by 工号, the owner's public number, not the table's surrogate key.
        name=lambda i: owners[i].staff_no if i in owners else str(i),
    )
    now = slices.overall[1].measures()
    before = slices.overall[0].measures()
    regions_now = {k: t.intakes for k, t in slices.by["region_code"][1].items()}
    regions_before = {k: t.intakes for k, t in slices.by["region_code"][0].items()}
    return {
        **period.as_json(),
        **now,
        "previous": {**previous.as_json(), **before},
        "change": _change(now, before),
        "by_category": _case_breakdown(
            slices.by["category"][1], slices.by["category"][0], CATEGORY_LABELS
        ),
        "by_channel": _case_breakdown(
            slices.by["channel"][1], slices.by["channel"][0], CHANNEL_LABELS
        ),
        "by_region": _case_breakdown(
            slices.by["region_code"][1],
            slices.by["region_code"][0],
            {code: jurisdiction.region_label(code, names) for code in names},
        ),
        "by_owner": by_owner,
        "by_group": _breakdown(by_group[1], by_group[0], lambda k: {"label": k}),
        "hotspots": hotspots(
            _subjects(conn, window, first),
            regions_now,
            regions_before,
            limit=hotspot_limit,
            names=names,
        ),
    }


__all__ = [
    "Period",
    "Tally",
    "hotspots",
    "office_stats",
    "parse_period",
    "ratio",
]
