"""The shape of the code (style.md): layers point one way, no import cycles, no module reaches into
another's underscore names, migrations are frozen, and each file stays one readable job."""

import ast
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGES = ("workflow", "cases", "api")
#: Files that are data rather than code may run long.
DATA_FILES = {"cases/demo/data.py", "cases/demo/cases.py"}
MAX_LINES = 450


def module_name(path: Path) -> str:
    """``cases/store/chain.py`` → ``cases.store.chain``; a package is its ``__init__``."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the three layers, migrations included, by dotted name."""
    return {
        module_name(p): p
        for package in PACKAGES
        for p in sorted((ROOT / package).rglob("*.py"))
        if ".venv" not in p.parts
    }


def is_migration(name: str) -> bool:
    """An Alembic revision (frozen: it must mean the same whatever the live code becomes). The
    environment, ``cases.migrations.env``, reads the live metadata on purpose (autogenerate)."""
    return name.startswith("cases.migrations.versions")


def resolve(name: str) -> str | None:
    """The project module ``name`` refers to (or the module holding it), if any."""
    while name:
        if name in modules():
            return name
        name = name.rpartition(".")[0]
    return None


def imports(path: Path) -> Iterator[tuple[str, str | None, int]]:
    """(module imported, name taken from it or None, line) for every import, at any depth."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                yield node.module, alias.name, node.lineno


@cache
def graph() -> dict[str, set[str]]:
    """Which project modules each project module imports (a ``from pkg import mod`` counts as
    importing ``pkg.mod``)."""
    out: dict[str, set[str]] = {}
    for name, path in modules().items():
        targets = set()
        for module, taken, _ in imports(path):
            if taken and f"{module}.{taken}" in modules():
                targets.add(f"{module}.{taken}")
            elif (target := resolve(module)) is not None:
                targets.add(target)
        targets.discard(name)
        out[name] = targets
    return out


def cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph()[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph()):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    """No group of modules imports itself round, not even through an import inside a function."""
    assert cycles() == []


def test_layers_point_one_way() -> None:
    """api → cases → workflow: workflow imports neither; cases never imports api; a migration
    imports nothing of the live package (an old revision must not change meaning)."""
    wrong = []
    for name, targets in graph().items():
        layer = name.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if (
                is_migration(name)
                or (layer == "workflow" and other != "workflow")
                or layer == "cases"
                and other == "api"
            ):
                wrong.append(f"{name} → {target}")
    assert wrong == []


def test_no_module_uses_another_modules_underscore_names() -> None:
    """``from m import _x`` and ``m._x`` across modules: make the name public or move it."""
    wrong = []
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound: dict[str, str] = {}
        for module, taken, line in imports(path):
            target = f"{module}.{taken}" if taken else module
            if taken and taken.startswith("_") and resolve(module) not in (None, name):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}.{taken}")
            if target in modules():
                bound[(taken or module).split(".")[-1]] = target
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name)
                and bound.get(node.value.id, name) != name
            ):
                wrong.append(
                    f"{path.relative_to(ROOT)}:{node.lineno} uses {node.value.id}.{node.attr}"
                )
    assert wrong == []


def test_each_file_is_one_readable_job() -> None:
    """No file under cases/ or api/ runs past about 400 lines, data files aside."""
    long = {
        str(path.relative_to(ROOT)): n
        for name, path in modules().items()
        if name.split(".")[0] in ("cases", "api")
        and not is_migration(name)
        and str(path.relative_to(ROOT)) not in DATA_FILES
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


IMPORT_EACH_FIRST = """
import importlib, sys, warnings
from sqlmodel import SQLModel
warnings.simplefilter("ignore")  # SQLAlchemy notes each table class defined again: expected here
PROJECT = ("workflow", "cases", "api", "bench")
def forget(keep):
    for loaded in [m for m in sys.modules if m.split(".")[0] in PROJECT and m not in keep]:
        del sys.modules[loaded]
failed = {}
def first(name, keep):
    forget(keep)
    if not keep:
        SQLModel.metadata.clear()  # the tables are defined afresh by the next first import
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = repr(exc)
names = sys.argv[1:]
# The pure rules and the table models are imported first, each on its own; then they stay loaded
# while every other module is imported first (defining ~40 tables afresh each time cost 3/4 of it).
base = [n for n in names if n.startswith(("workflow.", "cases.models"))]
for name in base:
    first(name, set())
forget(set())
SQLModel.metadata.clear()
for name in base:
    importlib.import_module(name)
keep = {m for m in sys.modules if m.split(".")[0] in PROJECT}
for name in names:
    if name not in keep:
        first(name, keep)
print(failed)
"""


def test_every_module_imports_first_on_its_own() -> None:
    """Each module imported first (the project's modules forgotten before each, third-party ones
    kept, so one interpreter does it in seconds): nothing depends on import order."""
    # Alembic's environment runs the migrations when imported: only Alembic imports it.
    names = [n for n in sorted(modules()) if not n.startswith("cases.migrations") and "." in n]
    names += sorted(
        module_name(p) for p in (ROOT / "bench").glob("*.py") if p.name != "__init__.py"
    )
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH_FIRST, *names],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert done.stdout.strip() == "{}", done.stdout + done.stderr
