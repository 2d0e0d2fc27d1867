"""The supervisor queue: escalations, 督办单, extension requests and follow-ups."""

from pydantic import BaseModel, Field

from api.schemas.common import Answer, Category, ClockName, Day, Instant, Level, Person, State
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


class Escalation(Answer):
    """One row of the supervisor queue: the case, its owner, the late clock and any notice."""

    id: int
    case_no: str
    subject: str
    state: State
    state_label: str
    category: Category
    category_label: str
    owner: Person = Field(description="首接责任人")
    group: str | None = Field(description="首接责任人所在党小组")
    clock: ClockName
    clock_label: str
    clock_status: str
    due_date: Day
    due_at: Instant
    level: Level
    level_label: str
    status: str = Field(description="open · acknowledged · superseded · resolved")
    status_label: str
    fired_at: Instant
    recipients: list[str] = Field(description="已通知的工号")
    days_late: int = Field(description="超过届满日的整日数（负数：尚未届满）")
    acknowledged: Acknowledgement | None
    notice: Notice | None = Field(description="该期限最近的督办单")


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
