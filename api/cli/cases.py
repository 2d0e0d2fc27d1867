"""``shoujie case intake|act|show|list``: registering a case, acting on it, reading it."""

import argparse
import sys

from api.cli.context import App, Subcommands, print_json, read_json
from cases.casework import actions, intake, query_codes, reading
from cases.store.retry import in_transaction


def cmd_case_intake(args: argparse.Namespace) -> int:
    """Register a case; print its JSON with the 查询码 (shown this once)."""
    app = App()
    body = read_json(args.json)
    result = in_transaction(
        app.engine,
        lambda conn: intake.intake(
            conn,
            app.rt,
            body=body,
            actor_staff_no=args.as_,
            now=app.clock.now(),
            handled_below=args.handled_below,
        ),
    )
    print_json(result)
    return 0


def cmd_case_act(args: argparse.Namespace) -> int:
    """Perform an action on a case; print the case JSON."""
    app = App()
    payload = read_json(args.json)
    result = in_transaction(
        app.engine,
        lambda conn: actions.act(
            conn,
            app.rt,
            case_no=args.case_no,
            action=args.action,
            actor_staff_no=args.as_,
            payload=payload,
            now=app.clock.now(),
            expected_version=args.if_version,
        ),
    )
    print_json(result)
    return 0


def cmd_case_show(args: argparse.Namespace) -> int:
    """Show one case with its clocks and history."""
    app = App()
    now = app.clock.now()
    with app.engine.begin() as conn:
        case = reading.show(conn, app.rt, case_no=args.case_no, viewer_staff_no=args.as_, now=now)
        case["events"] = reading.case_events(
            conn, app.rt, case_no=args.case_no, viewer_staff_no=args.as_
        )
    if args.json:
        print_json(case)
        return 0
    print(f"{case['case_no']}  {case['state_label']}（{case['state']}）  {case['subject']}")
    print(
        f"首接责任人：{case['owner']['name']}（{case['owner']['staff_no']}）  信访人：{case['petitioner']['name']}"
    )
    print("期限：")
    for c in case["clocks"]:
        flag = "（暂定）" if c["provisional"] else ""
        level = f" [{c['level']}]" if c["level"] else ""
        left = f" {c['remaining_text']}" if c["status"] in ("running", "paused") else ""
        print(
            f"  {c['label']:<10} {c['status']:<8} 届满 {c['due_date']}{flag}{left}{level}  {c['reckoning']}"
        )
    print("记录：")
    for e in case["events"]:
        print(
            f"  {e['seq']:>3}. {e['at'][:16]}  {e['action_label']}  {e['actor']}  {e['from_state'] or ''}→{e['to_state'] or ''}"
        )
    return 0


def cmd_case_list(args: argparse.Namespace) -> int:
    """List cases (``--json``: an array of case objects)."""
    app = App()
    with app.engine.begin() as conn:
        found = reading.list_cases(
            conn,
            app.rt,
            viewer_staff_no=args.as_,
            now=app.clock.now(),
            owner=args.owner,
            state=args.state,
        )
    if args.json:
        print_json(found)
        return 0
    for c in found:
        due = next(
            (
                k["due_date"]
                for k in c["clocks"]
                if k["status"] == "running" and k["name"] != "tracking"
            ),
            "",
        )
        print(
            f"{c['case_no']}  {c['state_label']:<6} {c['owner']['staff_no']:<6} {due:<10}  {c['subject']}"
        )
    print(f"共 {len(found)} 件")
    return 0


def cmd_case_reissue_code(args: argparse.Namespace) -> int:
    """Issue a new 查询码 after checking the petitioner's identity (the number read from stdin,
    so it stays out of the shell's history); print it this once."""
    app = App()
    number = sys.stdin.readline().strip()
    with app.engine.begin() as conn:
        result = query_codes.reissue(
            conn,
            app.rt,
            case_no=args.case_no,
            actor_staff_no=args.as_,
            id_number=number if args.by == "id_number" else "",
            phone=number if args.by == "phone" else "",
            send_sms=args.sms,
            now=app.clock.now(),
        )
    if args.json:
        print_json(result)
        return 0
    sent = "，已交短信发送" if result["sms"] else ""
    print(f"{result['case_no']} 新查询码：{result['query_code']}（原查询码已作废{sent}）")
    return 0


def register(sub: Subcommands) -> None:
    """Register ``case intake``, ``case act``, ``case show``, ``case list`` and
    ``case reissue-code``."""
    case = sub.add_parser("case", help="信访事项").add_subparsers(
        dest="case_command", required=True
    )
    s = case.add_parser("intake", help="登记")
    s.add_argument("--as", dest="as_", required=True, metavar="STAFF_NO")
    s.add_argument("--json", required=True, metavar="FILE|-")
    s.add_argument(
        "--handled-below",
        action="store_true",
        help="信访人持有下级机关的处理意见（不计越级访）",
    )
    s.set_defaults(func=cmd_case_intake)
    s = case.add_parser("act", help="办理操作")
    s.add_argument("case_no")
    s.add_argument("action")
    s.add_argument("--as", dest="as_", required=True, metavar="STAFF_NO")
    s.add_argument("--json", metavar="FILE|-")
    s.add_argument("--if-version", type=int, help="只在信访事项仍为此版本时办理")
    s.set_defaults(func=cmd_case_act)
    s = case.add_parser("show", help="查看")
    s.add_argument("case_no")
    s.add_argument("--as", dest="as_", metavar="STAFF_NO")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_case_show)
    s = case.add_parser("list", help="列表")
    s.add_argument("--owner")
    s.add_argument("--state")
    s.add_argument("--as", dest="as_", metavar="STAFF_NO")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_case_list)
    s = case.add_parser("reissue-code", help="核对信访人身份后重新发放查询码（号码从标准输入读取）")
    s.add_argument("case_no")
    s.add_argument("--as", dest="as_", required=True, metavar="STAFF_NO")
    s.add_argument(
        "--by", choices=sorted(query_codes.CHECKS), default="id_number", help="核对的号码"
    )
    s.add_argument("--sms", action="store_true", help="短信发送到信访人登记的手机")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_case_reissue_code)
