"""The demo's data as typed records, read once from ``office.toml`` and ``cases.toml`` beside this file.

The files say what the office looks like and what happened to each case; this module checks their
keys (a misspelt key is an error, not a silently missing field) and turns the relative dates of the
payloads into the small vocabulary below, which the script runner resolves step by step.
"""

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent
#: Every demo login's password (the summary prints it).
DEMO_PASSWORD = "shoujie-demo"


@dataclass(frozen=True)
class Office:
    """The demo office and its party branch with its groups (and their matters)."""

    name: str
    level: str
    region_code: str
    branch: str
    groups: Mapping[str, str]


@dataclass(frozen=True)
class DemoStaff:
    """One demo login."""

    staff_no: str
    name: str
    role: str
    group: str | None
    post: str | None
    title: str
    pledge: str
    party_member: bool = True


@dataclass(frozen=True)
class Person:
    """A petitioner or a representative: enough to make up a plausible identity."""

    name: str
    female: bool
    born: int


@dataclass(frozen=True)
class InDays:
    """A date ``days`` after the step's own date (a deadline the step sets)."""

    days: int

    def on(self, today: date, earlier: Mapping[str, date]) -> date:
        """The date, for a step taken on ``today``."""
        return today + timedelta(days=self.days)


@dataclass(frozen=True)
class DaysAfter:
    """A date ``days`` after an earlier step of the case, but never later than this step."""

    action: str
    days: int

    def on(self, today: date, earlier: Mapping[str, date]) -> date:
        """The date, for a step taken on ``today`` after the steps dated in ``earlier``."""
        before = earlier[self.action]
        return max(min(today, before + timedelta(days=self.days)), before)


RelativeDate = InDays | DaysAfter


@dataclass(frozen=True)
class Step:
    """One step of a case's script: when (days before now, local time), what, by whom, with what."""

    days_ago: int
    at: str
    action: str
    by: str
    payload: Mapping[str, Any] = field(default_factory=dict)

    def resolved(self, today: date, earlier: Mapping[str, date]) -> dict[str, Any]:
        """The payload with its relative dates as ISO dates, for a step taken on ``today``."""
        return _resolved(self.payload, today, earlier)


def _resolved(payload: Mapping[str, Any], today: date, earlier: Mapping[str, date]) -> dict:
    """Relative dates as ISO dates, inside a payload's objects too (``close``'s ``waiver``)."""
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if isinstance(value, RelativeDate):
            value = value.on(today, earlier).isoformat()
        elif isinstance(value, Mapping):
            value = _resolved(value, today, earlier)
        out[key] = value
    return out


@dataclass(frozen=True)
class DemoCase:
    """One demo case: who received it, what it is about, and what happened to it since."""

    key: str
    owner: str
    channel: str
    category: str
    region: str
    petitioner: Person
    street: str
    subject: str
    content: str
    requests: str
    intake: Step
    steps: tuple[Step, ...] = ()
    group_size: int = 1
    representatives: tuple[Person, ...] = ()
    accused: Mapping[str, str] | None = None
    # Most petitioners reach the province holding the county's or the city's written opinion;
    # one who comes straight from a county's matter is a skip-level visit (越级访, 第二十条).
    handled_below: bool = True

    @property
    def script(self) -> tuple[Step, ...]:
        """The intake, then every later step, in the order the file gives them."""
        return (self.intake, *self.steps)


# --- reading the files ---------------------------------------------------------------------------


def _checked(table: Mapping[str, Any], where: str, required: set[str], optional: set[str]) -> None:
    missing = required - table.keys()
    unknown = table.keys() - required - optional
    if missing or unknown:
        raise ValueError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")


def _person(table: Mapping[str, Any], where: str) -> Person:
    _checked(table, where, {"name", "sex", "born"}, set())
    if table["sex"] not in ("female", "male"):
        raise ValueError(f"{where}: sex is female or male, not {table['sex']!r}")
    return Person(name=table["name"], female=table["sex"] == "female", born=table["born"])


def _relative_date(value: Mapping[str, Any], where: str) -> RelativeDate:
    if value.keys() == {"in_days"}:
        return InDays(days=value["in_days"])
    if value.keys() == {"after", "days"}:
        return DaysAfter(action=value["after"], days=value["days"])
    raise ValueError(f"{where}: a date is {{ in_days = N }} or {{ after = ACTION, days = N }}")


def _payload_value(value: Any, where: str) -> Any:
    """A payload's value: a relative date, an object of values (a ``waiver``), or as written."""
    if not isinstance(value, dict):
        return value
    if value.keys() & {"in_days", "after", "days"}:
        return _relative_date(value, where)
    return {key: _payload_value(v, f"{where}.{key}") for key, v in value.items()}


_HHMM = re.compile(r"\d\d:\d\d")


def _step(table: Mapping[str, Any], where: str, *, action: str = "", by: str = "") -> Step:
    times = {"days_ago": table.get("days_ago"), "at": table.get("at")}
    if not isinstance(times["days_ago"], int) or not _HHMM.fullmatch(str(times["at"])):
        raise ValueError(f"{where}: days_ago is a number of days and at is HH:MM")
    payload = {
        key: _payload_value(value, f"{where}.{key}")
        for key, value in table.items()
        if key not in ("days_ago", "at", "action", "by")
    }
    return Step(
        days_ago=times["days_ago"],
        at=times["at"],
        action=action or table["action"],
        by=by or table["by"],
        payload=payload,
    )


_CASE_KEYS = {"key", "owner", "channel", "category", "region", "intake", "petitioner", "street"}
_CASE_KEYS |= {"subject", "content", "requests"}
_CASE_OPTIONAL = {"step", "group_size", "representatives", "accused", "handled_below"}


def _case(table: Mapping[str, Any]) -> DemoCase:
    where = f"cases.toml, case {table.get('key', '?')}"
    _checked(table, where, _CASE_KEYS, _CASE_OPTIONAL)
    _checked(table["intake"], f"{where}, intake", {"days_ago", "at"}, set())
    steps = []
    for i, step in enumerate(table.get("step", []), start=1):
        # Every key besides these four is the action's payload, checked by the action itself.
        _checked(step, f"{where}, step {i}", {"days_ago", "at", "action", "by"}, set(step))
        steps.append(_step(step, f"{where}, step {i}"))
    return DemoCase(
        key=table["key"],
        owner=table["owner"],
        channel=table["channel"],
        category=table["category"],
        region=table["region"],
        petitioner=_person(table["petitioner"], f"{where}, petitioner"),
        street=table["street"],
        subject=table["subject"],
        content=table["content"],
        requests=table["requests"],
        intake=_step(table["intake"], f"{where}, intake", action="intake", by=table["owner"]),
        steps=tuple(steps),
        group_size=table.get("group_size", 1),
        representatives=tuple(
            _person(p, f"{where}, representative") for p in table.get("representatives", [])
        ),
        accused=table.get("accused"),
        handled_below=table.get("handled_below", True),
    )


def read_cases(path: Path = DATA_DIR / "cases.toml") -> list[DemoCase]:
    """The case scripts of a cases file, in the file's order; refuses unknown keys."""
    with path.open("rb") as f:
        cases = [_case(table) for table in tomllib.load(f)["case"]]
    keys = [c.key for c in cases]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{path.name}: case keys repeat")
    return cases


_STAFF_KEYS = {"staff_no", "name", "role", "title"}
_STAFF_OPTIONAL = {"group", "post", "pledge", "party_member"}


def read_office(path: Path = DATA_DIR / "office.toml") -> tuple[Office, list[DemoStaff]]:
    """The office and its staff (in the file's order) of an office file; refuses unknown keys."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    _checked(data, path.name, {"office", "branch", "staff"}, set())
    _checked(data["office"], f"{path.name}, office", {"name", "level", "region_code"}, set())
    _checked(data["branch"], f"{path.name}, branch", {"name", "groups"}, set())
    office = Office(
        **data["office"],
        branch=data["branch"]["name"],
        groups=dict(data["branch"]["groups"]),
    )
    staff = []
    for row in data["staff"]:
        _checked(
            row, f"{path.name}, staff {row.get('staff_no', '?')}", _STAFF_KEYS, _STAFF_OPTIONAL
        )
        staff.append(
            DemoStaff(
                staff_no=row["staff_no"],
                name=row["name"],
                role=row["role"],
                group=row.get("group"),
                post=row.get("post"),
                title=row["title"],
                pledge=row.get("pledge", ""),
                party_member=row.get("party_member", True),
            )
        )
    return office, staff


OFFICE, STAFF = read_office()
CASES: list[DemoCase] = read_cases()
