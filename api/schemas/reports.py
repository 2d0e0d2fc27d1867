"""The office statistics (contract.md: the keys of ``shoujie report stats --format json``) and the
daily briefing."""

from typing import Any

from pydantic import Field

from api.schemas.common import Answer, Day, Instant, Rate


class Counts(Answer):
    """What was counted in one period, or for one category, channel, region or owner."""

    intakes: int = Field(description="登记件数")
    acceptance_owed: int = Field(
        description="应受理件：受理告知期限届满于本期，已作决定或已超期未决定"
    )
    acceptance_on_time: int = Field(description="按期受理：应受理件中在期限内作出决定的")
    acceptance_overdue_open: int = Field(description="超期未受理：应受理件中至今未作决定的")
    acceptance_on_time_rate: Rate = Field(description="按期受理率＝按期受理÷应受理件")
    handling_owed: int = Field(
        description="应办结件：办理期限（含延长）届满于本期，已答复或已超期未答复"
    )
    replies_on_time: int = Field(description="按期办结：应办结件中在期限内答复（报结）的")
    handling_overdue_open: int = Field(description="超期未办结：应办结件中至今未答复的")
    handling_on_time_rate: Rate = Field(description="按期办结率＝按期办结÷应办结件")
    satisfaction_rate: Rate = Field(description="满意率")
    rating_rate: Rate = Field(description="参评率")
    repeat_rate: Rate = Field(description="重复访率")
    skip_level_rate: Rate = Field(description="越级访率")
    group_visits: int = Field(description="集体访批次")
    group_visit_people: int = Field(description="集体访人次")


class Period(Counts):
    """One period's figures."""

    start: Day = Field(alias="from", description="起始日期")
    end: Day = Field(alias="to", description="截止日期")
    days: int


class JointOrganStats(Answer):
    """One organ's parts of joint handlings that fell due in the period."""

    organ: str = Field(description="会办单位")
    owed: int = Field(description="应报送件数（期限届满日在本期内，已报送或已超期）")
    on_time: int = Field(description="按期报送件数")
    late: int = Field(description="超期件数（含超期未报送）")
    open_late: int = Field(description="超期未报送件数")
    on_time_rate: float | None = Field(description="按期报送率")


class JointStats(Answer):
    """联合会办 in the period."""

    cases: int = Field(description="本期设立联合会办的信访事项数")
    by_organ: list[JointOrganStats] = Field(description="各会办单位按期报送情况")


class Stats(Period):
    """The office statistics for a period, with the period before it and the change."""

    previous: Period = Field(description="上一个同样长的期间")
    change: dict[str, int | float | None] = Field(description="与上期相比的变化")
    trend: dict[str, str | None] = Field(
        description="各比率变化的好坏：good（向好）、bad（变差）、flat（持平）或 null"
    )
    open_overdue: int = Field(
        description="当前超期未办件数（与工作台、督办队列、每日例会同一口径）"
    )
    open_overdue_cases: list[str] = Field(description="当前超期未办的信访事项编号")
    as_of: str = Field(description="统计时点")
    by_category: dict[str, Counts] = Field(description="按类别")
    by_channel: dict[str, Counts] = Field(description="按信访形式")
    by_region: dict[str, Counts] = Field(description="按行政区划代码")
    by_owner: dict[str, Counts] = Field(description="按首接责任人工号")
    hotspots: dict[str, list[dict[str, Any]]] = Field(description="上升的热点话题和地区")
    joint: JointStats = Field(description="联合会办：事项数和各会办单位按期报送率")


class OwnerDay(Answer):
    """One owner's day: due today, overdue, new, ratings."""

    staff_no: str
    name: str
    due_today: list[dict[str, Any]]
    overdue: list[dict[str, Any]]
    new: list[dict[str, Any]]
    ratings: list[dict[str, Any]]
    counts: dict[str, int]


class BranchDay(Answer):
    """A party branch's day, owner by owner and in all."""

    branch_id: int | None = Field(default=None, description="未编入党小组的首接责任人：null")
    name: str
    owners: list[OwnerDay]
    due_today: list[dict[str, Any]]
    overdue: list[dict[str, Any]]
    new: list[dict[str, Any]]
    ratings: list[dict[str, Any]]
    counts: dict[str, int]


class Briefing(Answer):
    """The daily briefing (每日例会) as of now: mine, and the branches' for those who lead them."""

    day: Day
    since: Instant
    at: Instant
    hour: int = Field(description="每日推送的时刻")
    mine: OwnerDay | None = Field(description="我首接的事项（不是首接责任人时为 null）")
    branches: list[BranchDay]
    role_label: str
