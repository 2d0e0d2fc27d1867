"""What a step contributes to the office's rates (domain.md, "Measures the office reports").

Each step writes what the statistics will count of it in its own unit of work, so the statistics
read one covering index per measure instead of joining clocks and events to cases
(``cases.reports.stats`` says what each measure counts). The rule lives here, pure: from the
action, the clocks it changed and its instant, ``step_facts`` says what the step writes.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.sla import Clock

#: Acceptance decisions (受理 · 不予受理 · 转送 · 交办): each stops the acceptance clock.
DECISION_ACTIONS = ("accept", "reject", "transfer", "assign")
#: Replies (答复 · 报结), counted by 按期办结率.
REPLY_ACTIONS = ("reply", "report_back")
#: The office clocks a reply stops, whose due date it is measured against.
REPLY_CLOCKS = ("handling", "partner_handling", "report_back", "partner_acceptance")
#: The ratings 满意率 counts as satisfied (满意 · 基本满意).
SATISFIED = ("satisfied", "basically_satisfied")


@dataclass(frozen=True)
class StepFacts:
    """What the statistics will count of one step, written by the step in its own transaction."""

    #: Columns of the case row: ``decided_at``/``decided_on_time`` or ``replied_at``/``replied_on_time``.
    case: dict[str, Any]
    #: For a tracking note that stopped a running tracking clock, whether it met the due date.
    note_on_time: bool | None = None


def step_facts(action: str, stopped: Iterable[Clock], at: datetime) -> StepFacts:
    """The facts of ``action`` at ``at``, from the clocks it changed (``stopped``).

    An acceptance decision stops the case's acceptance clock; a reply stops the office clock then
    running (handling with any extension, partner_handling, report_back, or partner_acceptance for
    a transferred case whose partner's acceptance was not recorded); a note stops the running
    tracking clock. "In time" is at or before that clock's due instant (24:00 local of its last
    day). A case is decided once and replied once (the state machine allows no second), so the
    case row holds them; a withdrawal or the partner's recorded acceptance, which stop such clocks
    too, are neither.
    """
    by_name = {c.name: c for c in stopped if c.stopped_at == at}
    if action in DECISION_ACTIONS:
        clock = by_name.get("acceptance")
        return StepFacts(
            {"decided_at": at, "decided_on_time": None if clock is None else at <= clock.due_at}
        )
    if action in REPLY_ACTIONS:
        clock = next((by_name[n] for n in REPLY_CLOCKS if n in by_name), None)
        return StepFacts(
            {"replied_at": at, "replied_on_time": None if clock is None else at <= clock.due_at}
        )
    if action == "note" and "tracking" in by_name:
        return StepFacts({}, at <= by_name["tracking"].due_at)
    return StepFacts({})
