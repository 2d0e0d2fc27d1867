"""What a step contributes to the office's rates, and what each rate counts (domain.md, "Measures
the office reports").

Each step writes what the statistics will count of it in its own unit of work, so the statistics
read one covering index per measure instead of joining clocks and events to cases
(``cases.reports.stats`` says how). The rule lives here, pure: from the action, the clocks it
changed or started and its instant, ``step_facts`` says what the step writes. ``MEASURES`` states
each rate's basis in the office's words (the exports' 口径说明) and which way is better, so a
change period over period is shown good or bad by the same rule everywhere.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from workflow.sla import Clock

#: Acceptance decisions (受理 · 不予受理 · 转送 · 交办): each stops the acceptance clock.
DECISION_ACTIONS = ("accept", "reject", "transfer", "assign")
#: Replies (答复 · 报结), counted by 按期办结率.
REPLY_ACTIONS = ("reply", "report_back")
#: The office clocks a reply stops, whose due date it is measured against.
REPLY_CLOCKS = ("handling", "partner_handling", "report_back", "partner_acceptance")
#: The ratings 满意率 counts as satisfied (满意 · 基本满意).
SATISFIED = ("satisfied", "basically_satisfied")
#: The case row's due dates (local last days) the on-time rates count by.
DUE_COLUMNS = ("acceptance_due", "handling_due")


@dataclass(frozen=True)
class StepFacts:
    """What the statistics will count of one step, written by the step in its own transaction."""

    #: Columns of the case row: ``decided_at``/``decided_on_time``, ``replied_at``/``replied_on_time``
    #: and the due dates ``acceptance_due``/``handling_due`` the step set, moved or cleared.
    case: dict[str, Any]
    #: For a tracking note that stopped a running tracking clock, whether it met the due date.
    note_on_time: bool | None = None


def _due_column(name: str) -> str | None:
    if name == "acceptance":
        return "acceptance_due"
    return "handling_due" if name in REPLY_CLOCKS else None


def due_dates(
    action: str, changed: Iterable[Clock], started: Iterable[Clock] = ()
) -> dict[str, date | None]:
    """The case row's due dates this step sets (domain.md: 应受理件, 应办结件).

    ``acceptance_due`` is the last day of the acceptance clock, ``handling_due`` that of the
    office clock a reply would stop (handling with any extension, the partner's clocks,
    report_back). A running or paused clock sets its column (an extension or a new calendar moves
    it); the decision or the reply that stops it keeps it, so the case stays counted in the period
    its deadline falls in; a clock stopped otherwise (a withdrawal, the partner's recorded
    acceptance, whose own handling clock then takes over) clears it: nothing is owed any more.
    """
    out: dict[str, date | None] = {}
    keeps = {"acceptance_due": DECISION_ACTIONS, "handling_due": REPLY_ACTIONS}
    for clock in changed:
        column = _due_column(clock.name)
        if column is None:
            continue
        if clock.active:
            out[column] = clock.due_date
        elif action not in keeps[column]:
            out.setdefault(column, None)
    for clock in started:
        column = _due_column(clock.name)
        if column is not None:
            out[column] = clock.due_date
    return out


def step_facts(
    action: str, stopped: Iterable[Clock], at: datetime, started: Iterable[Clock] = ()
) -> StepFacts:
    """The facts of ``action`` at ``at``, from the clocks it changed (``stopped``) and started.

    An acceptance decision stops the case's acceptance clock; a reply stops the office clock then
    running (handling with any extension, partner_handling, report_back, or partner_acceptance for
    a transferred case whose partner's acceptance was not recorded); a note stops the running
    tracking clock. "In time" is at or before that clock's due instant (24:00 local of its last
    day). A case is decided once and replied once (the state machine allows no second), so the
    case row holds them; a withdrawal or the partner's recorded acceptance, which stop such clocks
    too, are neither. The due dates follow ``due_dates``.
    """
    stopped = list(stopped)
    dues = due_dates(action, stopped, started)
    by_name = {c.name: c for c in stopped if c.stopped_at == at}
    if action in DECISION_ACTIONS:
        clock = by_name.get("acceptance")
        on_time = None if clock is None else at <= clock.due_at
        return StepFacts({"decided_at": at, "decided_on_time": on_time, **dues})
    if action in REPLY_ACTIONS:
        clock = next((by_name[n] for n in REPLY_CLOCKS if n in by_name), None)
        on_time = None if clock is None else at <= clock.due_at
        return StepFacts({"replied_at": at, "replied_on_time": on_time, **dues})
    if action == "note" and "tracking" in by_name:
        return StepFacts(dues, at <= by_name["tracking"].due_at)
    return StepFacts(dues)


@dataclass(frozen=True)
class Measure:
    """One rate the office reports: its name, its basis in the office's words, which way is better."""

    key: str
    label: str
    basis: str
    #: "up": a rise is good (green); "down": a rise is bad (red); None: neither.
    better: Literal["up", "down"] | None


MEASURES: tuple[Measure, ...] = (
    Measure(
        "acceptance_on_time_rate",
        "按期受理率",
        "统计期内受理告知期限届满的信访事项为应受理件；其中在期限内作出受理、不予受理、转送或交办决定的"
        "为按期受理。按期受理率＝按期受理件数÷应受理件数。期限已过仍未作出决定的，自期限届满之日起"
        "计入应受理件、不计入按期受理，不因尚未办结而剔除；期限尚未届满且未作决定的，暂不计入。",
        "up",
    ),
    Measure(
        "handling_on_time_rate",
        "按期办结率",
        "统计期内办理期限（含经批准延长的期限；转送、交办的，为转送机关受理、办理期限或交办报结期限）"
        "届满的信访事项为应办结件；其中在期限内出具处理意见书或报结的为按期办结。按期办结率＝按期办结件数"
        "÷应办结件数。期限已过仍未答复的，计入应办结件、不计入按期办结；期限尚未届满且未答复的，暂不计入。",
        "up",
    ),
    Measure(
        "on_time_rate",
        "按期率（受理与办结）",
        "（按期受理件数＋按期办结件数）÷（应受理件数＋应办结件数）。",
        "up",
    ),
    Measure(
        "satisfaction_rate",
        "满意率",
        "统计期内登记的评价中，满意与基本满意件数之和÷参评件数。",
        "up",
    ),
    Measure(
        "rating_rate",
        "参评率",
        "统计期内答复（办结）的信访事项中已由信访人评价的件数÷统计期内答复（办结）件数。",
        "up",
    ),
    Measure(
        "repeat_rate",
        "重复访率",
        "重复信访件数（记入原件的重复访和关联原件新登记的事项）÷登记总数（新登记件数＋记入原件的重复访）。",
        "down",
    ),
    Measure(
        "skip_level_rate",
        "越级访率",
        "越级走访件数÷来访件数（来信、网上信访不计越级访）。",
        "down",
    ),
    Measure(
        "tracking_on_time_rate",
        "跟踪按期率",
        "首接责任人在跟踪记录周期内作出的跟踪记录件数÷作出的跟踪记录件数（按作出记录的工作人员统计）。",
        "up",
    ),
)
#: The counts beside the rates, in the office's words.
COUNT_BASES: tuple[tuple[str, str], ...] = (
    ("受理量", "统计期内收到并登记的新信访事项件数；登记总数另加记入原件的重复访。"),
    ("集体访", "登记人数为二人以上的信访事项件数，以及其人数（人次）。"),
    (
        "超期未办",
        "截至统计时点，受理告知、办理、复查、复核期限或跟踪记录周期已经届满而尚未完成的信访事项件数，"
        "与工作台、督办队列和每日例会同一口径，按首接责任人、党小组和全办分别统计。",
    ),
    (
        "归属",
        "各项按信访事项当前的首接责任人、类别、信访形式和地区归属；记入原件的重复访归属原件；"
        "跟踪记录归属作出记录的工作人员。无可统计事项的比率不显示，不作零计。",
    ),
)
BY_KEY: dict[str, Measure] = {m.key: m for m in MEASURES}


def trend(key: str, change: float | None) -> Literal["good", "bad", "flat"] | None:
    """Whether a change of this measure period over period is good, bad or none (None: not
    judged, either side counted nothing or the measure has no better direction)."""
    measure = BY_KEY.get(key)
    if change is None or measure is None or measure.better is None:
        return None
    if abs(change) < 1e-9:
        return "flat"
    rising = change > 0
    return "good" if rising == (measure.better == "up") else "bad"


#: The staff wall's 群众评价 looks back this many months from today.
WALL_MONTHS = 12


def public_satisfaction(rate: float | None, rated: int, minimum: int) -> float | None:
    """The 满意率 the public staff wall may show: the statistics' rate, but only over at least
    ``minimum`` ratings (a rate of two ratings says more about two petitioners than about the
    member); None below that."""
    return rate if rate is not None and rated >= max(minimum, 1) else None


def public_satisfaction_text(rate: float | None, rated: int, minimum: int) -> str:
    """The wall's words for a member's 满意率: 「满意率 94%（17件评价）」 or 「评价不足5件」."""
    shown = public_satisfaction(rate, rated, minimum)
    if shown is None:
        return f"评价不足{max(minimum, 1)}件"
    return f"满意率 {shown * 100:.0f}%（{rated}件评价）"
