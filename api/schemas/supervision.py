"""The supervisor queue: escalations, 督办单, extension requests and follow-ups."""

from pydantic import BaseModel, Field

from api.schemas.common import (
    Answer,
    Category,
    ClockName,
    ClockStatus,
    Day,
    Instant,
    Level,
    Person,
    Standing,
    StandingName,
    State,
)
from workflow.periods import MAX_EXTENSION_DAYS


class Notice(Answer):
    """A supervision notice (督办单) and whether it was answered in time."""

    id: int
    case_no: str | None
    status: str = Field(description="open · overdue · answered")
    status_label: str
    level: Level | None
    level_label: str | None
    issued_by: str = Field(description="工号")
    issued_at: Instant
    to_staff_no: str = Field(description="须答复的首接责任人工号")
    text: str
    reply_by: Day = Field(description="答复期限")
    answered_at: Instant | None
    answered_by: str | None
    answer: str | None
    late: bool = Field(description="逾期答复")


class Acknowledgement(Answer):
    """Who signed for an escalation (签收), and when."""

    staff_no: str
    name: str
    at: str = Field(description="签收时间")


class QueueEscalation(Answer):
    """One escalation: a level fired on a clock (what 签收 and 督办单 act on)."""

    id: int
    level: Level
    level_label: str
    status: str = Field(description="open · acknowledged · superseded · resolved")
    status_label: str
    fired_at: Instant
    recipients: list[str] = Field(description="已通知的工号")
    acknowledged: Acknowledgement | None


class QueueClock(Standing):
    """A clock of a queue row: where it stands, its escalations in this view, its latest notice."""

    status: ClockStatus
    pending: bool = Field(description="已到达、但系统巡查尚未登记的层级（每分钟巡查一次）")
    escalations: list[QueueEscalation] = Field(description="本视图中的督办层级，最高的在前")
    notice: Notice | None = Field(description="该期限最近的督办单")


class Escalation(Answer):
    """One row of the supervisor queue: a case, where it stands (its worst clock), and its clocks.

    The row's level, clock and time are the case's standing, as on the desk and in the briefing;
    ``id``, ``status``, ``acknowledged`` and ``notice`` are those of the escalation its actions work
    on (the highest on its most pressing clock), null while the sweeper has yet to record one.
    """

    case_no: str
    subject: str
    state: State
    state_label: str
    category: Category
    category_label: str
    region_code: str
    region_label: str
    owner: Person = Field(description="首接责任人")
    group: str | None = Field(description="首接责任人所在党小组")
    clock: ClockName | None = Field(description="最紧的期限")
    clock_label: str | None
    due_date: Day | None
    due_at: Instant | None
    standing: StandingName | None
    standing_label: str | None
    remaining_days: int | None = Field(description="距届满日的日数（届满日当日为0；已超期为 null）")
    remaining_hours: int | None = Field(description="届满日当日距24时的小时数（向上取整）")
    overdue_days: int | None = Field(description="超期日数：今天是届满日后的第几日（未超期为0）")
    overdue_working_days: int | None = Field(description="其中的工作日数（含今天）")
    remaining_text: str | None = Field(
        description="如「剩余3日」「剩余5小时」「超期4日（3个工作日）」"
    )
    text: str | None = Field(
        description="期限名称和剩余/超期，如「跟踪记录周期超期37日（25个工作日）」"
    )
    level: Level
    level_label: str
    id: int | None = Field(description="该行操作针对的督办层级编号（尚未登记时为 null）")
    status: str = Field(description="open · acknowledged · superseded · resolved · pending")
    status_label: str
    fired_at: Instant | None
    acknowledged: Acknowledgement | None
    notice: Notice | None = Field(description="最近的督办单")
    clocks: list[QueueClock] = Field(description="该信访事项的期限，最紧的在前")


class EscalationCounts(BaseModel):
    """How many escalations per level, and in all."""

    warning: int
    overdue: int
    supervision: int
    flagged: int
    total: int


class AckIn(BaseModel):
    """签收."""

    note: str = Field(default="", max_length=1000)


class NoticeIn(BaseModel):
    """A supervision notice: what to report, and by when."""

    reply_by: Day = Field(description="答复期限，如 2026-12-01（今天起30日内）")
    text: str = Field(description="督办要求", max_length=2000)


class AnswerIn(BaseModel):
    """The owner's answer to a supervision notice."""

    answer: str = Field(description="答复内容", min_length=1, max_length=5000)


class ExtensionRequestIn(BaseModel):
    """What the owner asks for: more days for handling, and why (条例第三十四条)."""

    days: int = Field(ge=1, le=MAX_EXTENSION_DAYS, description="延长天数")
    reason: str = Field(min_length=1, max_length=1000, description="延期理由")


class ExtensionRequest(Answer):
    """An extension request and its decision."""

    id: int
    case_no: str
    subject: str
    owner: Person
    requested_by: str
    requested_at: Instant
    days: int
    reason: str
    status: str = Field(description="pending · approved · refused")
    status_label: str
    decided_by: str | None
    decided_at: Instant | None
    decision_note: str | None
    handling_due_date: Day | None = Field(description="当前办理期限届满日")


class DecisionIn(BaseModel):
    """A supervisor's decision on an extension request (a refusal needs a reason)."""

    approve: bool
    note: str = Field(default="", max_length=1000)


class FollowupIn(BaseModel):
    """What was done about a 不满意 rating."""

    note: str = Field(max_length=2000)


class FollowedUp(BaseModel):
    """The 不满意 rating of this case is followed up."""

    case_no: str
    followed_up: bool
