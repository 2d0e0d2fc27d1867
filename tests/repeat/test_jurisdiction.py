"""Where a matter belongs and whether a visit is skip-level (越级访), and the office's settings."""

import pytest
from sqlalchemy import Engine

from cases.repeat import jurisdiction
from workflow.errors import InvalidInput


@pytest.mark.parametrize(
    ("office", "region", "handled_below", "skip", "steps", "within", "offer"),
    [
        (
            ("province", "320000"),
            "320102",
            False,
            True,
            2,
            True,
            True,
        ),  # county matter at the province
        (("province", "320000"), "320102", True, False, 2, True, False),  # handled below first
        (("province", "320000"), "320100", False, False, 1, True, True),  # 上一级: lawful
        (("province", "320000"), "320101", False, False, 1, True, True),  # 市辖区 is the city
        (("province", "320000"), "320000", False, False, 0, True, False),  # its own level
        (("province", "320000"), "330102", False, False, 0, False, True),  # another province
        (
            ("province", "110000"),
            "110105",
            False,
            False,
            1,
            True,
            True,
        ),  # a municipality's district
        (("province", "420000"), "429004", False, False, 1, True, True),  # 省直辖县级 (仙桃)
        (("national", "100000"), "320102", False, True, 3, True, True),
        (("national", "100000"), "320000", False, False, 1, True, True),
        (("city", "320100"), "320102", False, False, 1, True, True),
        (("city", "320100"), "320000", False, False, 0, False, True),  # above the city
        (("county", "320102"), "320102", False, False, 0, True, False),
        (("county", "320102"), "320106", False, False, 0, False, True),
    ],
)
def test_the_rule_of_skip_level(
    office: tuple[str, str],
    region: str,
    handled_below: bool,
    skip: bool,
    steps: int,
    within: bool,
    offer: bool,
) -> None:
    where = jurisdiction.classify(
        region,
        channel="visit",
        office_level=office[0],
        office_region=office[1],
        handled_below=handled_below,
    )
    assert (where.skip_level, where.steps, where.within, where.offer_transfer) == (
        skip,
        steps,
        within,
        offer,
    )
    if skip:
        assert "越级访" in where.explanation and "第二十条" in where.explanation


def test_the_office_configures_its_level_region_and_organs(engine: Engine) -> None:
    with engine.begin() as conn:
        assert jurisdiction.office_jurisdiction(conn) == ("province", "320000", {})
        jurisdiction.configure_office(
            conn, level="city", region_code="320100", organs={"320102": "玄武区信访局"}
        )
        where = jurisdiction.classify_here(conn, "320102", channel="visit")
        assert (where.office_level, where.steps, where.organ) == ("city", 1, "玄武区信访局")
        with pytest.raises(InvalidInput):
            jurisdiction.configure_office(conn, level="township", region_code="320100")
        # Without an organ configured, the transfer offer names the region's organ from the list.
        assert (
            jurisdiction.classify_here(conn, "320106", channel="visit").organ
            == "南京市鼓楼区信访工作机构"
        )
        jurisdiction.configure_office(conn, level="province", region_code="320000")
        assert jurisdiction.office_jurisdiction(conn)[2] == {"320102": "玄武区信访局"}


@pytest.mark.parametrize(
    ("level", "region", "organs", "message"),
    [
        ("city", "999999", None, "不在行政区划表"),
        ("city", "320000", None, "江苏省（320000）是省级行政区划，与本机关层级（市级）不符"),
        ("county", "320100", None, "与本机关层级（县级）不符"),
        ("national", "320000", None, "国家级机关的行政区划代码应为100000"),
        (
            "province",
            "320000",
            {"999999": "某信访局"},
            "转送机关的行政区划代码不在行政区划表中：999999",
        ),
        ("province", "320000", {"320102": " "}, "转送机关名称不能为空"),
    ],
)
def test_the_office_is_checked_against_the_list_of_regions(
    engine: Engine, level: str, region: str, organs: dict[str, str] | None, message: str
) -> None:
    """An unknown code is neither the office's region nor a transfer target; nothing is stored."""
    with engine.begin() as conn, pytest.raises(InvalidInput) as refused:
        jurisdiction.configure_office(conn, level=level, region_code=region, organs=organs)
    assert message in refused.value.message
    with engine.begin() as conn:
        assert jurisdiction.office_jurisdiction(conn) == ("province", "320000", {})


def test_the_office_amends_the_list_and_names_follow(engine: Engine) -> None:
    """A county set up after the bundled list is added (its name written with its prefecture or
    not), a renamed one takes its new name, an abolished one keeps its name for old cases."""
    with engine.begin() as conn:
        jurisdiction.configure_office(
            conn,
            level="province",
            region_code="650000",
            amendments={"653132": "喀什地区岑岭县", "320102": "玄武区", "320106": None},
            organs={"653132": "岑岭县信访局"},
        )
        listed = jurisdiction.region_names(conn)
        assert listed.label("653132") == "喀什地区岑岭县（653132）"
        assert jurisdiction.region_amendments(conn)["653132"] == "岑岭县"
        assert listed.accepts("653132") and not listed.accepts("320106")
        assert listed.label("320106") == "南京市鼓楼区（320106）"
        assert jurisdiction.classify_here(conn, "653132", channel="visit").organ == "岑岭县信访局"
        with pytest.raises(InvalidInput, match="上级区划不在行政区划表中"):
            jurisdiction.configure_office(
                conn, level="province", region_code="650000", amendments={"999901": "某县"}
            )
        with pytest.raises(InvalidInput, match="已撤销|不在行政区划表"):
            jurisdiction.configure_office(
                conn, level="city", region_code="320100", amendments={"320100": None}
            )
