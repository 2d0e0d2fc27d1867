"""``shoujie sweep``: one pass of the SLA sweeper, the escalation levels it fired."""

import argparse

from api.cli.context import App, Subcommands, print_json
from cases.settings import parse_instant


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run one pass of the SLA sweeper (``--now``: as of that instant)."""
    from cases.accounts.housekeeping import prune
    from cases.supervision.sweeper import sweep  # loaded only by the commands that sweep

    app = App()
    now = parse_instant(args.now) if args.now else app.clock.now()
    result = sweep(app.engine, app.rt, now=now)
    # Sessions keep real time: a sweep "as of" another instant does not prune by it.
    result["pruned"] = prune(app.engine, app.clock.now())
    if args.json:
        print_json(result)
    else:
        f = result["fired"]
        print(
            f"检查 {result['examined']} 个期限：预警 {f['warning']}，超期 {f['overdue']}，"
            f"督办 {f['supervision']}，挂牌督办 {f['flagged']}；期满办结 {result['closed_on_lapse']} 件"
        )
    return 0


def register(sub: Subcommands) -> None:
    """Register ``sweep``."""
    s = sub.add_parser("sweep", help="扫描期限一次")
    s.add_argument("--now")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_sweep)
