"""One truth on every screen (issue 12): in the demo office at a fixed instant, case by case, every
owner's desk, the supervisor queue (rows and counts per level), the daily briefing, the case JSON
and the statistics (per owner, party group and office) say the same cases are overdue or due soon, at the same level, by the same number of days.

The demo once showed a receptionist's desk 「已超期 0」 while the queue listed her 2026-000023
「超期 37日」 on its tracking clock, and six cases twice among 23 queue rows.
"""

import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from sqlalchemy import Engine, select, update

from cases.casework import desk
from cases.demo.loader import load_demo
from cases.reports.briefing import briefing
from cases.reports.counting import parse_period
from cases.reports.stats import UNGROUPED, office_stats
from cases.runtime import Runtime
from cases.store import tables
from tests.web import bearer, client, make_app, password_hash, sign_in
from workflow.calendar import local_date
from workflow.periods import LEVELS
from workflow.standing import LEVEL_RANK, OVERDUE_LEVELS

#: A Friday morning, as tests/demo/test_loader.py loads the demo.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)
OWNING_ROLES = ("receptionist", "supervisor", "leader")


def _office(engine: Engine, rt: Runtime) -> tuple[FastAPI, dict[str, str]]:
    """The demo office loaded at NOW, every login on the tests' password; staff by 工号 → role."""
    load_demo(engine, rt, now=NOW)
    with engine.begin() as conn:
        conn.execute(update(tables.staff_t).values(password_hash=password_hash()))
        staff = dict(conn.execute(select(tables.staff_t.c.staff_no, tables.staff_t.c.role)).all())
    return make_app(engine, rt, NOW), staff


def _worst(case: dict[str, Any]) -> dict[str, Any] | None:
    """The case JSON's most pressing counted clock, by the rule written in workflow.standing."""
    counted = [k for k in case["clocks"] if k["counted"] and k["status"] in ("running", "paused")]
    counted.sort(key=lambda k: (-LEVEL_RANK[k["level"]], k["due_at"]))
    return counted[0] if counted else None


def _line(clock: dict[str, Any]) -> tuple[Any, ...]:
    """What every screen must agree on for a case: its clock, level and days overdue."""
    return (
        clock["clock"] if "clock" in clock else clock["name"],
        clock["level"],
        clock["overdue_days"],
    )


def test_desk_queue_briefing_and_case_json_agree_case_by_case(engine: Engine, rt: Runtime) -> None:
    app, staff = _office(engine, rt)
    c = client(app)
    owners = [no for no, role in staff.items() if role in OWNING_ROLES]

    # --- the desks ---------------------------------------------------------------------------
    desks: dict[str, dict[str, Any]] = {}
    with engine.begin() as conn:
        for no in owners:
            desks[no] = desk.desk(conn, rt, staff_no=no, role=staff[no], now=NOW)
        day = briefing(conn, rt, NOW)
    on_desk = {
        i["case"]["case_no"]: (no, i["standing"])
        for no in owners
        for i in desks[no]["open"]
        if i["standing"] is not None
    }

    # --- the queue: one row per case -----------------------------------------------------------
    head = bearer(app, "JF02")
    rows = c.get("/api/v1/escalations", params={"status": "active"}, headers=head).json()
    numbers = [r["case_no"] for r in rows]
    assert len(numbers) == len(set(numbers)), "a case twice in the queue"
    counts = c.get("/api/v1/escalations/counts", headers=head).json()
    per_level = Counter(r["level"] for r in rows)
    assert counts == {**{level: per_level[level] for level in LEVELS}, "total": len(rows)}
    # ``open`` (contract.md's address) answers the same rows, less those whose every escalation
    # shown is acknowledged.
    opened = c.get("/api/v1/escalations", params={"status": "open"}, headers=head).json()
    assert [r["case_no"] for r in opened] == [
        r["case_no"] for r in rows if r["status"] != "acknowledged"
    ]
    queued = {r["case_no"]: r for r in rows}

    # --- the case JSON ---------------------------------------------------------------------------
    cases = {
        no: c.get(f"/api/v1/cases/{no}", headers=head).json() for no in set(on_desk) | set(queued)
    }

    # Every case at a level on a desk is in the queue at that level, and the other way round.
    at_level = {no for no, (_, s) in on_desk.items() if s["level"]}
    assert at_level == set(queued)
    for no, (owner, s) in on_desk.items():
        worst = _worst(cases[no])
        assert worst is not None, no
        assert _line(s) == _line(worst), no
        assert s["remaining_text"] == worst["remaining_text"], no
        if no in queued:
            row = queued[no]
            assert row["owner"]["staff_no"] == owner, no
            assert _line(row) == _line(s), no
            assert row["remaining_text"] == s["remaining_text"], no

    # Each owner's desk counters, its lists, the queue's rows and the briefing name the same cases.
    briefed = {o["staff_no"]: o for o in day["owners"]}
    for no in owners:
        d = desks[no]
        overdue = {i["case"]["case_no"] for i in d["overdue"]}
        due_soon = {i["case"]["case_no"] for i in d["due_soon"]}
        assert d["counts"]["overdue"] == len(overdue) and d["counts"]["due_soon"] == len(due_soon)
        mine = {n: r for n, r in queued.items() if r["owner"]["staff_no"] == no}
        assert overdue == {n for n, r in mine.items() if r["level"] in OVERDUE_LEVELS}, no
        assert due_soon == {n for n, r in mine.items() if r["level"] == "warning"}, no
        b = briefed.get(no, {"overdue": [], "due_today": []})
        assert {i["case_no"] for i in b["overdue"]} == overdue, no
        for i in b["overdue"]:
            assert _line(i) == _line(on_desk[i["case_no"]][1]), i["case_no"]
            assert i["days_late"] == i["overdue_days"]
        # Due today: a counted clock of the case ends at 24:00 today, as its JSON says.
        due_today = {
            n
            for n, case in cases.items()
            if case["owner"]["staff_no"] == no
            and any(k["counted"] and k["remaining_days"] == 0 for k in case["clocks"])
        }
        assert {i["case_no"] for i in b["due_today"]} == due_today, no
        assert due_today <= overdue | due_soon

    # The office in all: the queue's counts per level are the desks' and the briefing's.
    levels = Counter(s["level"] for _, s in on_desk.values() if s["level"])
    assert {level: counts[level] for level in LEVELS} == {level: levels[level] for level in LEVELS}
    assert sum(len(o["overdue"]) for o in day["owners"]) == sum(
        counts[level] for level in OVERDUE_LEVELS
    )
    assert sum(b["counts"]["overdue"] for b in day["branches"]) == sum(
        counts[level] for level in OVERDUE_LEVELS
    )

    # The demo's story: JF03's 2026-000023 is overdue on its tracking clock on every screen.
    owner, s = on_desk["2026-000023"]
    assert (owner, s["clock"], s["level"]) == ("JF03", "tracking", "overdue")
    assert desks["JF03"]["counts"]["overdue"] >= 1

    # The statistics (as of the same instant) count the same cases overdue now: per owner, per
    # party group and for the office, case by case.
    with engine.begin() as conn:
        figures = office_stats(
            conn, rt, period=parse_period(None, None, today=local_date(NOW, rt.tz)), now=NOW
        )
        groups = dict(
            conn.execute(
                select(tables.staff_t.c.staff_no, tables.group_t.c.name).outerjoin(
                    tables.group_t, tables.group_t.c.id == tables.staff_t.c.group_id
                )
            ).all()
        )
    overdue_on_desks = {no: {i["case"]["case_no"] for i in desks[no]["overdue"]} for no in owners}
    queued_overdue = {n for n, r in queued.items() if r["level"] in OVERDUE_LEVELS}
    assert set(figures["open_overdue_cases"]) == queued_overdue
    assert figures["open_overdue"] == sum(levels[level] for level in OVERDUE_LEVELS)
    by_owner = figures["by_owner"]
    for no in owners:
        counted = by_owner.get(no, {"open_overdue": 0, "open_overdue_cases": []})
        assert set(counted["open_overdue_cases"]) == overdue_on_desks[no], no
        assert counted["open_overdue"] == desks[no]["counts"]["overdue"], no
        b = briefed.get(no, {"overdue": []})
        assert {i["case_no"] for i in b["overdue"]} == set(counted["open_overdue_cases"]), no
    per_group: dict[str, set[str]] = {}
    for no in owners:
        group = groups.get(no) or UNGROUPED
        per_group.setdefault(group, set()).update(overdue_on_desks[no])
    for group, numbers in per_group.items():
        row = figures["by_group"].get(group, {"open_overdue_cases": []})
        assert set(row["open_overdue_cases"]) == numbers, group
    # The demo's story: the owner of 2026-000023 has it among their overdue cases in the figures.
    assert "2026-000023" in by_owner["JF03"]["open_overdue_cases"]


def test_the_pages_show_the_same_numbers(engine: Engine, rt: Runtime) -> None:
    app, staff = _office(engine, rt)
    with engine.begin() as conn:
        desks = {
            no: desk.desk(conn, rt, staff_no=no, role=role, now=NOW)["counts"]
            for no, role in staff.items()
            if role in OWNING_ROLES
        }
    for no, n in desks.items():
        c = client(app)
        sign_in(c, no)
        page = c.get("/").text
        shown = re.search(r'href="#overdue"><span class="stat-num">(\d+)<', page)
        assert shown and int(shown.group(1)) == n["overdue"], no
        shown = re.search(r'href="#due-soon"><span class="stat-num">(\d+)<', page)
        assert shown and int(shown.group(1)) == n["due_soon"], no
    c = client(app)
    sign_in(c, "JF02")
    head = bearer(app, "JF02")
    counts = c.get("/api/v1/escalations/counts", headers=head).json()
    page = c.get("/queue").text
    for level in LEVELS:
        assert f'data-level="{level}">{counts[level]}<' in page, level
    assert f'data-level="all">{counts["total"]}<' in page
    assert page.count('<tr class="row-') == counts["total"]
    # The supervisor's desk links to the queue with the same number of cases.
    assert f'href="/escalations"><span class="stat-num">{counts["total"]}<' in c.get("/").text
