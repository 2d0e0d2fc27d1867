"""联合会办 on the JSON API: the bodies of its steps and the joint handling as answered."""

from pydantic import BaseModel, Field

from api.schemas.common import Answer, ClockName, Day, Instant, Level

ORGAN = Field(min_length=1, max_length=100, description="单位名称")


class OrganPartIn(BaseModel):
    """One organ's part: the organ, its task and its period in days (or working days)."""

    organ: str = ORGAN
    task: str = Field(min_length=1, max_length=500, description="任务")
    days: int = Field(ge=1, le=60, description="办理期限（日）")
    working: bool = Field(default=False, description="按工作日计算")


class JointSetupIn(BaseModel):
    """设立联合会办: one lead organ and 1–8 co-organs (条例第二十四条)."""

    lead: OrganPartIn = Field(description="牵头单位")
    co_organs: list[OrganPartIn] = Field(min_length=1, max_length=8, description="配合单位")


class AttendeeIn(BaseModel):
    """The people one organ sent to the meeting."""

    organ: str = ORGAN
    people: str = Field(min_length=1, max_length=200, description="参会人员")


class CommitmentIn(BaseModel):
    """What one organ committed to at the meeting."""

    organ: str = ORGAN
    commitment: str = Field(min_length=1, max_length=500, description="承诺事项")


class JointMeetingIn(BaseModel):
    """会办记录: date, place, attendees by organ, what was agreed, each organ's commitments."""

    held_on: Day = Field(description="会办日期")
    place: str = Field(min_length=1, max_length=200, description="会办地点")
    attendees: list[AttendeeIn] = Field(min_length=1, description="参会单位及人员")
    agreed: str = Field(min_length=1, max_length=1000, description="议定事项")
    commitments: list[CommitmentIn] = Field(default_factory=list, description="各单位承诺")


class JointReportIn(BaseModel):
    """An organ's report of its part (办理结果)."""

    organ: str = ORGAN
    summary: str = Field(min_length=1, max_length=1000, description="办理结果")


class JointDisputeIn(BaseModel):
    """A dispute over who accepts the matter: the organs, and what each claims."""

    organs: list[str] = Field(min_length=2, description="争议单位")
    claims: str = Field(min_length=1, max_length=1000, description="争议情况")


class JointDecisionIn(BaseModel):
    """The common superior's decision (条例第二十四条): the accepting organ, and why."""

    accepting_organ: str = ORGAN
    reason: str = Field(min_length=1, max_length=1000, description="决定理由")


class JointOrgan(Answer):
    """One organ of a joint handling and where its part stands."""

    id: int
    role: str = Field(description="lead（牵头单位）或 co（配合单位）")
    role_label: str
    organ: str
    task: str
    days: int
    unit: str
    clock: ClockName
    due_date: Day
    due_at: Instant
    provisional: bool
    reckoning: str
    status: str
    standing: str
    level: Level | None
    level_label: str | None
    overdue_days: int
    lateness: str = Field(description="剩余或超期时间；已报送的，按期或超期几日报送")
    reported_at: Instant | None
    reported_by: str | None
    report: str | None
    on_time: bool | None = Field(description="是否按期报送；期限未到且未报送时为 null")


class JointMeeting(Answer):
    """A meeting record."""

    id: int
    held_on: Day
    place: str
    attendees: list[dict[str, str]]
    agreed: str
    commitments: list[dict[str, str]]
    recorded_by: str
    recorded_at: Instant


class JointDispute(Answer):
    """A dispute over who accepts, and its decision."""

    id: int
    organs: list[str]
    claims: str
    recorded_by: str
    recorded_at: Instant
    decided: bool
    accepting_organ: str | None
    reason: str | None
    decided_by: str | None
    decided_at: Instant | None


class Joint(Answer):
    """A case's joint handling (``joint`` false for a case that has none)."""

    case_no: str
    joint: bool
    lead_organ: str | None
    lead_reported: bool = Field(description="牵头单位是否已报送（答复须待其报送）")
    organs: list[JointOrgan]
    meetings: list[JointMeeting]
    disputes: list[JointDispute]
