"""The ``shoujie`` command line (contract.md): the parser, and ``main`` turning every refusal into
one line of Chinese and English on stderr and the contract's exit code.

Exit codes: 0 done · 1 unexpected failure · 2 bad input · 3 not allowed in the case's state ·
4 permission denied · 5 conflict (the case changed meanwhile) · 6 not found. Each refusal is a
``workflow.errors.DomainError`` whose class carries its exit code.
"""

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api.cli import (
    admin,
    audit,
    backup,
    cases,
    deadlines,
    joint,
    keys,
    notify,
    office,
    reports,
    serve,
    sweep,
    training,
)
from cases.store import retry
from workflow.errors import DomainError

#: The English half of an error line, by exit code.
ENGLISH = {
    1: "failure",
    2: "bad input",
    3: "action not allowed in the case's state",
    4: "permission denied",
    5: "conflict: the case changed meanwhile",
    6: "not found",
}

#: The command modules, in the order ``shoujie --help`` lists their commands.
COMMANDS = (
    serve,
    admin,
    office,
    cases,
    joint,
    deadlines,
    sweep,
    audit,
    keys,
    backup,
    notify,
    reports,
    training,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command, each module registering its own."""
    parser = argparse.ArgumentParser(
        prog="shoujie", description="首接 Shoujie — 信访接待首接负责制案件跟踪"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``shoujie``: run the command, answer with its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except DomainError as exc:
        english = ENGLISH.get(exc.exit_code, "error")
        print(f"错误：{exc.message} / error: {english} ({exc.code})", file=sys.stderr)
        allowed = exc.details.get("allowed_actions")
        if allowed is not None:
            print(
                f"可执行的操作 / allowed actions: {', '.join(allowed) or '（无）'}", file=sys.stderr
            )
        return exc.exit_code
    except (DBAPIError, PoolTimeout) as exc:
        # One line, never the statement and its parameters (several KB for a batch).
        if retry.is_unavailable(exc):
            print(
                f"错误：{retry.UNAVAILABLE_MESSAGE} / error: database unavailable"
                f" (db.unavailable: {retry.one_line(exc)})",
                file=sys.stderr,
            )
        else:
            print(f"数据库错误：{retry.one_line(exc)} / database error", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001  (one line to stderr, never a traceback for users)
        print(f"意外错误：{exc} / unexpected failure: {type(exc).__name__}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
