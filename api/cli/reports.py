"""``shoujie report closure`` and ``shoujie report stats`` (contract.md, "Command line").

Errors are ``DomainError``s, so ``api.cli.main.main`` turns them into the contract's exit codes and
one line on stderr.
"""

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from api.cli.context import App, Subcommands
from cases.casework import reading
from cases.organisation import roster
from cases.reports import closure, counting, exports, pdf, stats
from cases.store import staff
from workflow.calendar import local_date
from workflow.errors import InvalidInput, NotFound, PermissionDenied

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def output_path(path: str, suffixes: tuple[str, ...]) -> Path:
    out = Path(path)
    if out.suffix.lower() not in suffixes:
        raise InvalidInput(
            "report.bad_output",
            f"输出文件应以 {' 或 '.join(suffixes)} 结尾：{path}",
            field="output",
        )
    if not out.parent.exists():
        raise InvalidInput("report.bad_output", f"输出目录不存在：{out.parent}", field="output")
    return out


def own_cases_only(conn: Connection, app: App, viewer: Any, case_no: str, title: str) -> None:
    """The prints of a case its viewer sees only as a summary are refused (workflow/read_scope.py:
    a receptionist's others' cases, a handler's cases not yet taken up), before the print's own
    refusals."""
    if viewer is None:
        return
    case = reading.show(
        conn, app.rt, case_no=case_no, viewer_staff_no=viewer.staff_no, now=app.clock.now()
    )
    if case.get("scope") == "summary":
        raise PermissionDenied(
            "permission.denied",
            f"该信访事项您只能查看摘要，不能查看其{title}（{case_no}）",
            case_no=case_no,
        )


def cmd_report_closure(args: argparse.Namespace) -> int:
    """Write one case's closure report, or a month's, to a PDF or HTML file."""
    if bool(args.case_no) == bool(args.month):
        raise InvalidInput(
            "report.case_or_month", "请给出案件编号，或用 --month YYYY-MM 给出月份（二者选一）"
        )
    from tqdm import tqdm

    # The page templates (and FastAPI with them) load only when a report is made.
    from api.pages.documents import closure_context, closure_html
    from api.pages.templating import template_env

    out = output_path(args.output, (".pdf", ".html"))
    app = App()
    now = app.clock.now()
    tz = app.rt.tz
    env = template_env(tz, app.rt.regions)
    viewer = None
    with app.engine.begin() as conn:
        app.rt.regions(conn)  # the office's list, for the reports' region labels
        if args.as_:
            viewer, _ = staff.get_actor(conn, args.as_)
        if args.month:
            m = _MONTH.match(args.month)
            if not m or not 1 <= int(m.group(2)) <= 12:
                raise InvalidInput(
                    "report.bad_month", f"月份格式应为 YYYY-MM：{args.month}", field="month"
                )
            case_nos = closure.month_case_numbers(
                conn, year=int(m.group(1)), month=int(m.group(2)), tz=tz
            )
            if not case_nos:
                raise NotFound("report.none_in_month", f"{args.month} 没有结案的信访事项")
        else:
            case_nos = [args.case_no]
        # Each report is gathered, then laid out (the slow part), one case after another.
        bar = tqdm(
            total=len(case_nos),
            desc="结案报告",
            unit="件",
            file=sys.stderr,
            disable=len(case_nos) < 2,
        )
        reports = []
        for case_no in case_nos:
            own_cases_only(conn, app, viewer, case_no, "结案报告")
            report = closure_context(
                conn, app.rt, case_no=case_no, viewer_staff_no=args.as_, now=now
            )
            reports.append(report)
            if out.suffix.lower() == ".html":
                bar.update(1)
    if out.suffix.lower() == ".html":
        out.write_text(closure_html(env, reports), encoding="utf-8")
    else:
        out.write_bytes(pdf.merged((closure_html(env, [r]) for r in reports), progress=bar.update))
    bar.close()
    print(
        f"已生成结案报告 {len(reports)} 件：{out} / closure report written ({len(reports)} cases)"
    )
    return 0


def cmd_report_progress(args: argparse.Namespace) -> int:
    """Write an open case's progress print (进展情况) to a PDF or HTML file."""
    from api.pages.documents import progress_context, progress_html
    from api.pages.templating import template_env

    out = output_path(args.output, (".pdf", ".html"))
    app = App()
    with app.engine.begin() as conn:
        viewer = staff.get_actor(conn, args.as_)[0] if args.as_ else None
        own_cases_only(conn, app, viewer, args.case_no, "进展情况")
        report = progress_context(
            conn, app.rt, case_no=args.case_no, viewer_staff_no=args.as_, now=app.clock.now()
        )
    html = progress_html(template_env(app.rt.tz), [report])
    if out.suffix.lower() == ".html":
        out.write_text(html, encoding="utf-8")
    else:
        out.write_bytes(pdf.from_html(html))
    print(f"已生成进展情况：{out} / progress report written")
    return 0


def cmd_report_stats(args: argparse.Namespace) -> int:
    """Print or write the office statistics for a date range (json, csv, xlsx or pdf)."""
    from api.pages.documents import stats_html
    from api.pages.templating import template_env

    app = App()
    today = local_date(app.clock.now(), app.rt.tz)
    period = counting.parse_period(args.from_, args.to, today=today)
    if args.format in ("xlsx", "pdf") and not args.output:
        raise InvalidInput(
            "report.output_required", f"{args.format} 格式需要用 -o 指定输出文件", field="output"
        )
    with app.engine.begin() as conn:
        data = stats.office_stats(conn, app.rt, period=period, now=app.clock.now())
        office = roster.office(conn)
    if args.format == "json":
        content = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    elif args.format == "csv":
        content = exports.stats_csv(data)
    elif args.format == "xlsx":
        content = exports.stats_xlsx(data)
    else:
        html = stats_html(
            template_env(app.rt.tz),
            data,
            printing=True,
            office_name=office.name if office is not None else "信访接待窗口",
        )
        content = pdf.from_html(html)
    if not args.output:
        if args.format == "json":
            print(content.decode("utf-8"), end="")
        else:
            sys.stdout.flush()
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
        return 0
    out = output_path(args.output, (f".{args.format}",))
    out.write_bytes(content)
    print(
        f"已导出统计 {data['from']} 至 {data['to']}：{out} / statistics written",
        file=sys.stderr if args.format == "json" else sys.stdout,
    )
    return 0


def register(sub: Subcommands) -> None:
    """Register ``report closure`` and ``report stats``."""
    report = sub.add_parser("report", help="报告：结案报告、统计分析").add_subparsers(
        dest="report_command", required=True
    )
    s = report.add_parser("closure", help="结案报告（PDF 或 HTML）：仅限已结案的信访事项")
    s.add_argument("case_no", nargs="?", help="案件编号，如 2026-000123")
    s.add_argument("-o", "--output", required=True, metavar="FILE.pdf|FILE.html")
    s.add_argument("--month", metavar="YYYY-MM", help="该月结案的全部信访事项，合为一个文件")
    s.add_argument(
        "--as",
        dest="as_",
        metavar="STAFF_NO",
        help="以该工作人员能看到的内容出具（检举控告类对被检举单位保密）",
    )
    s.set_defaults(func=cmd_report_closure)

    s = report.add_parser("progress", help="进展情况：办理中信访事项的打印件（PDF 或 HTML）")
    s.add_argument("case_no", help="案件编号，如 2026-000123")
    s.add_argument("-o", "--output", required=True, metavar="FILE.pdf|FILE.html")
    s.add_argument("--as", dest="as_", metavar="STAFF_NO", help="以该工作人员能看到的内容出具")
    s.set_defaults(func=cmd_report_progress)

    s = report.add_parser("stats", help="统计分析")
    s.add_argument("--from", dest="from_", required=True, metavar="DATE")
    s.add_argument("--to", required=True, metavar="DATE")
    s.add_argument("--format", choices=["json", "csv", "xlsx", "pdf"], default="json")
    s.add_argument("-o", "--output", metavar="FILE")
    s.set_defaults(func=cmd_report_stats)
