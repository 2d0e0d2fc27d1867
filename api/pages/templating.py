"""The one Jinja environment of the pages and the printed reports: its filters, its label tables,
and an event's contents said in Chinese.

It imports no web framework, so the command line renders reports without loading FastAPI.
"""

from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.security import permits
from cases.casework.form_tokens import new_token
from workflow import glossary, lifecycle
from workflow.actions import FIELDS as ACTION_FIELDS
from workflow.documents import closure_report_offered
from workflow.intake import MAX_REPRESENTATIVES
from workflow.lifecycle import ACTION_LABELS, CATEGORY_LABELS, CHANNEL_LABELS, STATE_LABELS
from workflow.periods import LEVEL_LABELS
from workflow.regions import Regions, bundled
from workflow.waiver import waiver_text

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"

CLOCK_STATUS_LABELS = {
    "running": "计时中",
    "paused": "暂停",
    "stopped": "已停止",
    "lapsed": "已届满",
}
WEEKDAYS = "一二三四五六日"

#: Actions that end or refuse a matter: drawn apart, as a warning.
GRAVE_ACTIONS = frozenset({"reject", "withdraw", "close", "reply_reexamination"})


def template_env(tz: Any, regions: Callable[[], Regions] = bundled) -> Environment:
    """The pages' Jinja environment: the app's (one, in its context), and the command line's;
    ``regions`` gives the office's list of regions as last read (``Runtime.regions``)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        # Every value put into a page is escaped, whatever a petitioner typed.
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install_filters(env, tz, regions)
    return env


def install_filters(env: Environment, tz: Any, regions: Callable[[], Regions] = bundled) -> None:
    """Filters and label tables the templates use; instants are shown in ``tz``, a region as
    「南京市玄武区（320102）」 (``region_label(code)``) from the list ``regions`` gives."""
    env.filters["dt"] = lambda value: format_dt(value, tz)
    env.filters["day"] = format_date
    env.globals.update(
        region_label=lambda code: regions().label(code) if code else "",
        STATE_LABELS=STATE_LABELS,
        ACTION_LABELS=ACTION_LABELS,
        ROLE_LABELS=lifecycle.ROLE_LABELS,
        PARTY_ROLE_LABELS=glossary.PARTY_ROLE_LABELS,
        withdrawal_text=glossary.withdrawal_text,
        CATEGORY_LABELS=CATEGORY_LABELS,
        CHANNEL_LABELS=CHANNEL_LABELS,
        LEVEL_LABELS=LEVEL_LABELS,
        CLOCK_STATUS_LABELS=CLOCK_STATUS_LABELS,
        OUTCOMES=lifecycle.OUTCOMES,
        RATINGS=lifecycle.RATINGS,
        ACTION_FIELDS=ACTION_FIELDS,
        GRAVE_ACTIONS=GRAVE_ACTIONS,
        MAX_REPRESENTATIVES=MAX_REPRESENTATIVES,
        permits=permits,
        new_form_token=new_token,
        waiver_text=waiver_text,
        closure_report_offered=closure_report_offered,
    )


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def format_dt(value: Any, tz: Any = None) -> str:
    """An instant in the office's local time ``tz``: 2026-11-26 09:30."""
    dt = _as_datetime(value)
    if dt is None:
        return ""
    if dt.tzinfo is not None and tz is not None:
        dt = dt.astimezone(tz)
    return dt.strftime("%Y-%m-%d %H:%M")


def format_date(value: Any) -> str:
    """A date with its weekday: 2026-12-11（周五）."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        return ""
    return f"{value.isoformat()}（周{WEEKDAYS[value.weekday()]}）"


def _payload_value(action: str, key: str, value: Any, tz: Any, regions: Regions) -> str:
    if key == "reason_code":
        table: Mapping[str, Any] = (
            lifecycle.REASSIGN_REASONS if action == "reassign" else lifecycle.REJECT_REASONS
        )
        found = table.get(value, value)
        return found[0] if isinstance(found, tuple) else str(found)
    if key == "outcome":
        return lifecycle.OUTCOMES.get(value, value)
    if key == "rating":
        return lifecycle.RATINGS.get(value, value)
    if key == "category":
        return CATEGORY_LABELS.get(value, value)
    if key == "channel":
        return CHANNEL_LABELS.get(value, value)
    if key == "received_at":
        return format_dt(value, tz)
    if key == "region_code":
        return regions.label(str(value))
    if key == "days":
        return f"{value}日"
    if key == "waiver" and isinstance(value, Mapping):
        return waiver_text(value)
    if key == "request" and isinstance(value, Mapping):
        return glossary.request_text(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "notice" and isinstance(value, Mapping):
        return f"{value.get('title', '')}（{value.get('doc_no', '')}）"
    if key == "attachments" and isinstance(value, list):
        return "、".join(str(a.get("filename", "")) for a in value if isinstance(a, Mapping))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def event_lines(
    event: Mapping[str, Any],
    tz: Any,
    regions: Regions | None = None,
    names: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """An event's contents as (label, value) lines in Chinese (a region named from ``regions``,
    the office's list, the bundled one when None; a 工号 as 姓名（工号） from ``names``)."""
    listed = regions or bundled()
    out = []
    action = event["action"]
    for key, value in (event.get("payload") or {}).items():
        label = glossary.payload_label(action, key)
        if label is None or value in (None, "", []):
            continue
        if key == "by" or (key == "request" and action != "withdraw"):
            continue  # the actor is shown as such, not as a line
        if key in glossary.STAFF_FIELDS:
            people = value if isinstance(value, list) else [value]
            line = "、".join(glossary.person(str(p), names or {}) for p in people)
        else:
            line = _payload_value(action, key, value, tz, listed)
        out.append((label, line))
    return out
