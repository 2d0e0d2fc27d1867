"""The daily briefing (每日例会): per owner and per branch, what is due today, what is overdue, what
came in since yesterday and which ratings arrived.

``briefing`` computes it for the pages; ``run_briefing`` writes it to the outbox once a day at the
configured hour (``SHOUJIE_BRIEFING_HOUR``, default 8), one message per owner and one per branch
leader, so the delivery worker e-mails it. A ``briefing_run`` row per day makes the background task
produce it once; the dedup keys make a forced rerun (``shoujie briefing --now``) send nothing twice.
"""

import os
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, or_, select

from cases.casework import standing
from cases.joint.labels import name_organ, organ_of_clock
from cases.models import BriefingRun
from cases.models.reports import ACTIVE_CLOCK
from cases.notify.admin import dead_letter_count
from cases.runtime import Runtime
from cases.store import outbox, upsert
from cases.store.tables import branch_t, case_t, clock_t, group_t, staff_t
from workflow import lifecycle
from workflow.calendar import local_date
from workflow.lifecycle import RATINGS
from workflow.standing import COUNTED_CLOCKS, OVERDUE_LEVELS, CaseStanding, ClockStanding

run_t = BriefingRun.__table__

#: Lines of each list an e-mail carries (the page shows them all).
MAIL_LINES = 20


def briefing_hour() -> int:
    """The local hour the briefing is produced (``SHOUJIE_BRIEFING_HOUR``, default 8)."""
    try:
        hour = int(os.environ.get("SHOUJIE_BRIEFING_HOUR", "8"))
    except ValueError:
        return 8
    return min(max(hour, 0), 23)


def _empty() -> dict[str, list[dict[str, Any]]]:
    return {"due_today": [], "overdue": [], "new": [], "ratings": []}


def _deadlines(
    conn: Connection, rt: Runtime, now: datetime
) -> list[tuple[int, str, dict[str, Any]]]:
    """Each owner's overdue cases and cases due today, by ``workflow.standing`` as on the desk.

    A case is overdue when it stands at 超期 or above (its worst counted clock, the tracking clock
    included and named); it is due today when one of its counted clocks ends at 24:00 today. A case
    may be both: overdue on one clock, due today on another.
    """
    today = local_date(now, rt.tz)
    # Only a clock whose last day has come, or already fired 超期, can make a case overdue or due today.
    # The cases first from the active clocks' partial index (ix_case_clock_active), then their
    # rows by primary key: the case table is never walked, however large the office.
    ids = conn.execute(
        select(clock_t.c.case_id)
        .distinct()
        .where(
            ACTIVE_CLOCK,  # the partial index's own condition (SQLite needs it verbatim)
            clock_t.c.name.in_(COUNTED_CLOCKS),
            or_(clock_t.c.due_date <= today, clock_t.c.level.in_(sorted(OVERDUE_LEVELS))),
        )
    ).scalars()
    found = conn.execute(
        select(
            case_t.c.id,
            case_t.c.case_no,
            case_t.c.subject,
            case_t.c.confidential,
            case_t.c.owner_id,
        )
        .where(case_t.c.id.in_(sorted(ids)))
        .order_by(case_t.c.case_no)
    ).all()
    at = standing.standings(conn, rt, standing.clocks_by_case(conn, [r.id for r in found]), now)
    out: list[tuple[int, str, dict[str, Any]]] = []
    organs = organ_of_clock(conn, [r.id for r in found])  # 联合会办: each part by its organ
    for r in found:
        case = at[r.id]
        head = {"case_no": r.case_no, "subject": r.subject, "confidential": r.confidential}
        if case.overdue and case.worst is not None:
            item = _deadline_item(head, case.worst, case, rt.tz)
            name_organ(item, organs.get((r.id, case.worst.name)))
            out.append((r.owner_id, "overdue", item))
        for clock in case.clocks:
            if clock.due_today:
                item = _deadline_item(head, clock, case, rt.tz)
                name_organ(item, organs.get((r.id, clock.name)))
                out.append((r.owner_id, "due_today", item))
                break
    # The longest overdue first; due today, the nearest end first.
    out.sort(key=lambda o: (-o[2]["days_late"], o[2]["due_at"], o[2]["case_no"]))
    return out


def _deadline_item(
    head: dict[str, Any], clock: ClockStanding, case: CaseStanding, tz: Any
) -> dict[str, Any]:
    """A briefing line: the case, the clock that puts it on the list, and its other clocks at a level."""
    return {
        **head,
        **clock.row(tz),
        "days_late": clock.overdue_days,
        "also": [c.text for c in case.clocks if c.level and c.name != clock.name],
    }


def briefing(conn: Connection, rt: Runtime, now: datetime) -> dict[str, Any]:
    """The briefing as of ``now``: per owner and per branch, each with four lists."""
    tz = rt.tz
    today = local_date(now, tz)
    since = datetime.combine(today - timedelta(days=1), time(0), tzinfo=tz)
    people = {
        r.id: r
        for r in conn.execute(
            select(
                staff_t.c.id,
                staff_t.c.staff_no,
                staff_t.c.name,
                group_t.c.name.label("group_name"),
                branch_t.c.id.label("branch_id"),
                branch_t.c.name.label("branch_name"),
            )
            .outerjoin(group_t, group_t.c.id == staff_t.c.group_id)
            .outerjoin(branch_t, branch_t.c.id == group_t.c.branch_id)
        )
    }
    by_owner: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(_empty)

    for owner_id, key, item in _deadlines(conn, rt, now):
        by_owner[owner_id][key].append(item)
    for r in conn.execute(
        select(
            case_t.c.case_no,
            case_t.c.subject,
            case_t.c.confidential,
            case_t.c.owner_id,
            case_t.c.received_at,
        )
        .where(case_t.c.received_at >= since, case_t.c.received_at <= now)
        .order_by(case_t.c.received_at)
    ):
        by_owner[r.owner_id]["new"].append(
            {
                "case_no": r.case_no,
                "subject": r.subject,
                "confidential": r.confidential,
                "received_at": r.received_at.astimezone(tz).isoformat(),
            }
        )
    for r in conn.execute(
        select(
            case_t.c.case_no,
            case_t.c.subject,
            case_t.c.confidential,
            case_t.c.owner_id,
            case_t.c.rating,
            case_t.c.rated_at,
        )
        .where(case_t.c.rated_at >= since, case_t.c.rated_at <= now)
        .order_by(case_t.c.rated_at)
    ):
        by_owner[r.owner_id]["ratings"].append(
            {
                "case_no": r.case_no,
                "subject": r.subject,
                "confidential": r.confidential,
                "rating": r.rating,
                "rating_label": RATINGS.get(r.rating or "", r.rating),
            }
        )

    owners = []
    branches: dict[int | None, dict[str, Any]] = {}
    for staff_id, lists in by_owner.items():
        person = people.get(staff_id)
        if person is None:
            continue
        entry = {
            "staff_no": person.staff_no,
            "name": person.name,
            "group": person.group_name,
            **lists,
            "counts": {k: len(v) for k, v in lists.items()},
        }
        owners.append(entry)
        branch = branches.setdefault(
            person.branch_id,
            {
                "branch_id": person.branch_id,
                "name": person.branch_name or "（未编入党支部）",
                "owners": [],
                **_empty(),
            },
        )
        branch["owners"].append(entry)
        for key in ("due_today", "overdue", "new", "ratings"):
            branch[key] += [
                {**i, "owner": f"{person.name}（{person.staff_no}）"} for i in lists[key]
            ]
    owners.sort(key=lambda o: o["staff_no"])
    out_branches = sorted(branches.values(), key=lambda b: b["name"])
    for b in out_branches:
        b["counts"] = {k: len(b[k]) for k in ("due_today", "overdue", "new", "ratings")}
        b["owners"].sort(key=lambda o: o["staff_no"])
    return {
        "day": today.isoformat(),
        "since": since.isoformat(),
        "at": now.astimezone(tz).isoformat(),
        "owners": owners,
        "branches": out_branches,
        # Notifications that failed for good and wait on the admins' list: nobody heard of them.
        "failed_deliveries": dead_letter_count(conn),
    }


def _lines(items: list[dict[str, Any]], kind: str) -> list[str]:
    out = []
    for i in items[:MAIL_LINES]:
        who = f"（{i['owner']}）" if "owner" in i else ""
        # Mail leaves the system: an accusation's subject stays inside it (条例第三十条第三款).
        subject = "（检举控告事项）" if i.get("confidential") else i["subject"]
        head = f"{i['case_no']} {subject}"
        if kind in ("due_today", "overdue"):
            also = "".join(f"；{t}" for t in i.get("also", []))
            out.append(f"{head} · {i['text']}（届满{i['due_date']}）{also}{who}")
        elif kind == "ratings":
            out.append(f"{head} · {i['rating_label']}{who}")
        else:
            out.append(f"{head}{who}")
    if len(items) > MAIL_LINES:
        out.append(f"……另有{len(items) - MAIL_LINES}件")
    return out


def _message(
    title: str, day: str, entry: dict[str, Any], failed_deliveries: int = 0
) -> dict[str, Any]:
    return {
        "day": day,
        "title": title,
        "counts": entry["counts"],
        "failed_deliveries": failed_deliveries,
        **{k: _lines(entry[k], k) for k in ("due_today", "overdue", "new", "ratings")},
    }


def _branch_readers(conn: Connection, branch_id: int | None) -> list[str]:
    """Who reads a branch's briefing: its secretary and the office leader."""
    readers = []
    if branch_id is not None:
        readers += conn.execute(
            select(staff_t.c.staff_no)
            .join(group_t, group_t.c.id == staff_t.c.group_id)
            .where(
                group_t.c.branch_id == branch_id,
                staff_t.c.post == "branch_secretary",
                staff_t.c.active.is_(True),
            )
        ).scalars()
    readers += conn.execute(
        select(staff_t.c.staff_no).where(
            staff_t.c.post == "office_leader", staff_t.c.active.is_(True)
        )
    ).scalars()
    return list(dict.fromkeys(readers))


def run_briefing(
    engine: Engine, rt: Runtime, now: datetime, *, force: bool = False
) -> dict[str, Any]:
    """Write today's briefing to the outbox: at the configured hour once, or now when forced."""
    tz = rt.tz
    today: date = local_date(now, tz)
    if not force and now.astimezone(tz).hour < briefing_hour():
        return {"day": today.isoformat(), "ran": False, "why": "not_yet", "messages": 0}
    with engine.begin() as conn:
        first = (
            upsert.insert_ignore(conn, run_t, {"day": today, "ran_at": now, "details": {}}, ["day"])
            == 1
        )
        if not first and not force:
            return {"day": today.isoformat(), "ran": False, "why": "done", "messages": 0}
        data = briefing(conn, rt, now)
        day = data["day"]
        written = 0
        for owner in data["owners"]:
            written += outbox.notify(
                conn,
                dedup_key=f"briefing:{day}:owner:{owner['staff_no']}",
                topic="briefing",
                recipient=owner["staff_no"],
                case_no=None,
                payload=_message(f"{owner['name']}：", day, owner),
                now=now,
            )
        for branch in data["branches"]:
            for reader in _branch_readers(conn, branch["branch_id"]):
                written += outbox.notify(
                    conn,
                    dedup_key=f"briefing:{day}:branch:{branch['branch_id']}:{reader}",
                    topic="briefing",
                    recipient=reader,
                    case_no=None,
                    payload=_message(f"{branch['name']}：", day, branch, data["failed_deliveries"]),
                    now=now,
                )
        if data["failed_deliveries"]:
            written += _dead_letter_lines(conn, day, data["failed_deliveries"], now)
        summary = {
            "owners": len(data["owners"]),
            "branches": len(data["branches"]),
            "messages": written,
        }
        conn.execute(run_t.update().where(run_t.c.day == today).values(details=summary))
    return {"day": day, "ran": True, **summary}


def _dead_letter_lines(conn: Connection, day: str, count: int, now: datetime) -> int:
    """The admins' line of the briefing: how many notifications failed for good and wait on them."""
    admins = conn.execute(
        select(staff_t.c.staff_no).where(staff_t.c.role == "admin", staff_t.c.active.is_(True))
    ).scalars()
    return sum(
        outbox.notify(
            conn,
            dedup_key=f"briefing:{day}:deliveries:{admin}",
            topic="briefing",
            recipient=admin,
            case_no=None,
            payload={"day": day, "deliveries_only": True, "failed_deliveries": count},
            now=now,
        )
        for admin in list(admins)
    )


def briefing_for(
    conn: Connection, rt: Runtime, *, staff_no: str, role: str, now: datetime
) -> dict[str, Any]:
    """The page's view: my own briefing, and the branches' for those who lead or read them."""
    data = briefing(conn, rt, now)
    mine = next((o for o in data["owners"] if o["staff_no"] == staff_no), None)
    sees_branches = role in ("supervisor", "leader", "auditor")
    return {
        "day": data["day"],
        "since": data["since"],
        "at": data["at"],
        "hour": briefing_hour(),
        "mine": mine,
        "branches": data["branches"] if sees_branches else [],
        "failed_deliveries": data["failed_deliveries"] if role in ("admin", "leader") else 0,
        "role_label": lifecycle.ROLE_LABELS.get(role, role),
    }
