"""workflow.waiver: closing inside the petitioner's window needs their waiver (条例第三十五、三十六条)."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from workflow.actions import FIELDS, payload_from_form, validate_payload
from workflow.errors import InvalidInput
from workflow.lifecycle import CaseFacts
from workflow.waiver import WAIVER_WAYS, waiver_text

REPLIED_ON = date(2026, 11, 20)
LAST_DAY = date(2026, 12, 21)
LAPSE = datetime(2026, 12, 21, 16, 0, tzinfo=UTC)  # 24:00 of the last day in Shanghai
TODAY = date(2026, 11, 26)


def facts(state: str = "replied", now: datetime = datetime(2026, 11, 26, 2, tzinfo=UTC)) -> Any:
    window = "review_window" if state == "replied" else "reexamination_window"
    return CaseFacts(
        state=state,
        owner_staff_no="A001",
        now=now,
        window_due={window: LAPSE},
        window_dates={window: (REPLIED_ON, LAST_DAY)},
    )


def refusal(payload: dict[str, Any], case: Any = None) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        validate_payload("close", payload, case or facts(), TODAY)
    return refused.value


def test_inside_the_window_close_needs_the_waiver() -> None:
    refused = refusal({})
    assert (refused.code, refused.field) == ("close.waiver_required", "waiver")
    assert "复查请求期限至2026-12-21届满" in refused.message
    assert "第三十五条" in refused.message and "期满后由系统办结" in refused.message
    # A form left blank is no waiver either.
    assert refusal({"waiver": {"date": "", "how": ""}}).code == "close.waiver_required"
    # After the review reply the window is re-examination's (第三十六条).
    refused = refusal({}, facts("review_replied"))
    assert "复核" in refused.message and "第三十六条" in refused.message


def test_the_waiver_is_recorded_as_given() -> None:
    for how in WAIVER_WAYS:
        out = validate_payload(
            "close", {"waiver": {"date": "2026-11-25", "how": how}}, facts(), TODAY
        )
        assert out == {"waiver": {"date": "2026-11-25", "how": how, "waives": "review"}}
    out = validate_payload(
        "close", {"waiver": {"date": "2026-11-20", "how": "书面"}}, facts("review_replied"), TODAY
    )
    assert out["waiver"]["waives"] == "reexamination"
    assert waiver_text(out["waiver"]) == "信访人于2026-11-20以书面方式表示不申请复核"


@pytest.mark.parametrize(
    ("waiver", "code", "field"),
    [
        ({"date": "2026-11-27", "how": "书面"}, "close.waiver_in_future", "waiver.date"),
        ({"date": "2026-11-19", "how": "书面"}, "close.waiver_before_reply", "waiver.date"),
        ({"date": "11月25日", "how": "书面"}, "payload.waiver.date_invalid", "waiver.date"),
        ({"date": "2026-11-25", "how": "口头"}, "payload.waiver.how_invalid", "waiver.how"),
        ({"date": "2026-11-25"}, "payload.waiver.how_invalid", "waiver.how"),
        ({"how": "书面"}, "payload.waiver.date_invalid", "waiver.date"),
        ("书面", "payload.waiver_invalid", "waiver"),
    ],
)
def test_a_wrong_waiver_is_refused_beside_its_field(waiver: Any, code: str, field: str) -> None:
    refused = refusal({"waiver": waiver})
    assert (refused.code, refused.field) == (code, field)


def test_the_refusals_say_what_is_wrong() -> None:
    assert (
        "不能早于答复日期（2026-11-20）"
        in refusal({"waiver": {"date": "2026-11-19", "how": "书面"}}).message
    )
    assert "书面、当面、电话记录" in refusal({"waiver": {"date": "2026-11-25", "how": "x"}}).message


def test_once_the_window_has_lapsed_the_case_closes_without_one() -> None:
    """The sweeper has not passed yet: the owner may close what the lapse would close anyway."""
    lapsed = facts(now=LAPSE + timedelta(minutes=1))
    assert validate_payload("close", {}, lapsed, date(2026, 12, 22)) == {}


def test_the_form_declares_the_group_and_reads_it_back() -> None:
    """The case page's close form: a date and a select of the three ways, as ``waiver.*``."""
    (group,) = FIELDS["close"]
    assert group.kind == "group" and not group.required
    assert [(f.name, f.kind) for f in group.fields] == [("date", "date"), ("how", "select")]
    assert group.fields[1].options == [(w, w) for w in WAIVER_WAYS]
    form = {"waiver.date": "2026-11-25", "waiver.how": "电话记录"}
    assert payload_from_form("close", form.get) == {
        "waiver": {"date": "2026-11-25", "how": "电话记录"}
    }
