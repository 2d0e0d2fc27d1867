"""What every answer shares: the problem+json error, people, enums and instants as strings."""

from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from workflow import lifecycle
from workflow.periods import LEVELS, PERIODS
from workflow.standing import STANDINGS


def one_of(values: Iterable[str]) -> Any:
    """A ``Literal`` of these values (the enum an answer's field takes, read from the rules)."""
    if isinstance(values, set | frozenset):
        values = sorted(values)  # a set's order changes from one run to the next
    return Literal[tuple(values)]  # type: ignore[valid-type]


#: An instant as the API writes it: ISO 8601 with the office's offset, e.g. 2026-11-26T09:30:00+08:00.
Instant = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
#: A calendar day: 2026-12-11.
Day = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
Rate = Annotated[float | None, Field(ge=0, le=1, description="0 至 1；无可计数时为 null")]

State = one_of(lifecycle.STATE_LABELS)
Category = one_of(lifecycle.CATEGORY_LABELS)
Channel = one_of(lifecycle.CHANNEL_LABELS)
Action = one_of(lifecycle.ACTIONS)
ClockName = one_of(PERIODS)
ClockStatus = Literal["running", "paused", "stopped", "lapsed"]
Level = one_of(LEVELS)
StandingName = one_of(STANDINGS)
Role = one_of(lifecycle.STAFF_ROLES)
Rating = one_of(lifecycle.RATINGS)
Outcome = one_of(lifecycle.OUTCOMES)


class Answer(BaseModel):
    """An answer's documented fields; any others it carries pass through unchanged."""

    model_config = ConfigDict(extra="allow")


class FieldError(BaseModel):
    """One field that needs correcting."""

    field: str | None = Field(description="字段，如 petitioner.phone；整个请求时为 null")
    code: str = Field(description="机器可读的错误码，如 intake.phone_invalid")
    message: str = Field(description="中文说明")


class Problem(Answer):
    """An error (RFC 9457, ``application/problem+json``): a machine ``code`` and a Chinese
    ``detail``; some carry more (``errors``, ``allowed_actions``, ``version`` …)."""

    type: str = "about:blank"
    title: str = Field(description="HTTP 状态的英文名称")
    status: int = Field(description="HTTP 状态码", ge=400, le=599)
    code: str = Field(description="机器可读的错误码，如 action.not_allowed_in_state")
    detail: str = Field(description="中文说明")
    errors: list[FieldError] | None = Field(default=None, description="422：每个需要更正的字段")
    allowed_actions: list[str] | None = Field(default=None, description="409：当前可执行的操作")
    field: str | None = Field(default=None, description="出错的字段")


class Person(BaseModel):
    """A staff member by 工号 and name."""

    staff_no: str = Field(description="工号")
    name: str


class Health(BaseModel):
    """The server and its database answer."""

    status: Literal["ok"]


class Standing(Answer):
    """Where a clock stands now (``workflow.standing``): its level, and its time left or overdue."""

    clock: ClockName
    clock_label: str
    level: Level | None = Field(description="当前督办层级（已发出的，或到此刻已到达的）")
    level_label: str | None
    due_date: Day = Field(description="届满日")
    due_at: Instant = Field(description="届满时刻（届满日24时）")
    standing: StandingName = Field(
        description="running 正常 · due_soon 临近期限 · overdue 已超期 · paused · finished"
    )
    standing_label: str
    remaining_days: int | None = Field(description="距届满日的日数（届满日当日为0；已超期为 null）")
    remaining_hours: int | None = Field(description="届满日当日距24时的小时数（向上取整）")
    overdue_days: int = Field(description="超期日数：今天是届满日后的第几日（未超期为0）")
    overdue_working_days: int = Field(description="其中的工作日数（含今天）")
    remaining_text: str = Field(description="如「剩余3日」「剩余5小时」「超期4日（3个工作日）」")
    text: str = Field(description="期限名称和剩余/超期")
