"""``shoujie deadline`` and ``shoujie calendar load``: reckoning a statutory period, and loading
the official year schedule that open deadlines are reckoned on."""

import argparse
from datetime import date
from pathlib import Path

from api.cli.context import App, Subcommands, print_json
from cases.casework import schedules
from cases.db import reader
from workflow.calendar import parse_schedule, reckon
from workflow.errors import InvalidInput


def cmd_deadline(args: argparse.Namespace) -> int:
    """Reckon a statutory period: its last day and how it was reckoned."""
    try:
        start = date.fromisoformat(args.start)
    except ValueError:
        raise InvalidInput(
            "deadline.bad_start", f"起算日期格式应为 YYYY-MM-DD：{args.start}", field="start"
        ) from None
    calendar = None
    try:
        app = App()
        with reader(app.engine).connect() as conn:
            calendar = app.rt.calendar(conn)
    except Exception:  # noqa: BLE001  (no database yet: reckon with the published calendars alone)
        calendar = None
    d = reckon(start, args.days, working=args.working, calendar=calendar)
    out = {
        "start": d.start.isoformat(),
        "days": d.days,
        "unit": d.unit,
        "due_date": d.due_date.isoformat(),
        "provisional": d.provisional,
        "reckoning": d.reckoning,
    }
    if args.json:
        print_json(out)
    else:
        print(f"届满日：{out['due_date']}{'（暂定）' if d.provisional else ''}\n{d.reckoning}")
    return 0


def cmd_calendar_load(args: argparse.Namespace) -> int:
    """Load an official year schedule and recompute open deadlines."""
    app = App()
    schedule = parse_schedule(Path(args.file).read_text(encoding="utf-8"))
    with app.engine.begin() as conn:
        changes = schedules.load_calendar(conn, app.rt, schedule=schedule, now=app.clock.now())
    print(
        f"已载入{schedule.year}年放假安排，{len(changes)}个期限重新计算 / schedule loaded, {len(changes)} deadlines changed"
    )
    for c in changes:
        print(f"  {c['case_no']} {c['clock']}: {c['old_due_date']} → {c['new_due_date']}")
    return 0


def register(sub: Subcommands) -> None:
    """Register ``deadline`` and ``calendar load``."""
    s = sub.add_parser("deadline", help="计算法定期限")
    s.add_argument("start")
    s.add_argument("days", type=int)
    s.add_argument("--working", action="store_true")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_deadline)

    cal = sub.add_parser("calendar", help="放假安排").add_subparsers(
        dest="calendar_command", required=True
    )
    s = cal.add_parser("load", help="载入官方放假安排")
    s.add_argument("file")
    s.set_defaults(func=cmd_calendar_load)
