"""The summary ``shoujie demo`` prints: the office, the logins, the cases by state, the ladder."""

import unicodedata
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from cases.demo.records import DEMO_PASSWORD, DemoStaff, Office
from cases.store import tables
from workflow.lifecycle import ROLE_LABELS, STATE_LABELS, State
from workflow.periods import LEVEL_LABELS

POST_LABELS = {
    "office_leader": "处领导",
    "branch_secretary": "支部书记",
    "group_leader": "党小组长",
}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """Left-align text to a display width (a Chinese character takes two columns)."""
    return text + " " * max(0, width - _width(text))


def summary(
    conn: Connection,
    office: Office,
    staff: list[DemoStaff],
    swept: Mapping[str, Any],
    *,
    now: datetime,
    tz: Any,
) -> str:
    """The Chinese summary of the loaded demo, with every login, as of ``now``."""
    case, esc = tables.case_t, tables.escalation_t
    states = Counter(
        dict(conn.execute(select(case.c.state, func.count()).group_by(case.c.state)).all())
    )
    escalations = Counter(
        dict(
            conn.execute(
                select(esc.c.level, func.count())
                .where(esc.c.status == "open")
                .group_by(esc.c.level)
            ).all()
        )
    )
    members = sum(1 for s in staff if s.party_member)
    lines = [
        f"演示数据已载入：{office.name}（省级，行政区划代码{office.region_code}），"
        f"时间截至 {now.astimezone(tz):%Y-%m-%d %H:%M}",
        f"{office.branch}：{len(office.groups)}个党小组，{members}名党员，落实首接负责制",
        *(f"  {group}（{topic}）" for group, topic in office.groups.items()),
        "",
        f"演示登录（用户名为工号，密码均为 {DEMO_PASSWORD}）：",
        "  "
        + _pad("工号", 6)
        + _pad("姓名", 8)
        + _pad("岗位", 24)
        + _pad("党内职务", 10)
        + "党小组",
    ]
    for s in staff:
        post = POST_LABELS.get(s.post or "", "党员" if s.party_member else "—")
        role = f"{ROLE_LABELS[s.role]} {s.role}"
        lines.append(
            "  "
            + _pad(s.staff_no, 6)
            + _pad(s.name, 8)
            + _pad(role, 24)
            + _pad(post, 10)
            + (s.group or "—")
        )
    lines += ["", f"信访件 {sum(states.values())} 件，按状态："]
    for state in State:
        label = _pad(STATE_LABELS[state], 10) + _pad(state.value, 21)
        lines.append(f"  {label}{states.get(state.value, 0):>3}")
    fired = swept["fired"]
    lines += [
        "",
        f"SLA 巡检一次：检查 {swept['examined']} 个到点时钟，期满办结 {swept['closed_on_lapse']} 件；"
        + "触发 "
        + "、".join(f"{LEVEL_LABELS[k]} {v}" for k, v in fired.items()),
        "督办队列（未处理）："
        + "、".join(f"{LEVEL_LABELS[k]} {escalations.get(k, 0)}" for k in LEVEL_LABELS),
    ]
    return "\n".join(lines)
