"""Scoring a training run against the statute, from the run's own audit trail (pure).

The trail is what the run's cases recorded: each case's facts, its events (who did what, when,
with what) and its clocks (due and stopped). Each expectation of the scenario is met or missed,
with the article that requires it; every office clock of the run is kept or missed; the debrief
says it in a few Chinese sentences.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflow.periods import PERIODS
from workflow.training.scenario import Expectation, Scenario


@dataclass(frozen=True)
class TrailEvent:
    """One audited step of a run's case."""

    action: str
    actor: str
    at: datetime
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TrailClock:
    """One clock of a run's case: its deadline and when (whether) it was stopped."""

    name: str
    due_at: datetime
    status: str
    stopped_at: datetime | None = None


@dataclass(frozen=True)
class TrailCase:
    """A case of the run: seeded by the scenario, or registered by the trainee."""

    case_no: str
    seeded: bool
    owner: str
    registered_by: str
    category: str
    confidential: bool
    accused_unit: str | None
    group_size: int
    representatives: int
    events: tuple[TrailEvent, ...]
    clocks: tuple[TrailClock, ...]


@dataclass(frozen=True)
class Trail:
    """Everything a run recorded, as of ``now`` (the training office's clock)."""

    trainee: str
    started: datetime
    now: datetime
    cases: tuple[TrailCase, ...]


@dataclass(frozen=True)
class Finding:
    """One expectation, met or missed, with what was found."""

    code: str
    label: str
    article: str
    points: int
    met: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Deadline:
    """One office clock of the run: kept, missed, or still running."""

    case_no: str
    clock: str
    label: str
    article: str
    status: str  # kept · missed · running

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return dict(self.__dict__)


#: Labels of a deadline's standing.
DEADLINE_LABELS = {"kept": "按期", "missed": "超期", "running": "未届满"}


def _matches(event: TrailEvent, params: dict[str, Any], trainee: str) -> bool:
    actions = params.get("action")
    wanted = [actions] if isinstance(actions, str) else list(actions or [])
    if wanted and event.action not in wanted:
        return False
    for key, value in (params.get("fields") or {}).items():
        if event.payload.get(key) != value:
            return False
    organ = params.get("organ_contains")
    if organ and organ not in str(event.payload.get("organ", "")):
        return False
    max_days = params.get("max_days")
    if max_days is not None and int(event.payload.get("days", 0)) > int(max_days):
        return False
    return not (params.get("by_trainee") and event.actor != trainee)


def _events(trail: Trail) -> Iterable[TrailEvent]:
    return (e for c in trail.cases for e in c.events)


def _registered(trail: Trail, p: dict[str, Any]) -> tuple[bool, str]:
    new = [c for c in trail.cases if not c.seeded and c.registered_by == trail.trainee]
    if not new:
        return False, "未登记该事项"
    for c in new:
        wrong = []
        if "category" in p and c.category != p["category"]:
            wrong.append("信访类别不对")
        if "min_group_size" in p and c.group_size < int(p["min_group_size"]):
            wrong.append(f"未按集体访登记（登记人数{c.group_size}人）")
        if "representatives" in p:
            low, high = p["representatives"]
            if not low <= c.representatives <= high:
                wrong.append(f"代表人数{c.representatives}人，应为{low}至{high}人")
        if p.get("confidential") and not c.confidential:
            wrong.append("未登记被检举单位，检举控告未作保密处理")
        unit = p.get("accused_unit_contains")
        if unit and unit not in (c.accused_unit or ""):
            wrong.append("被检举单位登记有误")
        if not wrong:
            return True, f"已登记为 {c.case_no}"
        last = "；".join(wrong)
    return False, f"{new[-1].case_no}：{last}"


def _on_time(trail: Trail, p: dict[str, Any]) -> tuple[bool, str]:
    clocks = [c for case in trail.cases for c in case.clocks if c.name == p["clock"]]
    label = PERIODS[p["clock"]].label
    if not clocks:
        return False, f"{label}未开始：相应步骤没有办理"
    for c in clocks:
        if c.stopped_at is None:
            late = trail.now > c.due_at
            return False, f"{label}{'已超期' if late else '届满前'}仍未办结"
        if c.stopped_at > c.due_at:
            return False, f"{label}超期后才办结"
    return True, f"{label}内办结"


def check(e: Expectation, trail: Trail) -> tuple[bool, str]:
    """Whether the run met one expectation, and what was found."""
    p = e.params
    if e.check == "registered":
        return _registered(trail, p)
    if e.check == "no_new_case":
        new = [c.case_no for c in trail.cases if not c.seeded]
        return (not new, "未重复登记" if not new else f"重复登记了新的事项 {'、'.join(new)}")
    if e.check == "step":
        hit = [ev for ev in _events(trail) if _matches(ev, p, trail.trainee)]
        return (bool(hit), "已办理" if hit else "未办理")
    if e.check == "no_step":
        hit = [ev for ev in _events(trail) if _matches(ev, p, trail.trainee)]
        return (not hit, "未发生" if not hit else "不应办理而办理了")
    if e.check == "on_time":
        return _on_time(trail, p)
    if e.check == "tracking":
        want = int(p.get("min", 1))
        notes = [
            ev
            for c in trail.cases
            for ev in c.events
            if ev.action == "note" and ev.actor == trail.trainee == c.owner
        ]
        return (len(notes) >= want, f"首接责任人跟踪记录{len(notes)}次（应不少于{want}次）")
    if e.check == "owner":
        owned = [c for c in trail.cases if c.owner == trail.trainee]
        return (bool(owned), "首接责任人为受训人" if owned else "事项不在受训人名下")
    raise ValueError(f"unknown check {e.check}")


def deadlines(trail: Trail) -> list[Deadline]:
    """Every office clock of the run's cases, kept, missed or still running (seeded steps before
    the run are the scenario's, not the trainee's, so a clock stopped before it is left out)."""
    out = []
    for case in trail.cases:
        for c in case.clocks:
            period = PERIODS.get(c.name)
            if period is None or period.kind != "office":
                continue
            if c.stopped_at is not None and c.stopped_at < trail.started:
                continue
            if c.stopped_at is not None:
                status = "kept" if c.stopped_at <= c.due_at else "missed"
            else:
                status = "missed" if trail.now > c.due_at else "running"
            out.append(Deadline(case.case_no, c.name, period.label, period.article, status))
    return out


@dataclass(frozen=True)
class Score:
    """A run's score: the findings, the deadlines, the points, the grade and the debrief."""

    findings: list[Finding]
    deadlines: list[Deadline]
    points: int
    max_points: int
    grade: str
    debrief: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, as the run row keeps it."""
        return {
            "findings": [f.as_dict() for f in self.findings],
            "deadlines": [d.as_dict() for d in self.deadlines],
            "points": self.points,
            "max_points": self.max_points,
            "grade": self.grade,
            "debrief": self.debrief,
        }


def grade(points: int, max_points: int) -> str:
    """优秀 ≥ 90 %, 良好 ≥ 75 %, 合格 ≥ 60 %, else 不合格."""
    share = points / max_points if max_points else 0
    for floor, name in ((0.9, "优秀"), (0.75, "良好"), (0.6, "合格")):
        if share >= floor:
            return name
    return "不合格"


def debrief(scenario: Scenario, findings: list[Finding], dl: list[Deadline], g: str) -> str:
    """A short Chinese debrief: what went right, what to improve with its article, the deadlines."""
    got = sum(f.points for f in findings if f.met)
    parts = [f"本次演练「{scenario.title}」得分{got}/{scenario.max_points}，评定为{g}。"]
    good = [f.label for f in findings if f.met]
    bad = [f"{f.label}（{f.article}；{f.detail}）" for f in findings if not f.met]
    if good:
        parts.append("做得好的：" + "；".join(good) + "。")
    if bad:
        parts.append("需要改进：" + "；".join(bad) + "。")
    else:
        parts.append("各环节均符合《信访工作条例》的要求。")
    kept = sum(d.status == "kept" for d in dl)
    missed = [d for d in dl if d.status == "missed"]
    if not dl:
        parts.append("期限：本次演练没有开始计时的期限。")
        return "".join(parts)
    text = f"期限：{kept}个按期"
    if missed:
        text += "，" + "、".join(f"{d.label}（{d.case_no}）" for d in missed) + "超期"
    parts.append(text + "。")
    return "".join(parts)


def score(scenario: Scenario, trail: Trail) -> Score:
    """Score a run: each expectation met or missed, the deadlines, the grade and the debrief."""
    findings = []
    for e in scenario.expectations:
        met, detail = check(e, trail)
        findings.append(Finding(e.code, e.label, e.article, e.points, met, detail))
    dl = deadlines(trail)
    points = sum(f.points for f in findings if f.met)
    g = grade(points, scenario.max_points)
    return Score(findings, dl, points, scenario.max_points, g, debrief(scenario, findings, dl, g))
