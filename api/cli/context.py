"""What every ``shoujie`` command shares: the ``App`` (settings, engine, runtime, clock) and the
JSON reading and printing. Command modules import it; it imports none of them."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from api.input_guard import check_json
from cases.db import engine_for
from cases.runtime import Runtime
from cases.settings import Clock, settings
from workflow.errors import InvalidInput

#: The ``sub`` of ``parser.add_subparsers()``, on which each command module registers its commands.
# argparse names no public type for it.
Subcommands = argparse._SubParsersAction


class App:
    """What every command needs: settings, engine, runtime and the clock."""

    def __init__(self) -> None:
        self.settings = settings()
        self.engine: Engine = engine_for(self.settings.database_url)
        self.rt = Runtime.from_settings(self.settings)
        self.clock = Clock(self.settings.fixed_now)


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON on stdout, Chinese kept readable."""
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def read_json(source: str | None) -> dict[str, Any]:
    """The JSON object in file ``source`` (``-``: stdin); ``{}`` when no source or empty input."""
    if source is None:
        return {}
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    try:
        value = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            "input.bad_json", f"JSON 格式错误：第{exc.lineno}行第{exc.colno}列"
        ) from None
    if not isinstance(value, dict):
        raise InvalidInput("input.bad_json", "JSON 内容应为对象（{...}）")
    # The same text rules as the web's (control characters, bidi overrides, invisible-only).
    check_json(value)
    return value
