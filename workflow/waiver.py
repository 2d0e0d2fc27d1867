"""Closing before the petitioner's window lapses (条例第三十五条、第三十六条): only with their waiver.

After the written reply the petitioner has 30 days to ask for review (复查), and after the review
reply 30 days to ask for re-examination (复核). ``close`` may end the case inside that window only
when the petitioner's waiver is recorded with it: the day they said they would not ask, and how
(in writing, in person, or by a recorded call). Without one the case waits for the window to lapse,
and the sweeper closes it then.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from workflow.errors import InvalidInput
from workflow.lifecycle import CaseFacts

#: How the petitioner said so (contract.md: the values are the Chinese words themselves).
WAIVER_WAYS: dict[str, str] = {"书面": "书面", "当面": "当面", "电话记录": "电话记录"}
#: What a waiver gives up, by the state the case is closed from.
WAIVED: dict[str, str] = {"replied": "review", "review_replied": "reexamination"}
WAIVED_LABELS: dict[str, str] = {"review": "复查", "reexamination": "复核"}
#: The window each waiver cuts short, and its article.
WINDOWS: dict[str, tuple[str, str]] = {
    "review": ("review_window", "《信访工作条例》第三十五条"),
    "reexamination": ("reexamination_window", "《信访工作条例》第三十六条"),
}


def open_window(facts: CaseFacts) -> str | None:
    """The petitioner's window still open on the case now (a clock not yet lapsed), if any."""
    for name, due in facts.window_due.items():
        if facts.now < due:
            return name
    return None


def check_waiver(waiver: Mapping[str, Any] | None, facts: CaseFacts, today: date) -> dict | None:
    """The waiver ``close`` records, checked: required while the window is open.

    ``waiver`` has been checked field by field (``date`` a date, ``how`` one of ``WAIVER_WAYS``);
    this adds what joins it to the case: not in the future, not before the reply it answers.
    """
    waived = WAIVED.get(facts.state, "review")
    window, article = WINDOWS[waived]
    label = WAIVED_LABELS[waived]
    if waiver is None:
        if open_window(facts) is None:
            return None  # the window has lapsed: the case may close without one
        last_day = facts.window_dates[window][1]
        raise InvalidInput(
            "close.waiver_required",
            f"{label}请求期限至{last_day.isoformat()}届满，届满前办结须记录信访人不申请{label}的表示"
            f"（日期及方式：书面、当面或电话记录）（{article}）；未表示的，期满后由系统办结",
            field="waiver",
        )
    said_on = waiver["date"]
    if said_on > today:
        raise InvalidInput(
            "close.waiver_in_future",
            f"信访人表示不申请{label}的日期不能晚于今天",
            field="waiver.date",
        )
    replied_on = facts.window_dates.get(window, (None, None))[0]
    if replied_on is not None and said_on < replied_on:
        raise InvalidInput(
            "close.waiver_before_reply",
            f"信访人表示不申请{label}的日期不能早于答复日期（{replied_on.isoformat()}）",
            field="waiver.date",
        )
    return {"date": said_on.isoformat(), "how": waiver["how"], "waives": waived}


def waiver_text(waiver: Mapping[str, Any]) -> str:
    """「信访人于2026-10-01以书面方式表示不申请复查」, as the case page and the closure report say it."""
    label = WAIVED_LABELS.get(str(waiver.get("waives")), "复查")
    return f"信访人于{waiver.get('date', '')}以{waiver.get('how', '')}方式表示不申请{label}"
