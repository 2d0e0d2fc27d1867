"""联合会办 as the engine does it: organs and their clocks, the reply waiting for the lead, meetings,
reports, disputes decided, the sweeper climbing the ladder for a late organ."""

from typing import Any

import pytest
from sqlalchemy import Engine, select

from cases.audit import verify
from cases.casework import actions, reading
from cases.joint import steps
from cases.models import CaseClock, Escalation
from cases.runtime import Runtime
from cases.supervision import sweeper
from conftest import at
from tests.factories import case_in_state, make_office
from workflow.errors import ActionNotAllowed, InvalidInput, PermissionDenied

NOW = at("2026-11-02 10:00")  # a Monday
SETUP = {
    "lead": {"organ": "玄武区住建局", "task": "核实补偿款发放情况", "days": 20},
    "co_organs": [
        {"organ": "玄武区财政局", "task": "核查资金拨付", "days": 10},
        {"organ": "玄武区人民政府梅园街道办事处", "task": "入户走访", "days": 5, "working": True},
    ],
}


@pytest.fixture
def office(engine: Engine) -> Engine:
    make_office(engine, NOW)
    return engine


def _joint_case(engine: Engine, rt: Runtime, state: str = "accepted") -> str:
    case_no = case_in_state(engine, rt, state, NOW)
    with engine.begin() as conn:
        steps.set_up(conn, rt, case_no=case_no, actor_staff_no="G001", payload=SETUP, now=NOW)
    return case_no


def _step(engine: Engine, rt: Runtime, fn: Any, case_no: str, who: str, now: Any, **kw: Any) -> Any:
    with engine.begin() as conn:
        return fn(conn, rt, case_no=case_no, actor_staff_no=who, now=now, **kw)


def test_setup_names_organs_with_periods_reckoned_by_the_calendar(
    office: Engine, rt: Runtime
) -> None:
    case_no = _joint_case(office, rt)
    with office.begin() as conn:
        case = reading.show(conn, rt, case_no=case_no, viewer_staff_no="G001", now=NOW)
    clocks = {c["name"]: c for c in case["clocks"] if c["status"] == "running"}
    assert clocks["joint_lead"]["due_date"] == "2026-11-23"  # 11-22 is a Sunday: moved on
    assert clocks["joint_co1"]["due_date"] == "2026-11-12"
    assert clocks["joint_co2"]["due_date"] == "2026-11-09"  # 5 working days
    assert "顺延" in clocks["joint_lead"]["reckoning"]
    assert case["owner"]["staff_no"] == "A001"  # one owner still (首接负责制)
    assert case["state"] == "accepted"
    assert "reply" not in case["allowed_actions"]


def test_reply_waits_for_the_lead_organs_report(office: Engine, rt: Runtime) -> None:
    case_no = _joint_case(office, rt)
    reply = {"outcome": "support", "opinion": "予以支持"}
    with pytest.raises(ActionNotAllowed) as refused, office.begin() as conn:
        actions.act(
            conn, rt, case_no=case_no, action="reply", actor_staff_no="A001", payload=reply, now=NOW
        )
    assert refused.value.code == "joint.lead_not_reported"
    assert "牵头单位尚未报送" in refused.value.message
    # A co-organ's report does not free the reply; the lead's does.
    _step(
        office,
        rt,
        steps.record_report,
        case_no,
        "A001",
        NOW,
        payload={"organ": "玄武区财政局", "summary": "资金已拨付"},
    )
    with pytest.raises(ActionNotAllowed), office.begin() as conn:
        actions.act(
            conn, rt, case_no=case_no, action="reply", actor_staff_no="A001", payload=reply, now=NOW
        )
    view = _step(
        office,
        rt,
        steps.record_report,
        case_no,
        "A001",
        NOW,
        payload={"organ": "玄武区 住建局", "summary": "已核实"},
    )
    assert view["lead_reported"] is True
    with office.begin() as conn:
        case = actions.act(
            conn, rt, case_no=case_no, action="reply", actor_staff_no="A001", payload=reply, now=NOW
        )
    assert case["state"] == "replied"
    with pytest.raises(ActionNotAllowed) as again, office.begin() as conn:
        steps.record_report(
            conn,
            rt,
            case_no=case_no,
            actor_staff_no="A001",
            now=NOW,
            payload={"organ": "玄武区住建局", "summary": "x"},
        )
    assert again.value.code == "joint.already_reported"
    with office.begin() as conn:
        assert verify(conn, rt.audit_key).broken is None


def test_only_a_supervisor_or_leader_sets_up_and_only_once(office: Engine, rt: Runtime) -> None:
    case_no = case_in_state(office, rt, "accepted", NOW)
    with pytest.raises(PermissionDenied), office.begin() as conn:
        steps.set_up(conn, rt, case_no=case_no, actor_staff_no="A001", payload=SETUP, now=NOW)
    with pytest.raises(InvalidInput) as bad, office.begin() as conn:
        steps.set_up(
            conn,
            rt,
            case_no=case_no,
            actor_staff_no="G001",
            payload={"lead": SETUP["lead"]},
            now=NOW,
        )
    assert bad.value.code == "joint.no_co_organ"
    with office.begin() as conn:  # nothing half stored
        assert (
            conn.execute(
                select(CaseClock.__table__.c.id).where(CaseClock.__table__.c.name == "joint_lead")
            ).first()
            is None
        )
    _step(office, rt, steps.set_up, case_no, "G001", NOW, payload=SETUP)
    with pytest.raises(ActionNotAllowed) as twice, office.begin() as conn:
        steps.set_up(conn, rt, case_no=case_no, actor_staff_no="L001", payload=SETUP, now=NOW)
    assert twice.value.code == "joint.already_set_up"


def test_a_late_organ_climbs_the_ladder(office: Engine, rt: Runtime) -> None:
    case_no = _joint_case(office, rt)
    # The co-organ's 5 working days end on 2026-11-09; 3 working days later it is 督办.
    sweeper.sweep(office, rt, now=at("2026-11-13 09:00"))
    e, c = Escalation.__table__, CaseClock.__table__
    with office.begin() as conn:
        fired = conn.execute(
            select(c.c.name, e.c.level, e.c.recipients)
            .join(c, c.c.id == e.c.clock_id)
            .order_by(e.c.id)
        ).all()
    co2 = [(level, who) for name, level, who in fired if name == "joint_co2"]
    assert [level for level, _ in co2] == ["warning", "overdue", "supervision"]
    assert co2[1][1] == ["A001", "G001"] and co2[2][1] == ["B001"]
    view = _step(
        office,
        rt,
        lambda conn, rt, **kw: steps.joint_view(
            conn, rt, case_id=reading_id(conn, case_no), case_no=case_no, now=kw["now"]
        ),
        case_no,
        "G001",
        at("2026-11-13 09:00"),
    )
    late = next(o for o in view["organs"] if o["organ"].endswith("街道办事处"))
    assert late["level"] == "supervision" and late["lateness"].startswith("超期4日")


def reading_id(conn: Any, case_no: str) -> int:
    from cases.joint.view import case_id_of

    return case_id_of(conn, case_no)


def test_meeting_record_checks_its_organs_and_date(office: Engine, rt: Runtime) -> None:
    case_no = _joint_case(office, rt)
    later = at("2026-11-04 15:00")
    meeting = {
        "held_on": "2026-11-04",
        "place": "区信访局三楼会议室",
        "attendees": [
            {"organ": "玄武区住建局", "people": "王科长"},
            {"organ": "玄武区财政局", "people": "李主任"},
        ],
        "agreed": "11月20日前发放补偿款",
        "commitments": [{"organ": "玄武区财政局", "commitment": "11月15日前拨付资金"}],
    }
    with pytest.raises(InvalidInput) as bad, office.begin() as conn:
        steps.record_meeting(
            conn,
            rt,
            case_no=case_no,
            actor_staff_no="A001",
            now=later,
            payload={**meeting, "attendees": [{"organ": "鼓楼区民政局", "people": "某人"}]},
        )
    assert bad.value.code == "joint.unknown_organ"
    with pytest.raises(InvalidInput) as future, office.begin() as conn:
        steps.record_meeting(
            conn, rt, case_no=case_no, actor_staff_no="A001", now=NOW, payload=meeting
        )
    assert future.value.code == "joint.date_in_future"
    view = _step(office, rt, steps.record_meeting, case_no, "A001", later, payload=meeting)
    assert view["meetings"][0]["commitments"] == meeting["commitments"]
    with pytest.raises(PermissionDenied), office.begin() as conn:
        steps.record_meeting(
            conn, rt, case_no=case_no, actor_staff_no="A002", now=later, payload=meeting
        )


def test_dispute_decided_by_the_supervisor_makes_the_accepting_organ_lead(
    office: Engine, rt: Runtime
) -> None:
    case_no = _joint_case(office, rt)
    dispute = {
        "organs": ["玄武区住建局", "玄武区财政局"],
        "claims": "住建局认为属资金问题，财政局认为属补偿标准问题",
    }
    view = _step(office, rt, steps.record_dispute, case_no, "A001", NOW, payload=dispute)
    dispute_id = view["disputes"][0]["id"]
    with pytest.raises(PermissionDenied), office.begin() as conn:
        steps.decide_dispute(
            conn,
            rt,
            case_no=case_no,
            actor_staff_no="A001",
            now=NOW,
            dispute_id=dispute_id,
            payload={"accepting_organ": "玄武区财政局", "reason": "资金拨付为主要诉求"},
        )
    view = _step(
        office,
        rt,
        steps.decide_dispute,
        case_no,
        "G001",
        NOW,
        dispute_id=dispute_id,
        payload={"accepting_organ": "玄武区财政局", "reason": "资金拨付为主要诉求"},
    )
    assert view["lead_organ"] == "玄武区财政局"
    assert view["disputes"][0]["accepting_organ"] == "玄武区财政局"
    lead = view["organs"][0]
    assert (lead["organ"], lead["clock"], lead["due_date"]) == (
        "玄武区财政局",
        "joint_lead",
        "2026-11-12",
    )
    # The reply now waits for the new lead: the old lead's report does not free it.
    _step(
        office,
        rt,
        steps.record_report,
        case_no,
        "A001",
        NOW,
        payload={"organ": "玄武区住建局", "summary": "已核实"},
    )
    with pytest.raises(ActionNotAllowed), office.begin() as conn:
        actions.act(
            conn,
            rt,
            case_no=case_no,
            action="reply",
            actor_staff_no="A001",
            payload={"outcome": "support", "opinion": "支持"},
            now=NOW,
        )


def test_briefing_and_closure_report_name_the_late_organ(office: Engine, rt: Runtime) -> None:
    from cases.reports.briefing import briefing
    from cases.reports.closure import case_report

    case_no = _joint_case(office, rt)
    later = at("2026-11-13 09:00")
    sweeper.sweep(office, rt, now=later)
    with office.begin() as conn:
        day = briefing(conn, rt, later)
    mine = next(o for o in day["owners"] if o["staff_no"] == "A001")
    late = next(i for i in mine["overdue"] if i["case_no"] == case_no)
    assert late["clock_label"] == "配合单位办理期限（玄武区人民政府梅园街道办事处）"
    assert late["text"].startswith("配合单位办理期限（玄武区人民政府梅园街道办事处）超期4日")
    with office.begin() as conn:
        report = case_report(conn, rt, case_no=case_no, viewer_staff_no="G001", now=later)
    assert report["joint"]["lead_organ"] == "玄武区住建局"
    assert [o["lateness"] for o in report["joint"]["organs"]][2].startswith("超期4日")
