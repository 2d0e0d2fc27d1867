"""A training scenario (模拟情境演练) as data: the petitioner, the turns of the script, the cases
that exist before the run, and the expected handling, each expectation with its article.

Scenarios are TOML files (``cases/training/scenarios/*.toml``); ``parse`` checks one read into a
dict and refuses a file that names an unknown check, so a typo fails the test suite, not a run.
"""

from dataclasses import dataclass, field
from typing import Any

from workflow.errors import InvalidInput

#: The checks an expectation may name (``workflow.training.scoring`` evaluates each).
CHECKS = frozenset(
    {
        "registered",  # the trainee registered the matter as a new case (with the facts named)
        "no_new_case",  # nothing registered anew: the same matter is not accepted twice
        "step",  # a step was taken on the run's cases (with the fields named)
        "no_step",  # a step was never taken
        "on_time",  # a clock was stopped before its deadline
        "tracking",  # the 首接 owner kept tracking notes on the case
        "owner",  # the case stayed with the trainee as its 首接责任人
    }
)


@dataclass(frozen=True)
class Expectation:
    """One step of the expected handling, with the article that requires it."""

    code: str
    check: str
    label: str
    article: str
    points: int
    #: What the check looks for: ``action``, ``clock``, ``category``, field matches, counts.
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    """One turn of the script: the clock moves, the sweeper acts, the petitioner speaks."""

    after_days: int
    say: str
    #: The office's scripted supervisor decides pending extension requests (approve).
    approve_extensions: bool = False


@dataclass(frozen=True)
class SeedStep:
    """A step on a case that exists before the run, ``days_ago`` before its opening."""

    days_ago: int
    action: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """A whole scenario: who comes, with what, what happens, what the trainee should do."""

    name: str
    title: str
    summary: str
    petitioner: dict[str, Any]
    intake: dict[str, Any]
    documents: tuple[str, ...]
    opening: str
    turns: tuple[Turn, ...]
    expectations: tuple[Expectation, ...]
    #: A case registered before the run (the earlier visit, the case to extend or review).
    seed: dict[str, Any] | None = None
    seed_steps: tuple[SeedStep, ...] = ()
    #: People of a group visit, as the petitioners give them.
    group: tuple[dict[str, Any], ...] = ()

    @property
    def max_points(self) -> int:
        """The most a run can score."""
        return sum(e.points for e in self.expectations)


def _need(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise InvalidInput("training.bad_scenario", f"演练情境{where}缺少「{key}」", field=key)
    return data[key]


def parse(name: str, data: dict[str, Any]) -> Scenario:
    """A scenario from its TOML data; an unknown check or a missing field is refused."""
    where = f"「{name}」"
    expectations = []
    for item in _need(data, "expect", where):
        check = _need(item, "check", where)
        if check not in CHECKS:
            raise InvalidInput(
                "training.bad_scenario", f"演练情境{where}的检查项「{check}」未定义", field="check"
            )
        known = {"code", "check", "label", "article", "points"}
        expectations.append(
            Expectation(
                code=_need(item, "code", where),
                check=check,
                label=_need(item, "label", where),
                article=_need(item, "article", where),
                points=int(item.get("points", 10)),
                params={k: v for k, v in item.items() if k not in known},
            )
        )
    codes = [e.code for e in expectations]
    if len(set(codes)) != len(codes):
        raise InvalidInput("training.bad_scenario", f"演练情境{where}的检查项编号重复")
    turns = tuple(
        Turn(
            after_days=int(t.get("after_days", 0)),
            say=_need(t, "say", where),
            approve_extensions=bool(t.get("approve_extensions", False)),
        )
        for t in data.get("turns", [])
    )
    seed = data.get("seed")
    return Scenario(
        name=name,
        title=_need(data, "title", where),
        summary=_need(data, "summary", where),
        petitioner=dict(_need(data, "petitioner", where)),
        intake=dict(_need(data, "intake", where)),
        documents=tuple(data.get("documents", [])),
        opening=_need(data, "opening", where),
        turns=turns,
        expectations=tuple(expectations),
        seed=dict(seed) if seed else None,
        seed_steps=tuple(
            SeedStep(int(s["days_ago"]), s["action"], dict(s.get("payload", {})))
            for s in (seed or {}).get("steps", [])
        ),
        group=tuple(dict(p) for p in data.get("group", [])),
    )


#: GB 11643 weights of the first 17 digits, and the check character for the sum modulo 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def identity_number(region: str, birth: str, serial: int) -> str:
    """A valid 18-digit identity number (GB 11643): the run's petitioner is a new person each
    run, so one run's matters never show as another run's earlier petitions."""
    body = f"{region}{birth}{serial % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + _CHECK[total % 11]
