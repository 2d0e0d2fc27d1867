"""Office statistics (domain.md, "Measures the office reports"), computed in the database.

``office_stats`` runs each query of ``cases.reports.aggregates`` once for the period and once for
the previous one of equal length, adds up the few rows that come back, and lays them out overall,
by owner, party group, category, channel and region, with the hot topics
(``cases.reports.hotspots``), each change period over period judged good or bad
(``workflow.measures.trend``), and the cases overdue now (``cases.reports.overdue``). Each rate's
basis, in the office's words, is ``workflow.measures.MEASURES`` (the exports' 口径说明).

What is counted, for a period of local dates ``from``–``to`` (both included):

- ``intakes``: cases received in the period; ``receptions`` adds the repeat petitions recorded as
  contacts on an earlier case (``repeat_contacts``), received but not accepted again (条例第十九条).
- 按期受理率: ``acceptance_on_time`` ÷ ``acceptance_owed``. 应受理件 (``acceptance_owed``) are the
  cases whose acceptance deadline (``case.acceptance_due``, its last day) falls in the period and
  that are either decided or, undecided, past it by today (``acceptance_overdue_open``: they count
  against the rate the day after the deadline); an undecided case whose deadline is still to come
  is owed nothing yet. ``acceptance_decisions`` is the volume of decisions made in the period.
- 按期办结率: ``replies_on_time`` ÷ ``handling_owed``, the same with the deadline of the office
  clock a reply stops (``case.handling_due``: handling with any extension, the partner's
  clocks, report_back) and the reply; ``replies`` is the volume of replies made in the period.
- 满意率: (满意 + 基本满意) ÷ ratings recorded in the period; 参评率: the cases replied in the period
  that the petitioner has rated ÷ the cases replied in the period (a cohort, so within [0, 1]).
- 重复访率: repeat petitions ÷ receptions; 越级访率: skip-level visits ÷ visits.
- 跟踪按期率 (per staff member): tracking notes that stopped a running tracking clock in time ÷
  those notes.
- ``open_overdue``: the cases overdue now (not per period), as the desk, the queue and the
  briefing count them; in each owner's and group's row too, with their numbers.

The step writes what is counted of it, in the same unit of work
(``workflow.measures.step_facts``, called by ``cases.casework.actions.act`` and the intake). Case
measures are attributed to the case's current owner (首接责任人), category, channel and region (a
repeat contact: the original case's owner, category and region, its own channel); tracking notes
to the staff member who made them. A rate is ``None`` when nothing was counted.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy import text as sql_text

from cases.joint.stats import joint_stats
from cases.repeat import jurisdiction
from cases.repeat.topics import topic_counts
from cases.reports import aggregates
from cases.reports.counting import STAFF_ONLY, Period, Tally
from cases.reports.hotspots import hotspots
from cases.reports.overdue import open_overdue
from cases.runtime import Runtime
from cases.store.tables import group_t, staff_t
from workflow import measures
from workflow.calendar import local_date
from workflow.lifecycle import CATEGORY_LABELS, CHANNEL_LABELS
from workflow.party_order import natural_key

UNGROUPED = "（未编入党小组）"


@dataclass
class Slices:
    """Tallies by period (1 now, 0 before): overall, and by each dimension."""

    overall: dict[int, Tally] = field(default_factory=lambda: {0: Tally(), 1: Tally()})
    by: dict[str, dict[int, dict[Any, Tally]]] = field(
        default_factory=lambda: {d: {0: {}, 1: {}} for d in aggregates.DIMS}
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
        if not isinstance(value, list)
    }


def _trend(change: Mapping[str, Any]) -> dict[str, str | None]:
    """Each rate's change judged: "good", "bad", "flat" or None (workflow/measures.py)."""
    return {
        f"{m.key}_trend": measures.trend(m.key, change.get(f"{m.key}_change"))
        for m in measures.MEASURES
    }


def _owners_and_groups(
    conn: Connection,
    by_owner_id: dict[int, dict[Any, Tally]],
    overdue: Mapping[int, list[str]],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The breakdowns by owner (keyed by 工号) and by the owner's party group, each with the cases
    overdue now (``overdue``: case numbers by owner id)."""
    for owner_id in overdue:  # an owner with overdue cases has a row, whatever the period counted
        by_owner_id[1].setdefault(owner_id, Tally())
    owners = _staff(conn, [*by_owner_id[0], *by_owner_id[1]])
    by_group: dict[int, dict[str, Tally]] = {0: {}, 1: {}}
    for cur in (0, 1):
        for owner_id, counted in by_owner_id[cur].items():
            row = owners.get(owner_id)
            group = (row.group if row is not None else None) or UNGROUPED
            by_group[cur].setdefault(group, Tally()).add(**counted.counts())

    def owner_fields(owner_id: Any) -> dict[str, Any]:
        row = owners.get(owner_id)
        return {
            "label": f"{row.name}（{row.staff_no}）" if row else str(owner_id),
            "staff_no": row.staff_no if row else None,
            "name": row.name if row else None,
            "group": (row.group if row else None) or UNGROUPED,
            "cases_owned": by_owner_id[1].get(owner_id, Tally()).intakes,
            "open_overdue": len(overdue.get(owner_id, [])),
            "open_overdue_cases": overdue.get(owner_id, []),
        }

    by_owner = _breakdown(
        by_owner_id[1],
        by_owner_id[0],
        owner_fields,
        # Keyed by 工号, the owner's public number, not the table's surrogate key.
        name=lambda i: owners[i].staff_no if i in owners else str(i),
    )
    group_overdue: dict[str, list[str]] = {}
    for owner_id, numbers in overdue.items():
        row = owners.get(owner_id)
        group = (row.group if row is not None else None) or UNGROUPED
        group_overdue.setdefault(group, []).extend(numbers)
    by_groups = _breakdown(
        by_group[1],
        by_group[0],
        lambda k: {
            "label": k,
            "open_overdue": len(group_overdue.get(k, [])),
            "open_overdue_cases": sorted(group_overdue.get(k, [])),
        },
    )
    # The groups in the organisation's order (第一、第二、第三党小组), the ungrouped last.
    ordered = sorted(by_groups, key=lambda k: natural_key(None if k == UNGROUPED else k))
    return by_owner, {k: by_groups[k] for k in ordered}


def office_stats(
    conn: Connection, rt: Runtime, *, period: Period, now: datetime, hotspot_limit: int = 10
) -> dict[str, Any]:
    """The office's statistics for ``period``, beside the previous period of equal length, as of
    ``now`` (an open case past its deadline by today counts against the on-time rates)."""
    tz = rt.tz
    today = local_date(now, tz)
    if conn.dialect.name == "postgresql":
        # For this transaction only. The planner's cost estimates for a year's aggregates are
        # high enough to switch on JIT compilation, which costs more (~0.2 s a query) than it
        # saves; the groups and hash tables fit in memory instead of spilling to disk.
        conn.execute(sql_text("SET LOCAL jit = off"))
        conn.execute(sql_text("SET LOCAL work_mem = '64MB'"))
    previous = period.previous()
    first, after = period.instants(tz)
    window = (previous.instants(tz)[0], after)
    slices = Slices()
    # Each period on its own: its rows are read once either way, and with no period flag among
    # the grouping keys the planner estimates the groups right (and hashes them in memory).
    for cur, span in ((1, (first, after)), (0, (window[0], first))):
        for query in aggregates.MEASURES:
            for dim, key, counts in query(conn, span):
                slices.add(cur, dim, key, counts)
    for cur, days in ((1, period), (0, previous)):
        for owed in aggregates.DUE_MEASURES:
            for dim, key, counts in owed(conn, (days.start, days.end, today)):
                slices.add(cur, dim, key, counts)
    overdue = open_overdue(conn, rt, now)

    names = jurisdiction.region_names(conn)
    by_owner, by_group = _owners_and_groups(conn, slices.by["owner_id"], overdue)
    current = slices.overall[1].measures()
    before = slices.overall[0].measures()
    change = _change(current, before)
    regions_now = {k: t.intakes for k, t in slices.by["region_code"][1].items()}
    regions_before = {k: t.intakes for k, t in slices.by["region_code"][0].items()}
    return {
        **period.as_json(),
        **current,
        "as_of": now.astimezone(tz).isoformat(),
        "open_overdue": sum(len(v) for v in overdue.values()),
        "open_overdue_cases": sorted(n for v in overdue.values() for n in v),
        "previous": {**previous.as_json(), **before},
        "change": change,
        "trend": _trend(change),
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
        "by_group": by_group,
        # 联合会办: how many cases, and each organ's on-time share of its parts (条例第二十四条).
        "joint": joint_stats(
            conn, start=period.start, end=period.end, span=(first, after), now=now
        ),
        "hotspots": hotspots(
            topic_counts(conn, window, first),
            regions_now,
            regions_before,
            limit=hotspot_limit,
            names=names,
        ),
    }
