"""The case JSON of contract.md, its steps, and the body of an action."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import (
    Action,
    Answer,
    Category,
    Channel,
    ClockName,
    ClockStatus,
    Day,
    Instant,
    Level,
    Outcome,
    Person,
    Rating,
    StandingName,
    State,
    one_of,
)
from workflow import lifecycle
from workflow.periods import MAX_EXTENSION_DAYS
from workflow.waiver import WAIVER_WAYS


class Petitioner(Answer):
    """The petitioner as this viewer may see them (``（保密）`` for the accused unit)."""

    name: str
    id_number_masked: str | None = Field(description="如 3201**********1234")
    phone_masked: str | None = Field(description="如 138****8000")
    confidential: bool | None = Field(
        default=None, description="只在对该查看人保密时出现，为 true（条例第三十条第三款）"
    )


class Clock(Answer):
    """One statutory period of the case and where it stands."""

    name: ClockName
    label: str
    article: str = Field(description="依据的条文")
    due_date: Day = Field(description="届满日")
    due_at: Instant = Field(description="届满时刻（届满日次日零时）")
    provisional: bool = Field(description="工作日历未载入时为推算值")
    reckoning: str = Field(description="期限的计算说明")
    status: ClockStatus
    level: Level | None = Field(
        description="督办层级：计时中的期限为当前层级（已发出的，或到此刻已到达的）；已结束的期限为曾到达的最高层级；无为 null"
    )
    standing: StandingName = Field(
        description="running 正常 · due_soon 临近期限 · overdue 已超期 · paused 暂停计时 · finished 已结束"
    )
    standing_label: str
    remaining_days: int | None = Field(
        description="距届满日的日数（届满日当日为0）；已超期、暂停或已结束为 null"
    )
    remaining_hours: int | None = Field(description="届满日当日距24时的小时数（向上取整）")
    overdue_days: int = Field(description="超期日数：今天是届满日后的第几日（未超期为0）")
    overdue_working_days: int = Field(description="其中的工作日数（含今天，按官方工作日历）")
    remaining_text: str = Field(description="如「剩余3日」「剩余5小时」「超期4日（3个工作日）」")
    counted: bool = Field(
        description="计入信访事项的期限状态（办公室期限；信访人的请求期限不计入）"
    )
    started_at: Instant
    stopped_at: Instant | None


class Flags(Answer):
    """Repeat, skip-level, group and confidentiality flags."""

    repeat_of: str | None = Field(description="重复访的原信访事项编号")
    skip_level: bool = Field(description="越级访")
    group_size: int = Field(ge=1, description="来访人数")
    confidential: bool = Field(description="检举控告类：信访人身份保密")


class Case(Answer):
    """A case as the requesting user may see it (contract.md, "Case JSON")."""

    case_no: str = Field(examples=["2026-000123"])
    state: State
    state_label: str
    category: Category
    channel: Channel
    subject: str
    content: str | None = Field(description="对被检举单位保密时为 null")
    requests: str | None = Field(description="对被检举单位保密时为 null")
    region_code: str
    owner: Person = Field(description="首接责任人")
    petitioner: Petitioner
    received_at: Instant
    clocks: list[Clock]
    allowed_actions: list[Action] = Field(description="请求用户当前可执行的操作")
    flags: Flags
    outcome: Outcome | None
    rating: Rating | None
    extended: bool
    details: dict[str, Any]
    version: int = Field(ge=1, description="版本号（ETag / If-Match）")
    scope: Literal["full", "summary"] = Field(
        "full",
        description="summary：接访员查看他人首接的事项，只有摘要（编号、事由、状态、责任人、日期），"
        "内容、信访人、答复与过程记录为空",
    )


class NewCase(Case):
    """A case just registered: with its 查询码 (shown this once) and its jurisdiction."""

    query_code: str | None = Field(
        None,
        description="查询码：只在首次登记的答复中出现一次；以同一 Idempotency-Key 重试的答复不含查询码"
        "（遗失的，由首接责任人核对信访人身份后重新发放）",
    )
    jurisdiction: dict[str, Any] = Field(description="管辖层级与越级访判断")


class Event(Answer):
    """One step of a case's record (its payload empty when the case is hidden from the viewer)."""

    seq: int
    action: str = Field(description="操作或系统事件，如 accept、escalated")
    action_label: str
    actor: str | None = Field(description="工号；系统事件为 SYSTEM")
    at: Instant
    from_state: State | None
    to_state: State | None
    payload: dict[str, Any]
    public: bool = Field(description="信访人查询时可见")
    hash: str = Field(description="审计链哈希")


class WaiverIn(BaseModel):
    """The petitioner's waiver of review or re-examination (条例第三十五条、第三十六条)."""

    model_config = ConfigDict(extra="forbid")

    date: Day = Field(description="信访人表示不申请复查（复核）的日期：不晚于今天，不早于答复日期")
    how: one_of(WAIVER_WAYS) = Field(description="表示方式：" + "、".join(WAIVER_WAYS))  # type: ignore[valid-type]


class ActionIn(BaseModel):
    """An action's fields (contract.md, "Actions"); each action reads its own and needs no
    others. The rules check them after who may act and whether the state allows it."""

    model_config = ConfigDict(extra="forbid")

    reason_code: str | None = Field(
        default=None,
        description="reject：不予受理理由（"
        + "、".join(lifecycle.REJECT_REASONS)
        + "）；reassign：变更原因（"
        + "、".join(lifecycle.REASSIGN_REASONS)
        + "）",
    )
    guidance: str | None = Field(default=None, description="reject：告知信访人", max_length=5000)
    organ: str | None = Field(
        default=None, description="transfer、assign：机关名称", max_length=200
    )
    report_by: Day | None = Field(default=None, description="assign：报结日期")
    accepted_on: Day | None = Field(
        default=None, description="record_partner_acceptance：转送机关受理日期"
    )
    summary: str | None = Field(default=None, description="report_back：办结报告")
    days: int | None = Field(
        default=None, ge=1, le=MAX_EXTENSION_DAYS, description="extend：延长天数"
    )
    reason: str | None = Field(
        default=None, description="extend、withdraw、reassign：理由", max_length=1000
    )
    outcome: Outcome | None = Field(default=None, description="reply：处理意见")
    opinion: str | None = Field(
        default=None, description="reply、reply_review、reply_reexamination：意见书内容"
    )
    waiver: WaiverIn | None = Field(
        default=None,
        description="close：信访人不申请复查（复核）的表示；请求期限届满前办结时必填",
    )
    to_staff_no: str | None = Field(default=None, description="reassign：新的首接责任人工号")
    text: str | None = Field(default=None, description="note：跟踪记录")
    rating: Rating | None = Field(default=None, description="record_evaluation：信访人评价")
    comment: str | None = Field(
        default=None, description="record_evaluation：评价意见", max_length=1000
    )


class SearchBody(BaseModel):
    """A search whose text may be a phone or ID number: it travels in the body, never a URL."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field("", max_length=100, description="案件编号、信访人姓名、电话或身份证号")
    state: State | None = Field(None, description="状态，如 registered")
    owner: str | None = Field(None, max_length=32, description="首接责任人工号")
    limit: int = Field(100, ge=1, le=500)


class QueryCodeReissue(BaseModel):
    """Reissuing a lost 查询码: the petitioner's identity, checked against the case."""

    id_number: str = Field("", max_length=40, description="信访人身份证号码（按盲索引核对）")
    phone: str = Field("", max_length=40, description="未登记身份证号码时，核对登记的联系电话")
    send_sms: bool = Field(False, description="通过短信把新查询码发送到信访人登记的手机")


class QueryCodeIssued(Answer):
    """The new 查询码, shown this once; the old one no longer opens the case."""

    case_no: str
    query_code: str = Field(description="新的查询码（只显示这一次）")
    checked: str = Field(description="核对身份的方式：id_number 或 phone")
    sms: bool = Field(description="是否已交短信发送")
