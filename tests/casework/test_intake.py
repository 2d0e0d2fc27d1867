"""Intake validation: normalisation, each refusal's code and Chinese message, masks."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from workflow import regions
from workflow.errors import InvalidInput
from workflow.intake import (
    IntakeIn,
    ValidIntake,
    mask_id_number,
    mask_phone,
    validate_id_number,
    validate_intake,
    validate_phone,
)

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=CST)
CJK = re.compile(r"[\u4e00-\u9fff]")


def gb11643(first17: str) -> str:
    """Append the GB 11643 check digit, computed independently of stdnum."""
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


VALID_ID = gb11643("32010219900101123")
KNOWN_ID = "11010519491231002X"  # the GB 11643 standard's own example


def person(name: str = "张三", **kw: Any) -> dict[str, Any]:
    return {"name": name, "phone": "13800138000", **kw}


def body(**overrides: Any) -> dict[str, Any]:
    b: dict[str, Any] = {
        "channel": "visit",
        "category": "appeal",
        "petitioner": {
            "name": "  张三 ",
            "id_number": VALID_ID,
            "phone": "138 0013 8000",
            "address": "南京市玄武区北京东路41号",
        },
        "region_code": "320102",
        "subject": "拖欠工资",
        "content": "某公司拖欠工资三个月。",
        "requests": "请求督促支付",
    }
    b.update(overrides)
    return b


def refused(b: Any, now: datetime = NOW) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        validate_intake(b, now=now)
    err = info.value
    assert CJK.search(err.message), err.message
    for item in err.details["errors"]:
        assert set(item) == {"field", "code", "message"}
        assert CJK.search(item["message"]), item
    return err


# --- valid intake ----------------------------------------------------------------------------


def test_valid_intake_is_normalised() -> None:
    v = validate_intake(body(), now=NOW)
    assert isinstance(v, ValidIntake)
    assert v.petitioner.name == "张三"
    assert v.petitioner.id_number == VALID_ID
    assert v.petitioner.phone == "+8613800138000"
    assert v.received_at == NOW
    assert v.group_size == 1 and v.representatives == ()
    assert v.confidential is False
    assert v.accused is None


def test_lowercase_x_fullwidth_and_fixed_line_are_normalised() -> None:
    b = body()
    b["petitioner"] = {"name": "李四", "id_number": "110105 19491231 002x", "phone": "010-88886666"}
    v = validate_intake(b, now=NOW)
    assert v.petitioner.id_number == KNOWN_ID
    assert v.petitioner.phone == "+861088886666"
    b["petitioner"] = {"name": "李四", "phone": "１３８００１３８０００"}
    assert validate_intake(b, now=NOW).petitioner.phone == "+8613800138000"


def test_blank_optional_fields_mean_not_given() -> None:
    b = body(petitioner={"name": "王五", "id_number": "", "phone": " ", "address": "某路1号"})
    v = validate_intake(b, now=NOW)
    assert v.petitioner.id_number is None and v.petitioner.phone is None
    assert v.petitioner.address == "某路1号"


def test_letter_with_only_name_and_address_is_accepted() -> None:
    b = body(channel="letter", petitioner={"name": "赵六", "address": "某县某村"})
    assert validate_intake(b, now=NOW).petitioner.address == "某县某村"


def test_accusation_is_confidential_and_keeps_accused() -> None:
    v = validate_intake(
        body(category="accusation", accused={"name": " 某某 ", "unit": "某局"}), now=NOW
    )
    assert v.confidential is True
    assert v.accused is not None and v.accused.name == "某某" and v.accused.unit == "某局"


def test_received_at_in_the_past_is_kept() -> None:
    v = validate_intake(body(received_at="2026-11-25T09:30:00+08:00"), now=NOW)
    assert v.received_at == datetime(2026, 11, 25, 9, 30, tzinfo=CST)
    # exactly now is not "in the future"
    assert validate_intake(body(received_at=NOW.isoformat()), now=NOW).received_at == NOW


def test_residence_permit_numbers_are_accepted() -> None:
    # 港澳台居民居住证 carry 81/82/83 codes and the same GB 11643 check digit.
    permit = gb11643("83000019900101123")
    assert validate_id_number(permit) == permit


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("petitioner", "code", "field", "message"),
    [
        ({"name": "  ", "phone": "13800138000"}, "intake.name_required", "petitioner.name", "信访人姓名不能为空"),
        ({"phone": "13800138000"}, "intake.name_required", "petitioner.name", "信访人姓名不能为空"),
        ({"name": "张" * 51, "phone": "13800138000"}, "intake.name_too_long", "petitioner.name", "信访人姓名不能超过50个字"),
        ({"name": "张三", "id_number": VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1")}, "intake.id_number_invalid", "petitioner.id_number", "信访人身份证号码校验位不正确"),
        ({"name": "张三", "id_number": "12345"}, "intake.id_number_invalid", "petitioner.id_number", "信访人身份证号码应为18位"),
        ({"name": "张三", "id_number": "320102900101123"}, "intake.id_number_invalid", "petitioner.id_number", "15位"),
        ({"name": "张三", "id_number": gb11643("32010219901301123")}, "intake.id_number_invalid", "petitioner.id_number", "出生日期不正确"),
        ({"name": "张三", "id_number": gb11643("32010220300101123")}, "intake.id_number_invalid", "petitioner.id_number", "出生日期晚于今天"),
        ({"name": "张三", "id_number": gb11643("99010219900101123")}, "intake.id_number_invalid", "petitioner.id_number", "地区码"),
        ({"name": "张三", "phone": "88886666"}, "intake.phone_invalid", "petitioner.phone", "信访人联系电话号码无效"),
        ({"name": "张三", "phone": "not a phone"}, "intake.phone_invalid", "petitioner.phone", "信访人联系电话格式不正确"),
        ({"name": "张三", "phone": "4008238238"}, "intake.phone_invalid", "petitioner.phone", "手机或固定电话"),
        ({"name": "张三", "address": "路" * 201}, "intake.address_too_long", "petitioner.address", "信访人地址不能超过200个字"),
        ({"name": "张三"}, "intake.no_contact", "petitioner", "信访人应至少填写身份证号码、联系电话或地址"),
        ({"name": "张三", "phone": "13800138000", "email": "a@b.c"}, "intake.unknown_field", "petitioner.email", "不认识的字段"),
    ],
)  # fmt: skip
def test_bad_petitioner(petitioner: dict[str, Any], code: str, field: str, message: str) -> None:
    err = refused(body(petitioner=petitioner))
    assert (err.code, err.field) == (code, field)
    assert message in err.message


@pytest.mark.parametrize(
    ("overrides", "code", "field", "message"),
    [
        ({"channel": "fax"}, "intake.channel_invalid", "channel", "信访形式应为"),
        ({"category": "complaint"}, "intake.category_invalid", "category", "信访事项类别应为"),
        ({"region_code": "32010"}, "intake.region_code_invalid", "region_code", "行政区划代码应为6位数字"),
        ({"region_code": "32O102"}, "intake.region_code_invalid", "region_code", "行政区划代码应为6位数字"),
        ({"region_code": ""}, "intake.region_code_required", "region_code", "行政区划不能为空"),
        ({"region_code": "999999"}, "intake.region_unknown", "region_code", "行政区划代码999999不在行政区划表（GB/T 2260）中"),
        ({"region_code": "371200"}, "intake.region_unknown", "region_code", "不在行政区划表"),  # 莱芜市, merged into 济南市 in 2019
        ({"region_code": "320101"}, "intake.region_unknown", "region_code", "不在行政区划表"),  # 市辖区: no division of its own
        ({"subject": ""}, "intake.subject_required", "subject", "信访事项标题不能为空"),
        ({"subject": "事" * 201}, "intake.subject_too_long", "subject", "不能超过200个字"),
        ({"content": " "}, "intake.content_required", "content", "信访内容不能为空"),
        ({"content": "字" * 20001}, "intake.content_too_long", "content", "不能超过20000个字"),
        ({"requests": "求" * 5001}, "intake.requests_too_long", "requests", "诉求不能超过5000个字"),
        ({"group_size": 0}, "intake.group_size_invalid", "group_size", "来访人数应为1至10000的整数"),
        ({"group_size": 10001}, "intake.group_size_invalid", "group_size", "来访人数"),
        ({"group_size": True}, "intake.group_size_invalid", "group_size", "来访人数"),
        ({"group_size": "many"}, "intake.group_size_invalid", "group_size", "来访人数"),
        ({"received_at": "yesterday"}, "intake.received_at_invalid", "received_at", "接收时间格式不正确"),
        ({"accused": {"unit": "单" * 201}}, "intake.unit_too_long", "accused.unit", "被反映人单位不能超过200个字"),
        ({"priority": "high"}, "intake.unknown_field", "priority", "不认识的字段：priority"),
    ],
)  # fmt: skip
def test_bad_field(overrides: dict[str, Any], code: str, field: str, message: str) -> None:
    err = refused(body(**overrides))
    assert (err.code, err.field) == (code, field)
    assert message in err.message


def test_missing_required_fields_are_all_listed() -> None:
    err = refused({})
    fields = [e["field"] for e in err.details["errors"]]
    assert fields == ["channel", "category", "petitioner", "region_code", "subject", "content"]
    assert err.code == "intake.channel_required" and err.field == "channel"
    assert "另有5处" in err.message


def test_every_field_error_is_listed_next_to_its_field() -> None:
    b = body(region_code="abc")
    b["petitioner"] = {"name": "", "id_number": "110105194912310021", "phone": "123"}
    err = refused(b)
    by_field = {e["field"]: e for e in err.details["errors"]}
    assert set(by_field) == {
        "petitioner.name",
        "petitioner.id_number",
        "petitioner.phone",
        "region_code",
    }
    assert by_field["petitioner.name"]["message"] == "信访人姓名不能为空"
    assert by_field["petitioner.id_number"]["code"] == "intake.id_number_invalid"
    assert by_field["petitioner.phone"]["code"] == "intake.phone_invalid"
    assert by_field["region_code"]["message"] == "行政区划代码应为6位数字"
    assert err.field == "petitioner.name"


def test_body_that_is_not_an_object_is_refused() -> None:
    err = refused(["not", "an", "object"])
    assert err.code == "intake.body_invalid" and err.field is None


# --- group visits (条例第二十条) ------------------------------------------------------------------


def reps(n: int) -> list[dict[str, Any]]:
    return [person(f"代表{i}", phone=f"1380013800{i}") for i in range(n)]


def test_group_of_six_without_representatives_is_refused() -> None:
    err = refused(body(group_size=6))
    assert (err.code, err.field) == ("intake.representatives_required", "representatives")
    assert "代表" in err.message


def test_group_of_six_with_six_representatives_is_refused() -> None:
    err = refused(body(group_size=6, representatives=reps(6)))
    assert (err.code, err.field) == ("intake.too_many_representatives", "representatives")
    assert "不得超过5人" in err.message


def test_group_of_six_with_five_representatives_is_accepted() -> None:
    v = validate_intake(body(group_size=6, representatives=reps(5)), now=NOW)
    assert v.group_size == 6
    assert [r.name for r in v.representatives] == [f"代表{i}" for i in range(5)]
    assert v.representatives[0].phone == "+8613800138000"


def test_more_representatives_than_people_is_refused() -> None:
    err = refused(body(group_size=2, representatives=reps(3)))
    assert err.code == "intake.too_many_representatives"


def test_representatives_without_a_group_are_refused() -> None:
    err = refused(body(representatives=reps(1)))
    assert err.code == "intake.representatives_without_group"


def test_representatives_ids_and_phones_are_validated() -> None:
    group = reps(2)
    group[1] = {"name": "代表1", "id_number": "110105194912310021", "phone": "12345"}
    err = refused(body(group_size=3, representatives=group))
    by_field = {e["field"]: e for e in err.details["errors"]}
    assert by_field["representatives.1.id_number"]["code"] == "intake.id_number_invalid"
    assert by_field["representatives.1.id_number"]["message"].startswith("第2位代表身份证号码")
    assert by_field["representatives.1.phone"]["code"] == "intake.phone_invalid"


def test_representative_without_contact_is_refused() -> None:
    err = refused(body(group_size=3, representatives=[{"name": "代表"}]))
    assert (err.code, err.field) == ("intake.no_contact", "representatives.0")
    assert err.message.startswith("第1位代表应至少填写")


# --- received_at -----------------------------------------------------------------------------------


def test_future_received_at_is_refused() -> None:
    later = (NOW + timedelta(seconds=1)).isoformat()
    err = refused(body(received_at=later))
    assert (err.code, err.field) == ("intake.received_in_future", "received_at")
    assert err.message == "接收时间不能晚于当前时间"


def test_future_is_judged_across_time_zones() -> None:
    # 02:30 UTC is 10:30 in Shanghai: half an hour after NOW.
    err = refused(body(received_at="2026-11-26T02:30:00+00:00"))
    assert err.code == "intake.received_in_future"


def test_naive_received_at_is_refused() -> None:
    err = refused(body(received_at="2026-11-26T09:30:00"))
    assert (err.code, err.field) == ("intake.received_at_naive", "received_at")
    assert "时区" in err.message
    err = refused(body(received_at=datetime(2026, 11, 26, 9, 30)))
    assert err.code == "intake.received_at_naive"


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        validate_intake(body(), now=datetime(2026, 11, 26, 10, 0))


def test_model_without_context_still_checks_fields() -> None:
    # IntakeIn may serve as an API schema; without `now` it cannot judge the future.
    m = IntakeIn.model_validate(body(received_at="2099-01-01T00:00:00+08:00"))
    assert m.received_at is not None and m.received_at.year == 2099
    # The years no petition is in are refused all the same (1900–2100).
    with pytest.raises(ValidationError):
        IntakeIn.model_validate(body(received_at="2999-01-01T00:00:00+08:00"))


# --- reusable validators and masks -------------------------------------------------------------


def test_validate_id_number() -> None:
    assert validate_id_number("11010519491231002x") == KNOWN_ID
    with pytest.raises(InvalidInput) as info:
        validate_id_number("110105194912310021", field="representatives.0.id_number")
    assert info.value.code == "intake.id_number_invalid"
    assert info.value.field == "representatives.0.id_number"
    assert "校验位" in info.value.message


def test_validate_phone() -> None:
    assert validate_phone("+86 138-0013-8000") == "+8613800138000"
    assert validate_phone("0755-12345678") == "+8675512345678"
    with pytest.raises(InvalidInput) as info:
        validate_phone("1380013800")
    assert (info.value.code, info.value.field) == ("intake.phone_invalid", "phone")


def test_mask_id_number() -> None:
    assert mask_id_number("320102199001011234") == "3201**********1234"
    assert mask_id_number(KNOWN_ID) == "1101**********002X"
    assert mask_id_number(None) is None


def test_mask_phone() -> None:
    assert mask_phone("+8613800138000") == "138****8000"
    assert mask_phone("+861088886666") == "010-****6666"
    assert mask_phone("+8675512345678") == "0755-****5678"
    assert mask_phone("+85291234567") == "+852****4567"
    assert mask_phone(None) is None


def test_the_region_is_checked_against_the_office_s_list() -> None:
    """A code the office added is accepted; one it abolished is refused with its name."""
    amended = regions.office_list({"653132": "岑岭县", "320106": None})
    assert validate_intake(body(region_code="653132"), now=NOW, regions=amended).region_code == (
        "653132"
    )
    with pytest.raises(InvalidInput) as refused_:
        validate_intake(body(region_code="320106"), now=NOW, regions=amended)
    assert refused_.value.code == "intake.region_unknown"
    assert "行政区划南京市鼓楼区（320106）已撤销" in refused_.value.message
    with pytest.raises(InvalidInput):  # without the office's list, the bundled one
        validate_intake(body(region_code="653132"), now=NOW)
