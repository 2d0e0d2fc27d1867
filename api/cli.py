"""The ``shoujie`` command line (contract.md): exit codes 0 done · 1 failure · 2 bad input ·
3 not allowed now · 4 permission denied · 5 conflict · 6 not found."""

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from api.cli_notify import add_notify_commands
from api.cli_reports import add_report_commands
from cases.casework import actions, intake, reading, schedules
from cases.db import engine_for, upgrade
from cases.organisation import roster
from cases.repeat import jurisdiction
from cases.runtime import Runtime
from cases.settings import Clock, parse_instant, settings
from workflow.calendar import parse_schedule, reckon
from workflow.errors import DomainError, InvalidInput

_ENGLISH = {
    2: "bad input",
    3: "action not allowed in the case's state",
    4: "permission denied",
    5: "conflict: the case changed meanwhile",
    6: "not found",
    1: "failure",
}


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _read_json(source: str | None) -> dict[str, Any]:
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
    return value


class App:
    """What every command needs: settings, engine, runtime and the clock."""

    def __init__(self) -> None:
        self.settings = settings()
        self.engine: Engine = engine_for(self.settings.database_url)
        self.rt = Runtime.from_settings(self.settings)
        self.clock = Clock(self.settings.fixed_now)


def _names(source: str | None, what: str) -> dict[str, str] | None:
    """A JSON object of 6-digit region codes to names (organs or regions), or None (keep)."""
    if source is None:
        return None
    names = _read_json(source)
    bad = [k for k, v in names.items() if not (len(k) == 6 and k.isdigit() and isinstance(v, str))]
    if bad:
        raise InvalidInput(
            "office.bad_names", f"{what}应为“6位行政区划代码: 名称”，有误：{'、'.join(bad[:5])}"
        )
    return {k: v.strip() for k, v in names.items()}


def cmd_office_show(args: argparse.Namespace) -> int:
    """Show the office's level, region, the organs it transfers to and the regions' names."""
    app = App()
    with app.engine.begin() as conn:
        level, region, organs = jurisdiction.office_jurisdiction(conn)
        names = jurisdiction.region_names(conn)
    if args.json:
        _print_json({"level": level, "region_code": region, "organs": organs, "regions": names})
        return 0
    print(f"本机关：{jurisdiction.LEVEL_LABELS[level]}信访工作机构，行政区划代码 {region}")
    print(f"转送机关 {len(organs)} 个，地区名称 {len(names)} 个")
    for code, organ in sorted(organs.items()):
        print(f"  {jurisdiction.region_label(code, names)} → {organ}")
    return 0


def cmd_office_set(args: argparse.Namespace) -> int:
    """Set the office's level and region (越级访 is judged from them), organs and region names."""
    app = App()
    with app.engine.begin() as conn:
        jurisdiction.configure_office(
            conn,
            level=args.level,
            region_code=args.region,
            name=args.name,
            organs=_names(args.organs, "转送机关"),
            regions=_names(args.regions, "地区名称"),
        )
    print(f"已设置本机关为{jurisdiction.LEVEL_LABELS[args.level]}，行政区划代码 {args.region}")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply migrations."""
    url = settings().database_url
    upgrade(url)
    print(f"数据库已迁移到最新版本 / database upgraded: {url}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Load the demo office."""
    from cases.demo.loader import load_demo

    app = App()
    with app.engine.begin() as conn:
        if args.if_empty and reading.case_count(conn) > 0:
            print("数据库中已有数据，跳过演示数据 / database not empty, demo skipped")
            return 0
    summary = load_demo(app.engine, app.rt, now=app.clock.now())
    print(summary)
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    """Add a staff member."""
    from cases.security import hash_password

    app = App()
    password_hash = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 8:
            raise InvalidInput("staff.weak_password", "密码至少8个字符", field="password")
        password_hash = hash_password(password)
    with app.engine.begin() as conn:
        group_id = None
        if args.group:
            group_id = args.group
        roster.add_staff(
            conn,
            staff_no=args.staff_no,
            name=args.name,
            role=args.role,
            group=group_id,
            password_hash=password_hash,
            pledge=args.pledge or "",
            post=args.post,
            unit=args.unit,
            now=app.clock.now(),
        )
    print(f"已添加工作人员 {args.staff_no} {args.name} / staff added")
    return 0


def cmd_case_intake(args: argparse.Namespace) -> int:
    """Register a case."""
    app = App()
    body = _read_json(args.json)
    with app.engine.begin() as conn:
        result = intake.intake(
            conn,
            app.rt,
            body=body,
            actor_staff_no=args.as_,
            now=app.clock.now(),
            handled_below=args.handled_below,
        )
    _print_json(result)
    return 0


def cmd_case_act(args: argparse.Namespace) -> int:
    """Perform an action on a case."""
    app = App()
    payload = _read_json(args.json)
    with app.engine.begin() as conn:
        result = actions.act(
            conn,
            app.rt,
            case_no=args.case_no,
            action=args.action,
            actor_staff_no=args.as_,
            payload=payload,
            now=app.clock.now(),
            expected_version=args.if_version,
        )
    _print_json(result)
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
        _print_json(case)
        return 0
    print(f"{case['case_no']}  {case['state_label']}（{case['state']}）  {case['subject']}")
    print(
        f"首接责任人：{case['owner']['name']}（{case['owner']['staff_no']}）  信访人：{case['petitioner']['name']}"
    )
    print("期限：")
    for c in case["clocks"]:
        flag = "（暂定）" if c["provisional"] else ""
        level = f" [{c['level']}]" if c["level"] else ""
        print(
            f"  {c['label']:<10} {c['status']:<8} 届满 {c['due_date']}{flag}{level}  {c['reckoning']}"
        )
    print("记录：")
    for e in case["events"]:
        print(
            f"  {e['seq']:>3}. {e['at'][:16]}  {e['action_label']}  {e['actor']}  {e['from_state'] or ''}→{e['to_state'] or ''}"
        )
    return 0


def cmd_case_list(args: argparse.Namespace) -> int:
    """List cases."""
    app = App()
    with app.engine.begin() as conn:
        cases = reading.list_cases(
            conn,
            app.rt,
            viewer_staff_no=args.as_,
            now=app.clock.now(),
            owner=args.owner,
            state=args.state,
        )
    if args.json:
        _print_json(cases)
        return 0
    for c in cases:
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
    print(f"共 {len(cases)} 件")
    return 0


def cmd_deadline(args: argparse.Namespace) -> int:
    """Reckon a statutory period."""
    try:
        start = date.fromisoformat(args.start)
    except ValueError:
        raise InvalidInput(
            "deadline.bad_start", f"起算日期格式应为 YYYY-MM-DD：{args.start}", field="start"
        ) from None
    calendar = None
    try:
        app = App()
        with app.engine.connect() as conn:
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
        _print_json(out)
    else:
        print(f"届满日：{out['due_date']}{'（暂定）' if d.provisional else ''}\n{d.reckoning}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run one pass of the SLA sweeper."""
    from cases.supervision.sweeper import sweep

    app = App()
    now = parse_instant(args.now) if args.now else app.clock.now()
    result = sweep(app.engine, app.rt, now=now)
    if args.json:
        _print_json(result)
    else:
        f = result["fired"]
        print(
            f"检查 {result['examined']} 个期限：预警 {f['warning']}，超期 {f['overdue']}，"
            f"督办 {f['supervision']}，挂牌督办 {f['flagged']}；期满办结 {result['closed_on_lapse']} 件"
        )
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


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Verify the audit chain."""
    from cases.audit import verify

    app = App()
    with app.engine.connect() as conn:
        result = verify(conn, app.rt.audit_key)
    if result.broken:
        print(f"审计链断裂 / audit chain broken: {result.broken}", file=sys.stderr)
        return 1
    print(f"OK {result.events} events")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the web pages, the API and the background sweeper."""
    import uvicorn

    uvicorn.run(
        "api.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    p = argparse.ArgumentParser(
        prog="shoujie", description="首接 Shoujie — 信访接待首接负责制案件跟踪"
    )
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="网页、接口和后台扫描")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=1)
    s.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="数据库").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="迁移到最新版本").set_defaults(func=cmd_db_upgrade)

    s = sub.add_parser("demo", help="载入演示办公室")
    s.add_argument("--if-empty", action="store_true")
    s.set_defaults(func=cmd_demo)

    user = sub.add_parser("user", help="工作人员").add_subparsers(
        dest="user_command", required=True
    )
    s = user.add_parser("add", help="添加工作人员")
    s.add_argument("--staff-no", required=True)
    s.add_argument("--name", required=True)
    s.add_argument("--role", required=True)
    s.add_argument("--group")
    s.add_argument("--post", choices=["group_leader", "branch_secretary", "office_leader"])
    s.add_argument("--pledge")
    s.add_argument("--unit")
    s.add_argument("--password-stdin", action="store_true")
    s.set_defaults(func=cmd_user_add)

    office = sub.add_parser("office", help="本机关层级与管辖").add_subparsers(
        dest="office_command", required=True
    )
    s = office.add_parser("show", help="查看本机关层级、转送机关与地区名称")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_office_show)
    s = office.add_parser("set", help="设置本机关层级与行政区划（据此认定越级访）")
    s.add_argument("--level", required=True, choices=list(jurisdiction.LEVELS))
    s.add_argument("--region", required=True, metavar="CODE", help="本机关的6位行政区划代码")
    s.add_argument("--name", help="机关名称")
    s.add_argument("--organs", metavar="FILE|-", help='JSON：{"320102": "玄武区信访局", …}')
    s.add_argument("--regions", metavar="FILE|-", help='JSON：{"320102": "南京市玄武区", …}')
    s.set_defaults(func=cmd_office_set)

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

    s = sub.add_parser("deadline", help="计算法定期限")
    s.add_argument("start")
    s.add_argument("days", type=int)
    s.add_argument("--working", action="store_true")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_deadline)

    s = sub.add_parser("sweep", help="扫描期限一次")
    s.add_argument("--now")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_sweep)

    cal = sub.add_parser("calendar", help="放假安排").add_subparsers(
        dest="calendar_command", required=True
    )
    s = cal.add_parser("load", help="载入官方放假安排")
    s.add_argument("file")
    s.set_defaults(func=cmd_calendar_load)

    audit = sub.add_parser("audit", help="审计").add_subparsers(dest="audit_command", required=True)
    audit.add_parser("verify", help="校验审计链").set_defaults(func=cmd_audit_verify)
    add_notify_commands(sub)
    add_report_commands(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``shoujie``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except DomainError as exc:
        english = _ENGLISH.get(exc.exit_code, "error")
        print(f"错误：{exc.message} / error: {english} ({exc.code})", file=sys.stderr)
        allowed = exc.details.get("allowed_actions")
        if allowed is not None:
            print(
                f"可执行的操作 / allowed actions: {', '.join(allowed) or '（无）'}", file=sys.stderr
            )
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001  (one line to stderr, never a traceback for users)
        print(f"意外错误：{exc} / unexpected failure: {type(exc).__name__}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
