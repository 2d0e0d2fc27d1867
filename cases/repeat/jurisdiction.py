"""Where a matter belongs (属地管理、分级负责, 条例第五条) and whether a visit is skip-level (越级访).

A matter belongs to the lowest level of its region code; a visit to that level or the one directly
above is lawful (第二十条); a visit two or more levels above, about a matter not yet handled below,
is skip-level (``workflow.skip_level``: visits only, never a letter, call or online petition), and
the office offers the transfer to the organ with authority (第二十二条). The office's own level,
region, the organs it transfers to and its amendments to the list of regions
(``workflow.regions``) are configured on the ``office`` row, each checked against that list.
Every path that registers a case classifies it here (``cases.casework.intake.intake``).
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from cases.models import Office
from cases.store import fastsql, statements
from workflow import regions
from workflow.errors import InvalidInput
from workflow.lifecycle import CHANNEL_LABELS
from workflow.skip_level import is_skip_level

office_t = Office.__table__

LEVELS = ("national", "province", "city", "county")
LEVEL_LABELS = {"national": "国家级", "province": "省级", "city": "市级", "county": "县级"}
#: Provinces whose counties (districts) sit directly under the province: the municipalities.
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
#: The city digits of 省直辖县级行政区划 (e.g. 429004 仙桃市): no city level above the county.
DIRECT_COUNTIES = "90"
#: What the office is when no office row is configured (the defaults of ``cases.models.Office``).
DEFAULT_LEVEL = "province"
DEFAULT_REGION = "320000"


@dataclass(frozen=True)
class Jurisdiction:
    """Where a matter belongs, seen from this office: skip-level or not, and whom to transfer to."""

    office_level: str
    office_region: str
    matter_region: str
    matter_level: str
    within: bool
    steps: int
    skip_level: bool
    offer_transfer: bool
    organ: str
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        """As stored in the case's details and shown on the form."""
        return asdict(self)


def matter_chain(region_code: str) -> list[tuple[str, str]]:
    """The levels above and at a region code, from the nation down: [(level, region code)].

    320102 → national, 320000, 320100, 320102. A municipality's district (110105) and a county
    directly under its province (429004) have no city level between them and the province; a
    city's 市辖区 placeholder (320101) is the city itself. 100000 (the nation) is national.
    """
    chain = [("national", "000000")]
    province, city, county = region_code[:2], region_code[2:4], region_code[4:]
    if province in ("00", "10"):
        return chain
    chain.append(("province", f"{province}0000"))
    if city == "00":
        return chain
    if province in MUNICIPALITIES or city == DIRECT_COUNTIES:
        if county != "00":
            chain.append(("county", region_code))
        return chain
    chain.append(("city", f"{province}{city}00"))
    if county not in ("00", "01"):
        chain.append(("county", region_code))
    return chain


def _covers(level: str, office_region: str, region_code: str) -> bool:
    """Whether an office of this level and region has the region code in its area."""
    if level == "national":
        return True
    if level == "province":
        return region_code[:2] == office_region[:2]
    if level == "city":
        return region_code[:4] == office_region[:4]
    return region_code == office_region


def _office(conn: Connection) -> tuple[str, str, dict[str, str], regions.Regions]:
    """The office row's level, region, organs and list of regions (one read)."""
    row = fastsql.first(conn, statements.OFFICE)  # every intake reads it: the fast path
    if row is None:
        return DEFAULT_LEVEL, DEFAULT_REGION, {}, regions.bundled()
    configured = (row.policy or {}).get("jurisdiction") or {}
    level = row.level if row.level in LEVELS else DEFAULT_LEVEL
    organs = {str(k): str(v) for k, v in (configured.get("organs") or {}).items()}
    try:
        listed = regions.office_list(configured.get("regions"))
    except InvalidInput:  # stored before amendments were checked: the bundled list stands
        listed = regions.bundled()
    return level, row.region_code, organs, listed


def office_jurisdiction(conn: Connection) -> tuple[str, str, dict[str, str]]:
    """The office's level, region code and the organs it transfers to, by region code."""
    return _office(conn)[:3]


def region_names(conn: Connection) -> regions.Regions:
    """The office's list of regions: code → full name (320106 → 南京市鼓楼区), GB/T 2260 as
    bundled with the office's amendments."""
    return _office(conn)[3]


def region_amendments(conn: Connection) -> dict[str, str | None]:
    """The office's own amendments to the list of regions, as loaded."""
    row = fastsql.first(conn, statements.OFFICE)
    configured = ((row.policy or {}) if row is not None else {}).get("jurisdiction") or {}
    return dict(configured.get("regions") or {})


def region_label(code: str, names: Mapping[str, str]) -> str:
    """「南京市鼓楼区（320106）」: ``workflow.regions.label``, the one label of a region."""
    return regions.label(code, names)


def check_office(
    listed: regions.Regions, level: str, region_code: str, organs: Mapping[str, str]
) -> None:
    """The office's level and region, and the regions of its organs, against the list."""
    if level not in LEVELS:
        raise InvalidInput(
            "office.bad_level", "机构层级应为 national、province、city 或 county", field="level"
        )
    if not (len(region_code) == 6 and region_code.isdigit()):
        raise InvalidInput("office.bad_region", "行政区划代码应为6位数字", field="region_code")
    own = listed.region(region_code)
    if level == "national":
        if region_code not in regions.NATION:
            raise InvalidInput(
                "office.bad_region", "国家级机关的行政区划代码应为100000", field="region_code"
            )
    elif own is None or not own.current:
        raise InvalidInput(
            "office.bad_region",
            f"行政区划代码{region_code}不在行政区划表（GB/T 2260）中",
            field="region_code",
        )
    elif own.level != level:
        raise InvalidInput(
            "office.bad_region",
            f"{listed.label(region_code)}是{LEVEL_LABELS[own.level]}行政区划，"
            f"与本机关层级（{LEVEL_LABELS[level]}）不符",
            field="region_code",
        )
    unknown = [code for code in organs if not listed.accepts(code)]
    if unknown:
        raise InvalidInput(
            "office.bad_names",
            f"转送机关的行政区划代码不在行政区划表中：{'、'.join(sorted(unknown)[:5])}",
            field="organs",
        )
    blank = [code for code, organ in organs.items() if not str(organ).strip()]
    if blank:
        raise InvalidInput(
            "office.bad_names", f"转送机关名称不能为空：{'、'.join(blank[:5])}", field="organs"
        )


def configure_office(
    conn: Connection,
    *,
    level: str,
    region_code: str,
    name: str | None = None,
    organs: Mapping[str, str] | None = None,
    amendments: Mapping[str, str | None] | None = None,
) -> None:
    """Set the office's level and region code, the organs it transfers to, and its amendments to
    the list of regions (code → name, or None for abolished; None keeps what was configured).
    Each is checked against the list as amended."""
    row = conn.execute(select(office_t).order_by(office_t.c.id)).first()
    policy = dict(row.policy or {}) if row is not None else {}
    configured = dict(policy.get("jurisdiction") or {})
    if organs is not None:
        configured["organs"] = {code: str(organ).strip() for code, organ in organs.items()}
    if amendments is not None:
        amended = regions.office_list(amendments)  # refuses a bad amendment
        # Stored as the list reads them: 南京市玄武区 is kept as 玄武区 under 南京市.
        configured["regions"] = {
            code: own.name if (own := amended.region(code)) and own.current else None
            for code in amendments
        }
    check_office(
        regions.office_list(configured.get("regions")),
        level,
        region_code,
        configured.get("organs") or {},
    )
    policy["jurisdiction"] = configured
    values = {"level": level, "region_code": region_code, "policy": policy}
    if row is None:
        conn.execute(insert(office_t), {"name": name or "信访接待窗口", **values})
    else:
        conn.execute(
            update(office_t)
            .where(office_t.c.id == row.id)
            .values(**values, **({"name": name} if name else {}))
        )


def classify(
    region_code: str,
    *,
    channel: str,
    office_level: str,
    office_region: str,
    organs: Mapping[str, str] | None = None,
    handled_below: bool = False,
    names: Mapping[str, str] | None = None,
) -> Jurisdiction:
    """Whether a petition by ``channel`` about a matter in ``region_code`` is a skip-level visit here.

    The matter belongs to the lowest level of its region code (属地管理、分级负责, 第五条).
    ``steps`` counts the levels from the office down to that level. 0 or 1 step is the level with
    authority or the one directly above it, where a visit is lawful (第二十条); 2 or more steps is
    越级访 for a visit only (``workflow.skip_level``), unless the matter has already been handled
    below (``handled_below``). A matter outside the office's area, or above it, is not skip-level
    but is transferred to the organ with authority (第二十二条).
    """
    chain = matter_chain(region_code)
    matter_level, responsible = chain[-1]
    known = (names or {}).get(responsible)
    organ = (organs or {}).get(responsible) or (
        f"{known}信访工作机构"
        if known
        else f"行政区划{responsible}的{LEVEL_LABELS[matter_level]}信访工作机构"
    )
    levels = [level for level, _ in chain]
    within = _covers(office_level, office_region, region_code) and office_level in levels
    if not within:
        return Jurisdiction(
            office_level=office_level,
            office_region=office_region,
            matter_region=region_code,
            matter_level=matter_level,
            within=False,
            steps=0,
            skip_level=False,
            offer_transfer=True,
            organ=organ,
            explanation=f"该事项不属于本机关管辖范围，应转送{organ}处理（第二十二条）",
        )
    steps = levels.index(matter_level) - levels.index(office_level)
    skip = is_skip_level(channel, steps=steps, handled_below=handled_below)
    if steps == 0:
        text = "该事项属于本级管辖"
    elif handled_below:
        text = f"该事项属于{LEVEL_LABELS[matter_level]}管辖，已经下级机关处理，可依法受理复查等请求"
    elif skip:
        text = (
            f"越级访：该事项属于{LEVEL_LABELS[matter_level]}管辖（{responsible}），"
            f"信访人跨越本级和上一级机关走访（第二十条），宜转送{organ}处理"
        )
    elif steps >= 2:
        text = (
            f"该事项属于{LEVEL_LABELS[matter_level]}管辖（{responsible}），"
            f"{CHANNEL_LABELS.get(channel, channel)}不属于越级访（越级访仅指走访，第二十条），"
            f"宜转送{organ}处理"
        )
    else:
        text = (
            f"该事项属于{LEVEL_LABELS[matter_level]}管辖，本机关为其上一级（第二十条），"
            f"可转送{organ}就地处理"
        )
    return Jurisdiction(
        office_level=office_level,
        office_region=office_region,
        matter_region=region_code,
        matter_level=matter_level,
        within=True,
        steps=steps,
        skip_level=skip,
        offer_transfer=steps >= 1 and not handled_below,
        organ=organ,
        explanation=text,
    )


def classify_here(
    conn: Connection, region_code: str, *, channel: str, handled_below: bool = False
) -> Jurisdiction:
    """``classify`` with this office's configured level, region, organs and region names."""
    level, region, organs, names = _office(conn)
    return classify(
        region_code,
        channel=channel,
        office_level=level,
        office_region=region,
        organs=organs,
        handled_below=handled_below,
        names=names,
    )
