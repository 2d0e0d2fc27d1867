"""``shoujie briefing`` and ``shoujie deliver``: the daily briefing and the notification worker."""

import argparse
import json
import os
import signal
import sys
import threading

from api.cli.context import App, Subcommands
from cases.notify.worker import deliver
from cases.reports.briefing import briefing, briefing_hour, run_briefing
from cases.settings import parse_instant


def cmd_briefing(args: argparse.Namespace) -> int:
    """Produce today's briefing for every owner and branch (``--now``: now, whatever the hour)."""
    app = App()
    now = parse_instant(args.now) if args.now else app.clock.now()
    result = run_briefing(app.engine, app.rt, now, force=args.now is not None)
    with app.engine.begin() as conn:
        data = briefing(conn, app.rt, now)
    if args.json:
        out = {
            **result,
            "owners": [{"staff_no": o["staff_no"], **o["counts"]} for o in data["owners"]],
            "branches": [{"name": b["name"], **b["counts"]} for b in data["branches"]],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    if not result["ran"]:
        why = (
            f"未到每日例会时间（{briefing_hour()}时）"
            if result["why"] == "not_yet"
            else "今日例会已生成"
        )
        print(f"{why}，未发送；立即生成请加 --now / briefing not sent ({result['why']})")
    else:
        print(
            f"每日例会 {result['day']}：{result['owners']} 名首接责任人、{result['branches']} 个党支部，"
            f"写入通知 {result['messages']} 条 / briefing written"
        )
    for b in data["branches"]:
        n = b["counts"]
        print(
            f"  {b['name']}：今日到期 {n['due_today']}，已超期 {n['overdue']}，"
            f"新登记 {n['new']}，收到评价 {n['ratings']}"
        )
    return 0


def cmd_deliver(args: argparse.Namespace) -> int:
    """Deliver the outbox: one pass (``--once``), or every few seconds until interrupted."""
    app = App()
    interval = args.interval or float(os.environ.get("SHOUJIE_DELIVER_INTERVAL", "10") or 10)
    stop = threading.Event()
    # SIGTERM (a service manager stopping us) ends the pass after the message in hand, and gives
    # back the rest of the batch at once instead of leaving it to its lease.
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.is_set():
            now = app.clock.now()
            if not args.once:
                run_briefing(app.engine, app.rt, now)
            result = deliver(app.engine, app.rt, now, clock=app.clock.now, stop=stop)
            if args.json:
                print(json.dumps(result, ensure_ascii=False))
            elif args.once or any(result.values()):
                print(
                    f"新消息 {result['fanned_out']}，送达 {result['sent']}，"
                    f"待重试 {result['retried']}，失败 {result['failed']} / delivered {result['sent']}"
                )
            sys.stdout.flush()
            if args.once:
                return 0
            stop.wait(interval)
        return 0
    except KeyboardInterrupt:
        # Interrupted mid-send loses nothing: what was claimed is sent again after its lease.
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def register(sub: Subcommands) -> None:
    """Register ``briefing`` and ``deliver``."""
    s = sub.add_parser("briefing", help="每日例会（按首接责任人、按党支部）")
    s.add_argument(
        "--now",
        nargs="?",
        const="",
        default=None,
        metavar="INSTANT",
        help="立即生成（不等到设定的时间）；可给出时刻，如 2026-11-27T08:00:00+08:00",
    )
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_briefing)

    s = sub.add_parser("deliver", help="发送通知（站内、邮件、Webhook、短信）")
    s.add_argument("--once", action="store_true", help="只发送一轮")
    s.add_argument("--interval", type=float, help="两轮之间的秒数（默认 SHOUJIE_DELIVER_INTERVAL）")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_deliver)
