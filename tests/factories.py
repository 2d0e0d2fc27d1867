"""Builders for tests and scenarios: a small office with its party organisation, and intake bodies."""

from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from cases.casework import actions, intake
from cases.organisation import roster
from conftest import TZ

# 工号 → (name, role, group, post, unit)
OFFICE_STAFF: dict[str, tuple[str, str, str | None, str | None, str | None]] = {
    "A001": ("张敏", "receptionist", "第一党小组", None, None),
    "A002": ("李强", "receptionist", "第一党小组", None, None),
    "A003": ("赵芳", "receptionist", "第二党小组", None, None),
    "G001": ("陈刚", "supervisor", "第一党小组", "group_leader", None),
    "B001": ("周红", "supervisor", "第二党小组", "branch_secretary", None),
    "L001": ("吴军", "leader", None, "office_leader", None),
    "H001": ("孙丽", "handler", "第二党小组", None, None),
    "AD01": ("郑洁", "admin", None, None, None),
    "AU01": ("钱平", "auditor", None, None, None),
    "X001": ("马涛", "handler", None, None, "某区住建局"),
}

VALID_ID = "11010519491231002X"


def make_office(engine: Engine, now: datetime) -> None:
    """One branch with two groups, receptionists, a group leader, the secretary and the leader."""
    with engine.begin() as conn:
        roster.ensure_group(conn, branch="接访处党支部", group="第一党小组")
        roster.ensure_group(conn, branch="接访处党支部", group="第二党小组")
        for staff_no, (name, role, group, post, unit) in OFFICE_STAFF.items():
            roster.add_staff(
                conn,
                staff_no=staff_no,
                name=name,
                role=role,
                group=group,
                post=post,
                unit=unit,
                now=now,
            )


def intake_body(**overrides: Any) -> dict[str, Any]:
    """A valid visit intake body, with fields overridden."""
    body: dict[str, Any] = {
        "channel": "visit",
        "category": "appeal",
        "petitioner": {
            "name": "王建国",
            "id_number": VALID_ID,
            "phone": "13800138000",
            "address": "南京市玄武区中山路1号",
        },
        "region_code": "320102",
        "subject": "拆迁补偿款未发放",
        "content": "2025年签订拆迁协议后补偿款至今未到位。",
        "requests": "尽快发放补偿款",
    }
    body.update(overrides)
    return body


# The actions (with payloads) that bring a registered case to each state, in order.
PATHS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "registered": [],
    "accepted": [("accept", {})],
    "transferred": [("transfer", {"organ": "南京市住房保障和房产局"})],
    "assigned": [("assign", {"organ": "玄武区人民政府", "report_by": "2026-12-31"})],
    "rejected": [("reject", {"reason_code": "litigation"})],
    "withdrawn": [("withdraw", {"reason": "问题已自行解决", "request": {"how": "书面"}})],
    "replied": [("accept", {}), ("reply", {"outcome": "support", "opinion": "予以支持"})],
    "closed": [
        ("accept", {}),
        ("reply", {"outcome": "explain", "opinion": "解释说明"}),
        # Before the review window lapses: with the petitioner's waiver, dated when it is driven.
        ("close", {"waiver": {"how": "书面"}}),
    ],
    "under_review": [
        ("accept", {}),
        ("reply", {"outcome": "not_support", "opinion": "不予支持"}),
        ("request_review", {}),
    ],
    "review_replied": [
        ("accept", {}),
        ("reply", {"outcome": "not_support", "opinion": "不予支持"}),
        ("request_review", {}),
        ("reply_review", {"opinion": "维持原处理意见"}),
    ],
    "under_reexamination": [
        ("accept", {}),
        ("reply", {"outcome": "not_support", "opinion": "不予支持"}),
        ("request_review", {}),
        ("reply_review", {"opinion": "维持原处理意见"}),
        ("request_reexamination", {}),
    ],
    "concluded": [
        ("accept", {}),
        ("reply", {"outcome": "not_support", "opinion": "不予支持"}),
        ("request_review", {}),
        ("reply_review", {"opinion": "维持原处理意见"}),
        ("request_reexamination", {}),
        ("reply_reexamination", {"opinion": "复核维持，终结"}),
    ],
}

# A valid payload for every action, for tests that try each action.
PAYLOADS: dict[str, dict[str, Any]] = {
    "accept": {},
    "reject": {"reason_code": "arbitration"},
    "transfer": {"organ": "南京市人力资源和社会保障局"},
    "assign": {"organ": "鼓楼区人民政府", "report_by": "2026-12-31"},
    "record_partner_acceptance": {"accepted_on": "2026-11-02"},
    "report_back": {"summary": "已协调发放"},
    "extend": {"days": 15, "reason": "需要实地调查"},
    "reply": {"outcome": "support", "opinion": "予以支持"},
    "request_review": {},
    "reply_review": {"opinion": "维持"},
    "request_reexamination": {},
    "start_hearing": {},
    "end_hearing": {},
    "reply_reexamination": {"opinion": "终结"},
    "close": {"waiver": {"date": "2026-11-05", "how": "书面"}},
    "withdraw": {"reason": "问题已自行解决", "request": {"date": "2026-11-05", "how": "书面"}},
    "reassign": {"to_staff_no": "A002", "reason": "原责任人休假", "reason_code": "leave"},
    "note": {"text": "电话回访信访人"},
    "record_evaluation": {"rating": "satisfied"},
}


def case_in_state(
    engine: Engine, rt: Any, state: str, now: datetime, *, owner: str = "A001"
) -> str:
    """Register a case as ``owner`` and drive it to ``state`` by its supervisor; return its number."""
    with engine.begin() as conn:
        case_no = intake.intake(conn, rt, body=intake_body(), actor_staff_no=owner, now=now)[
            "case_no"
        ]
    drive(engine, rt, case_no, state, now)
    return case_no


def waiver_on(now: datetime, how: str = "书面") -> dict[str, str]:
    """The petitioner's waiver of review, given on the local day of ``now`` (条例第三十五条)."""
    return {"date": now.astimezone(TZ).date().isoformat(), "how": how}


def withdrawal(now: datetime, how: str = "书面") -> dict[str, Any]:
    """撤回's payload: the petitioner's request on the local day of ``now``, and its words."""
    return {"request": waiver_on(now, how), "reason": "问题已自行解决，申请撤回"}


def drive(engine: Engine, rt: Any, case_no: str, state: str, now: datetime) -> None:
    """Take a registered case to ``state`` as its supervisor (G001) would, each step at ``now``."""
    for action, payload in PATHS[state]:
        if action == "close":
            payload = {"waiver": waiver_on(now, **payload["waiver"])}
        elif action == "withdraw":
            payload = {**payload, "request": waiver_on(now, **payload["request"])}
        with engine.begin() as conn:
            actions.act(
                conn,
                rt,
                case_no=case_no,
                action=action,
                actor_staff_no="G001",
                payload=payload,
                now=now,
            )
