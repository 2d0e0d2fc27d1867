"""Every module imports on its own, first in a fresh interpreter: no import cycle depends on which
module a command, a migration or a benchmark happens to import first."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts)
    for folder in ("workflow", "cases", "api", "bench")
    for p in (ROOT / folder).rglob("*.py")
    if p.name != "__init__.py" and "migrations" not in p.parts
)


def test_every_module_imports_first_on_its_own() -> None:
    """One interpreter per module (so each is the first imported), run in parallel."""
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-c", f"import {name}"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in MODULES
    }
    failed = {}
    for name, proc in procs.items():
        _, err = proc.communicate(timeout=120)
        if proc.returncode != 0:
            failed[name] = err.strip().splitlines()[-1] if err.strip() else proc.returncode
    assert {m.split(".")[0] for m in procs} == {"workflow", "cases", "api", "bench"}
    assert not failed, failed
