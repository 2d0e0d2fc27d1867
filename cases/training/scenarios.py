"""The shipped scenarios: one TOML file each in ``cases/training/scenarios/``."""

import tomllib
from functools import lru_cache
from pathlib import Path

from workflow.errors import NotFound
from workflow.training.scenario import Scenario, parse

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"


@lru_cache(maxsize=1)
def all_scenarios() -> dict[str, Scenario]:
    """Every scenario by name (the file's stem), in the files' order."""
    out = {}
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        name = path.stem.split("_", 1)[1] if path.stem[:2].isdigit() else path.stem
        out[name] = parse(name, tomllib.loads(path.read_text(encoding="utf-8")))
    return out


def scenario(name: str) -> Scenario:
    """One scenario by name; an unknown name is refused with the names there are."""
    found = all_scenarios().get(name)
    if found is None:
        names = "、".join(all_scenarios())
        raise NotFound("training.no_scenario", f"没有名为「{name}」的演练情境（可选：{names}）")
    return found
