"""What the petitioner may do next and until when, said to them in plain words (条例第三十五条、
第三十六条): where to ask for review (复查) or re-examination (复核), and the last day, counted by the
same calendar as every other period (the window clock's due date).

The review organ is the one above the organ that handled the matter (第三十五条: 原办理机关的上一级
行政机关) unless the office configures it (``policy.review_organ``); re-examination goes one level
further up (``policy.reexamination_organ``).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class NextStep:
    """One thing the petitioner may do, or may expect, and by when."""

    text: str
    due_date: date | None = None
    article: str = ""


def review_organ(handling_organ: str, policy: Mapping[str, Any]) -> str:
    """Where a review (复查) is asked for."""
    configured = str(policy.get("review_organ") or "").strip()
    return configured or f"{handling_organ}的上一级行政机关"


def reexamination_organ(handling_organ: str, policy: Mapping[str, Any]) -> str:
    """Where a re-examination (复核) is asked for: one level above the review organ."""
    configured = str(policy.get("reexamination_organ") or "").strip()
    return configured or f"{review_organ(handling_organ, policy)}的上一级行政机关"


def next_steps(
    *,
    state: str,
    handling_organ: str,
    due: Mapping[str, date],
    policy: Mapping[str, Any],
) -> list[NextStep]:
    """The petitioner's next step in this state; ``due`` holds the running clocks' last days."""

    def day(name: str) -> str:
        return f"{due[name].isoformat()} 24时前" if name in due else ""

    if state == "registered" and "acceptance" in due:
        return [
            NextStep(
                f"本机关将于{day('acceptance')}告知您是否受理",
                due["acceptance"],
                "《信访工作条例》第二十二条",
            )
        ]
    if state in ("accepted", "transferred", "assigned") and "handling" in due:
        return [
            NextStep(
                f"将于{day('handling')}作出书面答复",
                due["handling"],
                "《信访工作条例》第三十四条",
            )
        ]
    if state == "replied" and "review_window" in due:
        organ = review_organ(handling_organ, policy)
        return [
            NextStep(
                f"如不服处理意见，可于{day('review_window')}向{organ}申请复查；期满未申请的，本事项办结",
                due["review_window"],
                "《信访工作条例》第三十五条",
            )
        ]
    if state == "under_review" and "review" in due:
        return [NextStep(f"复查机关将于{day('review')}出具复查意见", due["review"])]
    if state == "review_replied" and "reexamination_window" in due:
        organ = reexamination_organ(handling_organ, policy)
        return [
            NextStep(
                f"如不服复查意见，可于{day('reexamination_window')}向{organ}申请复核；"
                "期满未申请的，本事项办结",
                due["reexamination_window"],
                "《信访工作条例》第三十六条",
            )
        ]
    if state == "under_reexamination" and "reexamination" in due:
        return [NextStep(f"复核机关将于{day('reexamination')}出具复核意见", due["reexamination"])]
    if state == "concluded":
        return [
            NextStep(
                "复核意见为终结意见。您以同一事实和理由再次提出的，不再受理",
                None,
                "《信访工作条例》第三十六条第三款",
            )
        ]
    return []
