"""The intake form's region picker, for browsers without JavaScript: province → city → county
selects, each step posting the whole form back to list the next level, beside the code itself;
and the region filled from the petitioner's address when the form leaves it empty.

The selects and the code field agree on the page as rendered (``region.shown`` carries the code
they showed). On a post, a code typed anew wins; otherwise selects changed since win, and when they
stop above a county the form comes back listing the next level instead of registering.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from api.deps import form_str
from cases.repeat.jurisdiction import LEVEL_LABELS
from workflow.regions import Region, Regions

#: The selects, from the province down.
SELECTS = ("region.1", "region.2", "region.3")
SHOWN = "region.shown"
#: The button that asks for the next level (or for the address's region) instead of registering.
STEP = "region_step"


@dataclass(frozen=True)
class Settled:
    """The region a posted form names, and what to tell the clerk when the form comes back."""

    code: str
    notice: str | None = None


def _picked(form: FormData | Mapping[str, Any], listed: Regions) -> str:
    """The deepest region the selects name, each under the one above it."""
    code: str | None = None
    for name in SELECTS:
        value = form_str(form, name)
        region = listed.region(value) if value else None
        if region is None or region.parent != code or not region.current:
            break
        code = value
    return code or ""


def settle(form: FormData | Mapping[str, Any], listed: Regions) -> Settled:
    """The region code a posted intake form means, with a notice when the form must come back
    before registering: a level still to choose, or a region just read from the address."""
    typed, shown = form_str(form, "region_code"), form_str(form, SHOWN)
    picked = _picked(form, listed)
    step = form_str(form, STEP)
    if step == "address" or (not step and not typed and not picked):
        return _from_address(form_str(form, "petitioner.address"), listed, typed, step)
    code = typed if typed != shown or not picked else picked
    if step == "pick" or (code == picked != shown and listed.children(picked)):
        return Settled(code, _chosen(listed, code))
    return Settled(code)


def _from_address(address: str, listed: Regions, typed: str, step: str) -> Settled:
    """The region the address names, to be checked by the clerk before registering."""
    found = listed.from_address(address) if address else None
    if found is not None:
        return Settled(
            found.code, f"已根据地址填写行政区划：{listed.label(found.code)}，请核对后提交"
        )
    if step == "address":
        return Settled(typed, "未能从地址识别行政区划，请逐级选择或填写行政区划代码")
    return Settled(typed)


def _chosen(listed: Regions, code: str) -> str:
    """What the form says when it comes back with a level chosen."""
    if not code:
        return "请选择省级行政区划"
    if not listed.accepts(code):
        return f"行政区划代码{code}不在行政区划表中，请逐级选择"
    if listed.children(code):
        return f"已选择{listed.label(code)}；可继续选择下一级，或直接提交"
    return f"已选择{listed.label(code)}，请核对后提交"


def with_code(form: FormData, code: str) -> FormData:
    """The form with its region code replaced (what the intake body is read from)."""
    items = [(k, v) for k, v in form.multi_items() if k != "region_code"]
    return FormData([*items, ("region_code", code)])


def levels(listed: Regions, code: str) -> list[dict[str, Any]]:
    """The selects to show for a chosen code: each level's options and which one is selected.

    The first lists the provinces; each next one the regions under the one selected above it
    (a municipality's districts come second, with no third)."""
    chain = [r.code for r in listed.chain(code)] if listed.accepts(code) else []
    out: list[dict[str, Any]] = []
    parent: str | None = None
    for i, name in enumerate(SELECTS):
        options = listed.children(parent)
        if not options:
            break
        selected = chain[i] if i < len(chain) else ""
        out.append(
            {
                "name": name,
                "label": _select_label(options),
                "options": [(r.code, r.name) for r in options],
                "selected": selected,
            }
        )
        if not selected:
            break
        parent = selected
    return out


def _select_label(options: list[Region]) -> str:
    """What a select asks for, by the levels it lists: 省级, 市级, 县级 or 市级/县级."""
    kinds = dict.fromkeys(LEVEL_LABELS[r.level] for r in options)
    return "/".join(kinds) + "行政区划"
