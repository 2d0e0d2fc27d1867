"""联合会办: several organs handle one key matter together (《信访工作条例》第二十四条).

A supervisor or leader names one lead organ (牵头单位) and co-organs (配合单位), each with its task
and a period reckoned by the official calendar; each organ's part is a clock on the case, so the
sweeper climbs the office's ladder for it like for any other clock. The case keeps its one owner
(首接负责制) and its one reply, which waits for the lead organ's report (the guard on ``reply`` in
``workflow/lifecycle.py``). A dispute over who accepts the matter is decided by the common superior:
here the supervisor, whose decision names the accepting organ, which then leads.

Pure rules: what each step asks for and how it is checked. No database, no clock of its own.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from workflow import sla
from workflow.calendar import local_date
from workflow.confidentiality import ARTICLE as CONFIDENTIAL_ARTICLE
from workflow.confidentiality import names_unit, normalised
from workflow.errors import ActionNotAllowed, InvalidInput, PermissionDenied
from workflow.periods import JOINT_CO_CLOCKS, JOINT_LEAD_CLOCK

ARTICLE = "《信访工作条例》第二十四条"
#: States in which the office still works the matter and may convene the organs.
SETUP_STATES = frozenset({"registered", "accepted", "transferred", "assigned"})
#: States in which meetings, reports and disputes may still be recorded (the case is not ended).
OPEN_STATES = frozenset(
    {"registered", "accepted", "transferred", "assigned", "replied", "under_review"}
)
#: Who convenes the organs and decides a dispute (the common superior's decision, Art. 24).
DECIDING_ROLES = frozenset({"supervisor", "leader"})
#: Who records a meeting, an organ's report or a dispute: these, and the case's owner.
RECORDING_ROLES = frozenset({"supervisor", "leader"})
ROLE_LABELS = {"lead": "牵头单位", "co": "配合单位"}
MAX_CO_ORGANS = len(JOINT_CO_CLOCKS)
MAX_DAYS = 60  # no organ's part outlasts the 60-day handling period (第三十四条)
MAX_TEXT = 1000


@dataclass(frozen=True)
class OrganPart:
    """One organ's part: its role, its task and its period (days, or working days)."""

    role: str  # lead · co
    organ: str
    task: str
    days: int
    working: bool
    clock_name: str


def is_joint_clock(name: str) -> bool:
    """Whether a clock is an organ's part of a joint handling."""
    return name == JOINT_LEAD_CLOCK or name in JOINT_CO_CLOCKS


def _text(payload: Mapping[str, Any], key: str, label: str, field: str, *, limit: int) -> str:
    value = payload.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("joint.field_required", f"请填写{label}", field=field)
    value = value.replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if not value:
        raise InvalidInput("joint.field_required", f"请填写{label}", field=field)
    if len(value) > limit:
        raise InvalidInput("joint.field_too_long", f"{label}不能超过{limit}字", field=field)
    return value


def _part(raw: Any, role: str, clock_name: str, field: str) -> OrganPart:
    if not isinstance(raw, Mapping):
        raise InvalidInput("joint.field_required", f"请填写{ROLE_LABELS[role]}", field=field)
    organ = _text(raw, "organ", f"{ROLE_LABELS[role]}名称", f"{field}.organ", limit=100)
    task = _text(raw, "task", f"{ROLE_LABELS[role]}「{organ}」的任务", f"{field}.task", limit=500)
    days = raw.get("days")
    if isinstance(days, str) and days.strip().isdigit():
        days = int(days.strip())
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput(
            "joint.bad_days",
            f"{ROLE_LABELS[role]}「{organ}」的办理期限应为1至{MAX_DAYS}日",
            field=f"{field}.days",
        )
    working = raw.get("working", False)
    if isinstance(working, str):
        working = working.strip().lower() in ("1", "true", "on", "yes")
    return OrganPart(role, organ, task, days, bool(working), clock_name)


def validate_setup(payload: Mapping[str, Any], record: Any) -> list[OrganPart]:
    """The organs a joint handling names, checked: one lead, 1–8 co-organs, all different.

    ``record`` carries ``confidential`` and ``accused_unit``: an accusation is never handled by the
    unit it accuses (条例第三十条第三款).
    """
    parts = [_part(payload.get("lead"), "lead", JOINT_LEAD_CLOCK, "lead")]
    co = payload.get("co_organs")
    co = [c for c in co if c] if isinstance(co, list) else []
    if not co:
        raise InvalidInput(
            "joint.no_co_organ",
            "联合会办至少需要一个配合单位（涉及两个以上机关的事项）",
            field="co_organs",
        )
    if len(co) > MAX_CO_ORGANS:
        raise InvalidInput(
            "joint.too_many_organs", f"配合单位至多{MAX_CO_ORGANS}个", field="co_organs"
        )
    for i, raw in enumerate(co):
        parts.append(_part(raw, "co", JOINT_CO_CLOCKS[i], f"co_organs.{i}"))
    seen: set[str] = set()
    for part in parts:
        key = normalised(part.organ)
        if key in seen:
            raise InvalidInput(
                "joint.duplicate_organ", f"「{part.organ}」重复列出", field="co_organs"
            )
        seen.add(key)
        if record.confidential and names_unit(part.organ, record.accused_unit):
            raise InvalidInput(
                "joint.accused_unit",
                f"该检举控告事项反映的是「{record.accused_unit}」，不得由被检举控告的单位"
                f"「{part.organ}」参加会办（{CONFIDENTIAL_ARTICLE}）",
                field="co_organs" if part.role == "co" else "lead",
            )
    return parts


def part_clock(part: OrganPart, at: datetime, ctx: sla.Context) -> sla.Clock:
    """The clock of one organ's part: its period from today, reckoned by the official calendar."""
    on = local_date(at, ctx.tz)
    clock = sla.Clock(
        name=part.clock_name,
        status="running",
        started_at=at,
        start_on=on,
        days=part.days,
        unit="working" if part.working else "calendar",
        due_date=on,
        due_at=at,
        provisional=False,
        reckoning="",
    )
    return sla.recompute(clock, ctx)


def check_setup(state: str, already_joint: bool, actor_role: str) -> None:
    """Refuse a setup by the wrong role, in an ended case, or a second time."""
    if actor_role not in DECIDING_ROLES:
        raise PermissionDenied(
            "permission.denied", "只有督办或领导可以设立联合会办", action="joint_setup"
        )
    if already_joint:
        raise ActionNotAllowed("joint.already_set_up", "该信访事项已经设立联合会办")
    if state not in SETUP_STATES:
        raise ActionNotAllowed(
            "joint.not_open", "信访事项已答复或已结束，不能再设立联合会办", state=state
        )


def check_recording(
    state: str, actor_role: str, actor_no: str, owner_no: str, *, is_joint: bool
) -> None:
    """Refuse a meeting record, a report or a dispute by a stranger, or on a case not joint."""
    if actor_role not in RECORDING_ROLES and not (
        actor_role == "receptionist" and actor_no == owner_no
    ):
        raise PermissionDenied(
            "permission.denied", "只有首接责任人或督办、领导可以登记联合会办情况", action="joint"
        )
    if not is_joint:
        raise ActionNotAllowed("joint.not_joint", "该信访事项未设立联合会办")
    if state not in OPEN_STATES:
        raise ActionNotAllowed("joint.not_open", "信访事项已经结束，不能再登记", state=state)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _day(value: Any, label: str, field: str) -> date:
    try:
        return date.fromisoformat(str(value).strip())
    except (ValueError, TypeError):
        raise InvalidInput(
            "joint.bad_date", f"{label}应为日期（如2026-11-30）", field=field
        ) from None


def organ_named(value: Any, organs: Sequence[str], field: str) -> str:
    """One of the joint handling's organs, as the user wrote it (spaces and punctuation aside)."""
    wanted = normalised(str(value or ""))
    for organ in organs:
        if normalised(organ) == wanted and wanted:
            return organ
    raise InvalidInput(
        "joint.unknown_organ",
        f"「{value or ''}」不是本事项的会办单位（{'、'.join(organs)}）",
        field=field,
    )


def validate_meeting(
    payload: Mapping[str, Any], organs: Sequence[str], *, today: date, set_up_on: date
) -> dict[str, Any]:
    """A meeting record (会办记录): date, place, attendees by organ, what was agreed, commitments."""
    held_on = _day(payload.get("held_on"), "会办日期", "held_on")
    if held_on > today:
        raise InvalidInput("joint.date_in_future", "会办日期不能晚于今天", field="held_on")
    if held_on < set_up_on:
        raise InvalidInput(
            "joint.date_before_setup",
            f"会办日期不能早于设立联合会办之日（{set_up_on.isoformat()}）",
            field="held_on",
        )
    place = _text(payload, "place", "会办地点", "place", limit=200)
    agreed = _text(payload, "agreed", "议定事项", "agreed", limit=MAX_TEXT)
    attendees: list[dict[str, str]] = []
    for i, raw in enumerate(_list(payload.get("attendees"))):
        if not isinstance(raw, Mapping) or not str(raw.get("people") or "").strip():
            continue
        organ = organ_named(raw.get("organ"), organs, f"attendees.{i}.organ")
        people = _text(raw, "people", f"「{organ}」的参会人员", f"attendees.{i}.people", limit=200)
        attendees.append({"organ": organ, "people": people})
    if not attendees:
        raise InvalidInput("joint.no_attendees", "请填写参会单位及参会人员", field="attendees")
    commitments: list[dict[str, str]] = []
    for i, raw in enumerate(_list(payload.get("commitments"))):
        if not isinstance(raw, Mapping) or not str(raw.get("commitment") or "").strip():
            continue
        organ = organ_named(raw.get("organ"), organs, f"commitments.{i}.organ")
        text = _text(
            raw, "commitment", f"「{organ}」的承诺", f"commitments.{i}.commitment", limit=500
        )
        commitments.append({"organ": organ, "commitment": text})
    return {
        "held_on": held_on,
        "place": place,
        "attendees": attendees,
        "agreed": agreed,
        "commitments": commitments,
    }


def validate_report(payload: Mapping[str, Any], organs: Sequence[str]) -> dict[str, str]:
    """An organ's report of its part (办理结果): which organ, and what it reports."""
    organ = organ_named(payload.get("organ"), organs, "organ")
    summary = _text(payload, "summary", "办理结果", "summary", limit=MAX_TEXT)
    return {"organ": organ, "summary": summary}


def validate_dispute(payload: Mapping[str, Any], organs: Sequence[str]) -> dict[str, Any]:
    """A dispute over who accepts the matter: at least two of the organs, and what each claims."""
    named = payload.get("organs")
    if isinstance(named, str):
        named = [n for n in named.replace("，", ",").replace("、", ",").split(",") if n.strip()]
    named = _list(named)
    disputing = list(dict.fromkeys(organ_named(n, organs, "organs") for n in named))
    if len(disputing) < 2:
        raise InvalidInput(
            "joint.dispute_needs_two", "受理争议至少涉及两个会办单位", field="organs"
        )
    claims = _text(payload, "claims", "争议情况（各单位意见）", "claims", limit=MAX_TEXT)
    return {"organs": disputing, "claims": claims}


def validate_decision(payload: Mapping[str, Any], disputing: Sequence[str]) -> dict[str, str]:
    """The common superior's decision: the accepting organ (one of the disputing), and why."""
    organ = organ_named(payload.get("accepting_organ"), disputing, "accepting_organ")
    reason = _text(payload, "reason", "决定理由", "reason", limit=MAX_TEXT)
    return {"accepting_organ": organ, "reason": reason}


def check_deciding(actor_role: str) -> None:
    """Only a supervisor or leader decides a dispute (the common superior, Art. 24)."""
    if actor_role not in DECIDING_ROLES:
        raise PermissionDenied(
            "permission.denied",
            f"受理争议由共同的上一级机关决定（{ARTICLE}），只有督办或领导可以作出决定",
            action="joint_decide",
        )


def part_on_time(due_at: datetime, reported_at: datetime | None, now: datetime) -> bool | None:
    """Whether an organ's part met its due time: None while it is still inside its period.

    An open part past its due time counts against the organ the moment it is late, like the
    office's own rates (domain.md, "Measures").
    """
    if reported_at is not None:
        return reported_at <= due_at
    return False if now >= due_at else None


def setup_text(parts: Sequence[OrganPart], due: Mapping[str, date]) -> str:
    """The setup as the timeline says it: each organ, its role and its last day."""
    return "；".join(
        f"{ROLE_LABELS[p.role]}{p.organ}（{p.task}，{due[p.clock_name].isoformat()}前报送）"
        for p in parts
    )


def meeting_text(meeting: Mapping[str, Any]) -> str:
    """A meeting as the timeline says it."""
    who = "、".join(a["organ"] for a in meeting["attendees"])
    return f"{meeting['held_on'].isoformat()}于{meeting['place']}会办，参会单位：{who}；议定：{meeting['agreed']}"
