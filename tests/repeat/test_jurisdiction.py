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
        # Region names: the transfer offer names the organ by its region; the organs stay.
        jurisdiction.configure_office(
            conn, level="province", region_code="320000", regions={"320106": "南京市鼓楼区"}
        )
        assert jurisdiction.office_jurisdiction(conn)[2] == {"320102": "玄武区信访局"}
        assert (
            jurisdiction.classify_here(conn, "320106", channel="visit").organ
            == "南京市鼓楼区信访工作机构"
        )
        assert jurisdiction.region_names(conn) == {"320106": "南京市鼓楼区"}
