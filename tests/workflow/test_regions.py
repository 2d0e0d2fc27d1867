"""The list of regions (GB/T 2260, workflow.regions): its data, the one label, the address match,
and the office's amendments."""

import pytest

from workflow import regions
from workflow.errors import InvalidInput

LISTED = regions.bundled()


def test_the_bundled_list_is_the_official_one_to_the_end_of_2024() -> None:
    """Every province-level division, and the changes of recent years: 莱芜市 went into 济南市
    (2019), 白杨市 (2023) and 和安县, 和康县 (2024) were set up."""
    assert len(LISTED.provinces()) == 34
    assert 2800 <= len(LISTED) <= 3300
    assert LISTED.region("371200") is None  # 莱芜市, abolished in 2019
    assert LISTED["370116"] == "济南市莱芜区"
    assert LISTED["659010"].endswith("胡杨河市") and LISTED["659012"].endswith("白杨市")
    assert LISTED["653229"] == "和田地区和安县" and LISTED["653228"] == "和田地区和康县"
    assert all(len(code) == 6 and code.isdigit() for code in LISTED)


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("320102", "南京市玄武区（320102）"),
        ("320583", "苏州市昆山市（320583）"),
        ("320100", "南京市（320100）"),
        ("320000", "江苏省（320000）"),
        ("110105", "北京市朝阳区（110105）"),  # a municipality's district
        ("429004", "湖北省仙桃市（429004）"),  # a county-level city under its province
        ("710000", "台湾省（710000）"),
        ("999999", "未收录区划（999999）"),
        ("320101", "未收录区划（320101）"),  # 市辖区 is no division of its own
    ],
)
def test_a_region_is_labelled_with_its_name_and_code(code: str, label: str) -> None:
    assert LISTED.label(code) == label == regions.label(code, LISTED)


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("江苏省南京市玄武区中山路1号", "320102"),
        ("南京市玄武区中山路1号", "320102"),
        ("南京玄武区中山路1号", "320102"),
        ("玄武区中山路1号", "320102"),  # only 南京 has a 玄武区
        ("江苏省玄武区中山路1号", "320102"),
        ("中国 上海市浦东新区世纪大道", "310115"),
        ("湖北省仙桃市", "429004"),
        ("苏州市昆山市前进路", "320583"),
        ("徐州市鼓楼区", "320302"),
        ("吉林市船营区", "220204"),  # 吉林市, not 吉林省
        ("东莞市南城街道", "441900"),
        ("江苏南京", "320100"),
        ("鼓楼区中山路", None),  # 南京、徐州、福州、开封 each have one
        ("某县某村", None),
    ],
)
def test_an_address_names_its_region_when_it_can(address: str, code: str | None) -> None:
    found = LISTED.from_address(address)
    assert (found.code if found else None) == code


def test_the_picker_levels_come_from_the_list() -> None:
    assert [r.code for r in LISTED.chain("320102")] == ["320000", "320100", "320102"]
    assert "320100" in [r.code for r in LISTED.children("320000")]
    assert "320102" in [r.code for r in LISTED.children("320100")]
    assert LISTED.children("320102") == []
    # A municipality's districts and a province's own counties sit directly under it.
    assert "110105" in [r.code for r in LISTED.children("110000")]
    assert "429004" in [r.code for r in LISTED.children("420000")]


def test_the_office_amends_the_list() -> None:
    amended = regions.office_list(
        {"653132": "喀什地区岑岭县", "659013": "草湖市", "320102": "新玄武区", "320106": None}
    )
    assert amended.label("653132") == "喀什地区岑岭县（653132）"
    assert amended.region("653132").parent == "653100"
    assert amended.label("659013") == "新疆维吾尔自治区草湖市（659013）"
    assert amended["320102"] == "南京市新玄武区"
    assert not amended.accepts("320106") and amended.label("320106") == "南京市鼓楼区（320106）"
    assert "320106" not in [r.code for r in amended.children("320100")]
    assert LISTED.region("653132") is None  # the bundled list itself is untouched
    assert regions.office_list({}) is LISTED


@pytest.mark.parametrize(
    ("amendments", "says"),
    [
        ({"65313": "某县"}, "6位数字"),
        ({"100000": "全国"}, "6位数字"),
        ({"999901": "某县"}, "上级区划不在行政区划表中"),
        ({"999999": None}, "不在行政区划表中"),
        ({"653132": "县" * 51}, "50字以内"),
    ],
)
def test_a_bad_amendment_is_refused(amendments: dict[str, str | None], says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        regions.office_list(amendments)
    assert says in refused.value.message and refused.value.code == "office.bad_regions"


def test_amendments_are_read_from_json_or_the_ministry_s_table() -> None:
    assert regions.parse_amendments('{"653132": "岑岭县", "371200": null}') == {
        "653132": "岑岭县",
        "371200": None,
    }
    table = "\ufeff行政区划代码,单位名称\n# 2025年变更\n653132,岑岭县\n\n320106,\n"
    assert regions.parse_amendments(table) == {"653132": "岑岭县", "320106": None}
    assert regions.parse_amendments("653132\t岑岭县\n") == {"653132": "岑岭县"}
    with pytest.raises(InvalidInput, match="第3行"):
        regions.parse_amendments("653132,岑岭县\n659013,草湖市\n65901,x\n")
