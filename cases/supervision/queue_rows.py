"""One row of the supervisor queue: a case, where it stands, and its clocks with their escalations.

The row's level and time are the case's standing (``workflow.standing``): the level of its worst
counted clock, and that clock's time left or days overdue, as on the desk and in the briefing.
Inside the row, each clock carries its own standing and its escalations (what a supervisor
acknowledges or issues a 督办单 on: an escalation stays one clock's level).
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cases.supervision.labels import ESCALATION_STATUS_LABELS
from workflow import sla
from workflow.confidentiality import HIDDEN
from workflow.lifecycle import CATEGORY_LABELS, STATE_LABELS
from workflow.periods import LEVEL_LABELS, LEVELS
from workflow.standing import LEVEL_RANK, CaseStanding, clock_standing, counts

#: A level the clock has reached that the sweeper has not yet recorded (it runs every minute).
PENDING = "pending"
STATUS_LABELS = {**ESCALATION_STATUS_LABELS, PENDING: "待系统登记"}


def escalation_view(e: Any, acked: Mapping[int, Any], tz: Any) -> dict[str, Any]:
    """One escalation as the queue shows it inside its clock."""
    return {
        "id": e.id,
        "level": e.level,
        "level_label": LEVEL_LABELS[e.level],
        "status": e.status,
        "status_label": ESCALATION_STATUS_LABELS.get(e.status, e.status),
        "fired_at": e.fired_at.astimezone(tz).isoformat(),
        "recipients": list(e.recipients or []),
        "acknowledged": acked.get(e.id),
    }


def _in_view(status: str, escalations: Sequence[Any]) -> list[Any]:
    """A clock's escalations the view shows, the highest level first.

    ``active`` shows a clock's highest level still open or acknowledged: an acknowledged lower
    level is not superseded by the sweeper, and would be shown twice.
    """
    found = sorted(escalations, key=lambda e: -LEVEL_RANK[e.level])
    return found[:1] if status == "active" and found else found


def case_row(
    case: Any,
    clocks: Sequence[sla.Clock],
    at: CaseStanding,
    escalations: Sequence[Any],
    *,
    status: str,
    acked: Mapping[int, Any],
    notices: Mapping[int, Any],
    regions: Mapping[str, str],
    now: datetime,
    ctx: sla.Context,
    hidden: bool = False,
) -> dict[str, Any]:
    """The queue's row of one case: its standing, then each clock inside with its escalations;
    ``hidden``: an accusation seen by the accused unit's staff, its subject withheld."""
    tz = ctx.tz
    by_clock: dict[int, list[Any]] = {}
    for e in escalations:
        by_clock.setdefault(e.clock_id, []).append(e)
    entries = []
    for clock in clocks:
        mine = _in_view(status, by_clock.get(clock.id or 0, []))
        if not mine and not (counts(clock.name) and clock.active):
            continue
        # A running counted clock's standing is the case's (at most one per name is active).
        cs = (at.clock(clock.name) if clock.active else None) or clock_standing(clock, now, ctx)
        fired = clock.level
        entries.append(
            {
                **cs.row(tz),
                "status": clock.status,
                # The level reached by now is above what the sweeper has recorded, so far.
                "pending": clock.active and LEVEL_RANK[cs.level] > LEVEL_RANK[fired],
                "escalations": [escalation_view(e, acked, tz) for e in mine],
                "notice": notices.get(clock.id or 0),
                "_rank": (clock.active is False, *cs.rank),
            }
        )
    entries.sort(key=lambda e: e["_rank"])
    for e in entries:
        del e["_rank"]
    head = entries[0] if entries else None
    primary = next((e for e in entries if e["escalations"]), None)
    top = primary["escalations"][0] if primary else None
    level = at.level or _highest(entries)
    row_status = _row_status(entries)
    notice = (primary or {}).get("notice") or next(
        (e["notice"] for e in entries if e["notice"]), None
    )
    return {
        "case_no": case.case_no,
        "subject": HIDDEN if hidden else case.subject,
        "state": case.state,
        "state_label": STATE_LABELS[case.state],
        "category": case.category,
        "category_label": CATEGORY_LABELS.get(case.category, case.category),
        "region_code": case.region_code,
        "region_label": regions.get(case.region_code, case.region_code),
        "owner": {"staff_no": case.owner_staff_no, "name": case.owner_name},
        "group": case.group_name,
        **({k: v for k, v in head.items() if k not in _CLOCK_ONLY} if head else {}),
        "level": level,
        "level_label": LEVEL_LABELS.get(level or "", None),
        # The escalation a row's actions work on: the highest on the most pressing clock.
        "id": top["id"] if top else None,
        "status": row_status,
        "status_label": STATUS_LABELS[row_status],
        "acknowledged": top["acknowledged"] if top else None,
        "fired_at": top["fired_at"] if top else None,
        "notice": notice,
        "clocks": entries,
    }


#: A clock entry's own fields, which the row does not lift to its head.
_CLOCK_ONLY = frozenset({"status", "pending", "escalations", "notice", "level", "level_label"})


def _row_status(entries: Sequence[Mapping[str, Any]]) -> str:
    """open while any escalation shown waits for 签收; else acknowledged; else the latest state."""
    statuses = {e["status"] for entry in entries for e in entry["escalations"]}
    for status in ("open", "acknowledged", "superseded", "resolved"):
        if status in statuses:
            return status
    return PENDING


def _highest(entries: Sequence[Mapping[str, Any]]) -> str | None:
    """The highest level among the escalations shown (a finished case has no standing)."""
    levels = [e["level"] for entry in entries for e in entry["escalations"]]
    return max(levels, key=LEVELS.index) if levels else None
