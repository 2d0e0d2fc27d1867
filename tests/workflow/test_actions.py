"""workflow.actions: one declaration per action field, read by the checks and by the forms."""

from datetime import date, datetime

import pytest

from workflow.actions import FIELDS, validate_payload
from workflow.errors import InvalidInput
from workflow.lifecycle import ACTION_ROLES, CaseFacts
from workflow.periods import MAX_EXTENSION_DAYS

FACTS = CaseFacts(state="accepted", owner_staff_no="A001", now=datetime(2026, 11, 26))
TODAY = date(2026, 11, 26)


def test_every_declared_action_is_an_action() -> None:
    assert set(FIELDS) <= set(ACTION_ROLES)


def test_the_extension_limit_is_the_statute_s_in_the_check_and_the_form() -> None:
    """Art. 34: at most 30 days; the form's number input and the refusal say the same."""
    days = FIELDS["extend"][0]
    assert (days.minimum, days.maximum) == (1, MAX_EXTENSION_DAYS) == (1, 30)
    assert days.form_label == "延长天数（1至30日）"
    ok = validate_payload("extend", {"days": "30", "reason": "需现场核查"}, FACTS, TODAY)
    assert ok == {"days": 30, "reason": "需现场核查"}
    for bad in (0, 31, "三十", True, None):
        with pytest.raises(InvalidInput) as refused:
            validate_payload("extend", {"days": bad, "reason": "x"}, FACTS, TODAY)
        assert refused.value.code == "payload.days_invalid"
        assert "延长期限应为1至30日（《信访工作条例》第三十四条）" in str(refused.value)


@pytest.mark.parametrize(
    ("action", "payload", "code"),
    # The refusal's code and field are those the pages and the API show beside the field.
    [
        ("transfer", {"organ": "  "}, "payload.organ_required"),
        ("transfer", {"organ": "局" * 201}, "payload.organ_too_long"),
        ("reply", {"outcome": "maybe", "opinion": "x"}, "payload.outcome_invalid"),
        ("reply", {"outcome": "support"}, "payload.opinion_required"),
        ("assign", {"organ": "某区信访局", "report_by": "明天"}, "payload.report_by_invalid"),
        ("assign", {"organ": "某区信访局", "report_by": "2026-11-26"}, "payload.report_by_past"),
        ("reject", {}, "payload.reason_code_invalid"),
        (
            "record_evaluation",
            {"rating": "satisfied", "comment": "好" * 1001},
            "payload.comment_too_long",
        ),
    ],
)
def test_refusals_name_the_field(action: str, payload: dict, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_payload(action, payload, FACTS, TODAY)
    assert refused.value.code == code
    field = code.split(".")[1].removesuffix("_too_long").rsplit("_", 1)[0]
    assert refused.value.field == field


def test_optional_fields_left_blank_are_left_out_and_defaults_filled() -> None:
    reject = validate_payload("reject", {"reason_code": "litigation", "guidance": ""}, FACTS, TODAY)
    assert reject["reason_code"] == "litigation" and reject["guidance"]
    rate = validate_payload(
        "record_evaluation", {"rating": "satisfied", "comment": " "}, FACTS, TODAY
    )
    assert rate == {"rating": "satisfied"}
    assert validate_payload("request_review", {"anything": 1}, FACTS, TODAY) == {}


def test_withdraw_records_the_petitioners_request_when_and_how() -> None:
    """撤回 on the petitioner's written or recorded request: its date and way are checked when given
    (the contract's API takes ``{reason}`` alone; the window's form insists on the request)."""
    assert validate_payload("withdraw", {"reason": "不再反映"}, FACTS, TODAY) == {
        "reason": "不再反映"
    }
    with pytest.raises(InvalidInput) as refused:
        validate_payload(
            "withdraw", {"request": {"date": "2026-11-20"}, "reason": "x"}, FACTS, TODAY
        )
    assert refused.value.code.startswith("payload.")
    with pytest.raises(InvalidInput) as refused:
        validate_payload(
            "withdraw",
            {"request": {"date": "2026-11-27", "how": "书面"}, "reason": "x"},
            FACTS,
            TODAY,
        )
    assert refused.value.code == "withdraw.request_in_future"
    done = validate_payload(
        "withdraw",
        {"request": {"date": "2026-11-25", "how": "电话记录"}, "reason": "问题已解决"},
        FACTS,
        TODAY,
    )
    assert done == {"request": {"date": "2026-11-25", "how": "电话记录"}, "reason": "问题已解决"}
