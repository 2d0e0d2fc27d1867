"""Before and beside registering: the candidates look-up and a contact on an earlier case.

The intake body itself is ``workflow.intake.IntakeIn`` (the rules' own model)."""

from typing import Any, Literal

from pydantic import Field, RootModel

from api.schemas.cases import Case
from api.schemas.common import Answer, Category, Instant, Person, State
from workflow.intake import IntakeIn

INTAKE_EXAMPLE = {
    "channel": "visit",
    "category": "appeal",
    "petitioner": {
        "name": "王建国",
        "id_number": "11010519491231002X",
        "phone": "13800138000",
        "address": "南京市玄武区中山路1号",
    },
    "region_code": "320102",
    "subject": "拆迁补偿款未发放",
    "content": "2025年签订拆迁协议后补偿款至今未到位。",
    "requests": "尽快发放补偿款",
}


class Candidate(Answer):
    """An earlier or similar matter the intake may be about, best first."""

    case_no: str
    score: float = Field(ge=0, description="综合得分")
    reasons: list[str] = Field(description="为何匹配")
    likely_repeat: bool = Field(description="同一人的同一事项：可能是重复访")
    same_person: bool
    similarity: float = Field(ge=0, le=1, description="内容相似度")
    state: State
    state_label: str
    subject: str
    category: Category
    region_code: str
    received_at: Instant
    owner: Person


class RepeatContactIn(IntakeIn):
    """A repeat petition (重复访): the intake body, plus what the contact itself records."""

    kind: Literal["repeat"] = "repeat"
    summary: str | None = Field(default=None, description="本次来访摘要")
    on_site: bool = Field(default=False, description="下移接待")
    handled_below: bool = Field(default=False, description="信访人持有下级机关的处理意见")


class OnSiteContactIn(Answer):
    """An on-site reception (下移接待) recorded on the case."""

    kind: Literal["on_site"]
    place: str = Field(description="接待地点")
    summary: str | None = None
    group_size: int = Field(default=1, ge=1)


class ContactIn(RootModel[RepeatContactIn | OnSiteContactIn]):
    """A contact on an earlier case: a repeat petition, or an on-site reception."""


class Contact(Answer):
    """A contact recorded on a case."""

    id: int
    case_no: str
    kind: str = Field(description="repeat · on_site")
    kind_label: str
    at: Instant
    channel: str | None
    recorded_by: str = Field(description="工号")
    summary: str | None
    flags: dict[str, Any]
    guidance: str | None = Field(description="告知信访人的内容")
    refused: bool = Field(description="原事项已终结或不予受理：不再受理")
    reasons: list[str]


class ContactRecorded(Answer):
    """The contact; for a repeat petition also the original case and what the petitioner is told."""

    contact: Contact
    case: Case | None = Field(default=None, description="原信访事项（重复访时）")
    refused: bool | None = None
    reason_code: str | None = None
    guidance: str | None = None
    notified: list[str] | None = Field(default=None, description="已通知的工号")
    jurisdiction: dict[str, Any] | None = None
