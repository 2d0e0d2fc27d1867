"""``shoujie joint``: 联合会办 from the command line — set up, meeting, report, dispute, decide, show."""

import argparse
from typing import Any

from api.cli.context import App, Subcommands, print_json, read_json
from cases.joint import steps, view
from cases.store.retry import in_transaction

#: Each step's command, its service and what it asks for.
STEPS = {
    "setup": (steps.set_up, "设立联合会办（督办、领导）：牵头单位和配合单位，各自任务和期限"),
    "meeting": (steps.record_meeting, "登记会办记录"),
    "report": (steps.record_report, "登记会办单位的办理结果"),
    "dispute": (steps.record_dispute, "登记受理争议"),
    "decide": (steps.decide_dispute, "决定受理机关（督办、领导）"),
}


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(result)
        return
    if not result["joint"]:
        print(f"{result['case_no']} 未设立联合会办")
        return
    print(f"{result['case_no']} 联合会办，牵头单位：{result['lead_organ']}")
    for o in result["organs"]:
        done = f"已报送：{o['report']}" if o["reported_at"] else "尚未报送"
        print(f"  {o['role_label']} {o['organ']}  届满 {o['due_date']}  {o['lateness']}  {done}")
    for m in result["meetings"]:
        print(f"  会办记录 {m['held_on']} {m['place']}：{m['agreed']}")
    for d in result["disputes"]:
        verdict = f"决定由{d['accepting_organ']}受理" if d["decided"] else "待决定"
        print(f"  受理争议 #{d['id']} {'、'.join(d['organs'])}：{verdict}")


def cmd_joint_step(args: argparse.Namespace) -> int:
    """One step of a joint handling, its body in ``--json``; prints the joint handling."""
    app = App()
    payload = read_json(args.json)
    fn = STEPS[args.joint_command][0]
    # ``decide`` names the dispute it decides; the other steps take the case alone.
    extra = {"dispute_id": args.dispute_id} if args.joint_command == "decide" else {}
    result = in_transaction(
        app.engine,
        lambda conn: fn(
            conn,
            app.rt,
            case_no=args.case_no,
            actor_staff_no=args.as_,
            payload=payload,
            now=app.clock.now(),
            **extra,
        ),
    )
    _print(result, args.print_json)
    return 0


def cmd_joint_show(args: argparse.Namespace) -> int:
    """Show a case's joint handling."""
    app = App()
    with app.engine.begin() as conn:
        result = view.show(
            conn, app.rt, case_no=args.case_no, viewer_staff_no=args.as_, now=app.clock.now()
        )
    _print(result, args.print_json)
    return 0


def register(sub: Subcommands) -> None:
    """Register ``joint setup|meeting|report|dispute|decide|show``."""
    joint = sub.add_parser("joint", help="联合会办").add_subparsers(
        dest="joint_command", required=True
    )
    for name, (_, help_text) in STEPS.items():
        s = joint.add_parser(name, help=help_text)
        s.add_argument("case_no")
        if name == "decide":
            s.add_argument("dispute_id", type=int)
        s.add_argument("--as", dest="as_", required=True, metavar="STAFF_NO")
        s.add_argument("--json", metavar="FILE|-", required=True)
        s.add_argument("--print-json", action="store_true", help="以 JSON 输出")
        s.set_defaults(func=cmd_joint_step)
    s = joint.add_parser("show", help="查看联合会办情况")
    s.add_argument("case_no")
    s.add_argument("--as", dest="as_", metavar="STAFF_NO")
    s.add_argument("--json", dest="print_json", action="store_true")
    s.set_defaults(func=cmd_joint_show)
