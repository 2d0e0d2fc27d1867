"""Every period of 《信访工作条例》 (2022) once, with its article, and the office's own policy.

The pages, the sweeper, the reports and the scenarios read periods from here, so a change to the
law or to the office's policy is made in one place.
"""

from dataclasses import dataclass
from typing import Literal

Unit = Literal["calendar", "working"]

LEVELS: tuple[str, ...] = ("warning", "overdue", "supervision", "flagged")
LEVEL_LABELS: dict[str, str] = {
    "warning": "预警",
    "overdue": "超期",
    "supervision": "督办",
    "flagged": "挂牌督办",
}


@dataclass(frozen=True)
class Period:
    """One statutory or policy period: the clock it drives, its length and its authority."""

    clock: str
    label: str
    days: int | None  # None: fixed when the clock starts (a report-back date set on assignment)
    unit: Unit
    article: str
    starts: str
    stops: str
    #: "office" clocks climb the escalation ladder; "petitioner" windows lapse and close the case.
    kind: Literal["office", "petitioner"] = "office"
    #: How far up the ladder a late clock climbs (a late tracking note concerns the group, not the leader).
    ladder: tuple[str, ...] = LEVELS


PERIODS: dict[str, Period] = {
    p.clock: p
    for p in [
        Period(
            "acceptance",
            "受理告知期限",
            15,
            "calendar",
            "《信访工作条例》第二十二条、第二十三条",
            "收到信访事项",
            "受理、不予受理、转送或交办",
        ),
        Period(
            "handling",
            "办理期限",
            60,
            "calendar",
            "《信访工作条例》第三十四条",
            "受理",
            "出具处理意见书",
        ),
        Period(
            "partner_acceptance",
            "转送机关受理期限",
            15,
            "calendar",
            "《信访工作条例》第二十三条第三款",
            "转送",
            "登记转送机关受理",
        ),
        Period(
            "partner_handling",
            "转送机关办理期限",
            60,
            "calendar",
            "《信访工作条例》第三十四条",
            "转送机关受理",
            "登记转送机关处理意见",
        ),
        Period(
            "report_back",
            "交办报结期限",
            None,
            "calendar",
            "《信访工作条例》第二十二条",
            "交办",
            "报结",
        ),
        Period(
            "review_window",
            "复查请求期限",
            30,
            "calendar",
            "《信访工作条例》第三十五条",
            "收到处理意见书",
            "请求复查；期满未请求则办结",
            kind="petitioner",
        ),
        Period(
            "review",
            "复查期限",
            30,
            "calendar",
            "《信访工作条例》第三十五条",
            "收到复查请求",
            "出具复查意见",
        ),
        Period(
            "reexamination_window",
            "复核请求期限",
            30,
            "calendar",
            "《信访工作条例》第三十六条",
            "收到复查意见书",
            "请求复核；期满未请求则办结",
            kind="petitioner",
        ),
        Period(
            "reexamination",
            "复核期限",
            30,
            "calendar",
            "《信访工作条例》第三十六条",
            "收到复核请求",
            "出具复核意见（听证时间不计入）",
        ),
        Period(
            "tracking",
            "跟踪记录周期",
            7,
            "calendar",
            "首接负责制（本办公室制度）",
            "上一次跟踪记录",
            "下一次跟踪记录",
            ladder=("warning", "overdue"),
        ),
        # 联合会办 (条例第二十四条): each organ's part is its own clock, its length set when the
        # joint handling is set up; the lead organ's part is what the reply waits for.
        Period(
            "joint_lead",
            "牵头单位办理期限",
            None,
            "calendar",
            "《信访工作条例》第二十四条（联合会办）",
            "设立联合会办",
            "牵头单位报送办理结果",
        ),
        *(
            Period(
                f"joint_co{i}",
                "配合单位办理期限",
                None,
                "calendar",
                "《信访工作条例》第二十四条（联合会办）",
                "设立联合会办",
                "配合单位报送办理结果",
            )
            for i in range(1, 9)
        ),
    ]
}

#: 联合会办: the lead organ's clock, and the co-organs' clocks in the order they were named.
JOINT_LEAD_CLOCK = "joint_lead"
JOINT_CO_CLOCKS: tuple[str, ...] = tuple(f"joint_co{i}" for i in range(1, 9))

#: Art. 23 ¶3: a matter transferred to the wrong organ may be objected to within 5 working days.
OBJECTION_WORKING_DAYS = 5
#: Art. 34: the handling period may be extended once, by at most 30 days.
MAX_EXTENSION_DAYS = 30
#: Art. 20 ¶3: a group visit elects at most 5 representatives.
MAX_REPRESENTATIVES = 5

#: 国信发〔2014〕16号 Art. 6: the 15 days shared along the national transfer chain.
TRANSFER_CHAIN_DAYS: dict[str, int] = {"national": 5, "province": 3, "city": 3, "county": 4}

#: States in which the owner is expected to keep tracking notes (the office is working the case).
TRACKED_STATES = frozenset(
    {"registered", "accepted", "transferred", "assigned", "under_review", "under_reexamination"}
)


@dataclass(frozen=True)
class OfficePolicy:
    """The office's configurable policy: tracking cadence and the escalation thresholds."""

    tracking_days: int = 7
    warning_fraction: float = 0.2  # 预警: remaining time at most this share of the period …
    warning_days: int = 3  # … or at most this many days
    supervision_working_days: int = 3  # 督办: working days past the deadline
    flagged_working_days: int = 10  # 挂牌督办: working days past the deadline


DEFAULT_POLICY = OfficePolicy()


def period_days(clock: str, policy: OfficePolicy = DEFAULT_POLICY) -> int | None:
    """The length in days of a clock's period under the office's policy."""
    if clock == "tracking":
        return policy.tracking_days
    return PERIODS[clock].days
