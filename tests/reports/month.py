"""A month worked out by hand for the statistics: October's one case and November's seven, each
step at a chosen instant, and the keys and rates the contract names."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from cases.casework import actions
from cases.repeat import contacts, registration
from cases.reports import counting, stats
from cases.runtime import Runtime
from conftest import at
from tests.factories import VALID_ID, intake_body, withdrawal
from tests.web import make_web_office

NOVEMBER = counting.Period(date(2026, 11, 1), date(2026, 11, 30))
RATE_KEYS = [
    "acceptance_on_time_rate",
    "handling_on_time_rate",
    "satisfaction_rate",
    "rating_rate",
    "repeat_rate",
    "skip_level_rate",
]
CONTRACT_KEYS = [
    "intakes",
    *RATE_KEYS,
    "group_visits",
    "group_visit_people",
    "by_category",
    "by_region",
    "by_owner",
    "hotspots",
]


def _intake(
    engine: Engine,
    rt: Runtime,
    when: str,
    owner: str,
    repeat_of: str | None = None,
    handled_below: bool = True,
    **body: Any,
) -> str:
    """Register at the office (a province's, by default): a county's matter is a skip-level
    visit unless the petitioner holds the lower organ's opinion (``handled_below``)."""
    with engine.begin() as conn:
        return registration.register(
            conn,
            rt,
            body=intake_body(received_at=at(when).isoformat(), **body),
            actor_staff_no=owner,
            now=at(when),
            repeat_of=repeat_of,
            handled_below=handled_below,
        )["case_no"]


def _act(
    engine: Engine, rt: Runtime, case_no: str, action: str, when: str, who: str, **p: Any
) -> None:
    with engine.begin() as conn:
        actions.act(
            conn, rt, case_no=case_no, action=action, actor_staff_no=who, payload=p, now=at(when)
        )


def build_month(engine: Engine, rt: Runtime) -> dict[str, str]:
    """October's one case and November's seven, each step at a chosen instant (10:00 local).

    November 2026 has no public holiday: a 15-day period from 11-02 ends on 11-17.
    """
    make_web_office(engine, at("2026-09-01 09:00"))
    n: dict[str, str] = {}
    # C7, in the previous period: decided and replied in October, rated in November.
    n["c7"] = _intake(engine, rt, "2026-10-10 10:00", "A001", subject="拖欠工资")
    _act(engine, rt, n["c7"], "accept", "2026-10-12 10:00", "A001")
    _act(
        engine, rt, n["c7"], "reply", "2026-10-30 10:00", "A001", outcome="support", opinion="支持"
    )
    _act(engine, rt, n["c7"], "record_evaluation", "2026-11-02 10:00", "A001", rating="satisfied")
    # C1: accepted in time, a tracking note in time, replied in time, satisfied; a note after
    # the reply (no tracking clock runs then: not counted).
    n["c1"] = _intake(engine, rt, "2026-11-02 10:00", "A001")
    _act(engine, rt, n["c1"], "accept", "2026-11-03 10:00", "A001")
    _act(engine, rt, n["c1"], "note", "2026-11-05 10:00", "A001", text="电话回访")
    _act(
        engine, rt, n["c1"], "reply", "2026-11-20 10:00", "A001", outcome="support", opinion="支持"
    )
    _act(engine, rt, n["c1"], "record_evaluation", "2026-11-21 10:00", "A001", rating="satisfied")
    _act(engine, rt, n["c1"], "note", "2026-11-22 10:00", "A001", text="答复后回访")
    # C2: a late tracking note (due 11-09), a late acceptance (due 11-17).
    n["c2"] = _intake(engine, rt, "2026-11-02 10:00", "A001")
    _act(engine, rt, n["c2"], "note", "2026-11-12 10:00", "A001", text="迟到的跟踪")
    _act(engine, rt, n["c2"], "accept", "2026-11-25 10:00", "A001")
    # C3: a letter with a suggestion, rejected in time; registered as a repeat of C7 and
    # flagged skip-level (a letter: not a visit, so not a skip-level visit).
    n["c3"] = _intake(
        engine,
        rt,
        "2026-11-03 10:00",
        "A002",
        repeat_of=n["c7"],
        handled_below=False,
        channel="letter",
        category="suggestion",
        region_code="320104",
        subject="建议增设公交线路",
    )
    _act(engine, rt, n["c3"], "reject", "2026-11-04 10:00", "G001", reason_code="litigation")
    # C4: a group visit of three with an accusation against 某区住建局, skip-level (a county's
    # matter at the province, not handled below); transferred, the partner's acceptance recorded,
    # replied in time, dissatisfied.
    rep = {"name": "赵六", "id_number": VALID_ID, "phone": "13800138001", "address": "南京市"}
    n["c4"] = _intake(
        engine,
        rt,
        "2026-11-03 10:00",
        "A003",
        handled_below=False,
        category="accusation",
        region_code="320106",
        subject="举报违规审批",
        group_size=3,
        representatives=[rep],
        accused={"name": "李某", "unit": "某区住建局"},
    )
    _act(engine, rt, n["c4"], "transfer", "2026-11-04 10:00", "A003", organ="某市住建局")
    _act(
        engine,
        rt,
        n["c4"],
        "record_partner_acceptance",
        "2026-11-10 10:00",
        "A003",
        accepted_on="2026-11-10",
    )
    _act(
        engine, rt, n["c4"], "reply", "2026-11-20 10:00", "A003", outcome="explain", opinion="说明"
    )
    _act(
        engine, rt, n["c4"], "record_evaluation", "2026-11-22 10:00", "A003", rating="dissatisfied"
    )
    # C5: assigned in time, reported back late (report-by 11-10), basically satisfied.
    n["c5"] = _intake(engine, rt, "2026-11-05 10:00", "A001")
    _act(
        engine,
        rt,
        n["c5"],
        "assign",
        "2026-11-06 10:00",
        "A001",
        organ="玄武区",
        report_by="2026-11-10",
    )
    _act(engine, rt, n["c5"], "report_back", "2026-11-15 10:00", "A001", summary="已办结")
    _act(
        engine,
        rt,
        n["c5"],
        "record_evaluation",
        "2026-11-16 10:00",
        "A001",
        rating="basically_satisfied",
    )
    # C6: withdrawn before any decision (a withdrawal decides nothing).
    n["c6"] = _intake(engine, rt, "2026-11-06 10:00", "A001")
    _act(
        engine,
        rt,
        n["c6"],
        "withdraw",
        "2026-11-07 10:00",
        "A001",
        **withdrawal(at("2026-11-07 10:00")),
    )
    # C9: transferred, a supervisor's tracking note in time, replied before the partner's
    # acceptance was recorded and after its 15 days (11-17): late.
    n["c9"] = _intake(engine, rt, "2026-11-02 10:00", "A001")
    _act(engine, rt, n["c9"], "transfer", "2026-11-02 10:30", "A001", organ="某区人社局")
    _act(engine, rt, n["c9"], "note", "2026-11-03 10:00", "G001", text="督促转送机关")
    _act(
        engine, rt, n["c9"], "reply", "2026-11-25 10:00", "A001", outcome="support", opinion="支持"
    )
    # C1's petitioner comes back by visit about the same matter: a repeat petition recorded as a
    # contact on C1 (no new case), skip-level (no lower organ's opinion this time).
    with engine.begin() as conn:
        contacts.record_repeat(
            conn,
            rt,
            case_no=n["c1"],
            body=intake_body(received_at=at("2026-11-10 10:00").isoformat()),
            actor_staff_no="A002",
            now=at("2026-11-10 10:00"),
        )
    return n


#: When the month's statistics are read: 2026-12-01, as the web fixture's clock.
READ_AT = at("2026-12-01 10:00")


def november(engine: Engine, rt: Runtime, now: datetime = READ_AT) -> dict[str, Any]:
    """The statistics of November 2026, read at ``now``."""
    with engine.begin() as conn:
        return stats.office_stats(conn, rt, period=NOVEMBER, now=now)
