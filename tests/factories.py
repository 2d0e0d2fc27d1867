"""Builders for tests and scenarios: a small office with its party organisation, and intake bodies."""

from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from cases import service

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
        service.ensure_group(conn, branch="接访处党支部", group="第一党小组")
        service.ensure_group(conn, branch="接访处党支部", group="第二党小组")
        for staff_no, (name, role, group, post, unit) in OFFICE_STAFF.items():
            service.add_staff(
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
