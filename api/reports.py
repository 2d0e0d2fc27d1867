"""Reports: the statistics page, the closure report's print view and its PDF (their JSON API is
``api.routes.reports``).

Readers of cases (receptionist, handler, supervisor, leader, auditor) may read them; a
receptionist gets the closure report of the cases they own only. The closure report shows a case
as ``reading.show`` shows it to the viewer, so an accusation's author stays hidden from the
accused unit (条例第三十条第三款).
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Connection

from api import pages
from api.deps import Ctx, PageReader, User
from api.middleware import with_style_hashes
from cases.organisation import roster
from cases.reports import closure, counting, exports, pdf, stats
from cases.runtime import Runtime
from workflow.calendar import local_date
from workflow.errors import InvalidInput, PermissionDenied

router = APIRouter()

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CHART_TITLES = {
    "rates": "主要指标（本期与上期）",
    "by_category": "受理量：按类别",
    "by_channel": "受理量：按信访形式",
    "by_owner": "首接责任人按期率",
    "hotspots": "上升的热点",
    "regions": "上升的地区",
}
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}

# --- rendering (shared with the command line) ------------------------------------------------------


def template_env(tz: Any) -> Environment:
    """The pages' Jinja environment: the app's, and the command line's outside a request."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        # Every value put into a page is escaped, whatever a petitioner typed.
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    pages.install_filters(env, tz)
    return env


def closure_context(
    conn: Connection, rt: Runtime, *, case_no: str, viewer_staff_no: str | None, now: datetime
) -> dict[str, Any]:
    """One case's closure report, its steps with their contents in Chinese."""
    report = closure.closure_report(
        conn, rt, case_no=case_no, viewer_staff_no=viewer_staff_no, now=now
    )
    for step in report["steps"]:
        # Payloads are already empty for a viewer from whom the case is hidden.
        step["lines"] = pages.event_lines(step, rt.tz)
    return report


def closure_html(
    env: Environment, reports: Sequence[Mapping[str, Any]], *, screen: bool = False, **extra: Any
) -> str:
    """The closure reports as one HTML document (each on its own pages)."""
    return env.get_template("closure_report.html").render(reports=reports, screen=screen, **extra)


def stats_html(
    env: Environment, data: Mapping[str, Any], *, printing: bool, office_name: str, **extra: Any
) -> str:
    """The statistics with their charts: the page's content, or an A4 document to print."""
    return env.get_template("reports.html").render(
        s=data,
        charts=chart_uris(data),
        chart_titles=CHART_TITLES,
        printing=printing,
        layout="closure_report.html" if printing else None,
        office_name=office_name,
        **extra,
    )


def chart_uris(data: Mapping[str, Any]) -> dict[str, str]:
    """The statistics' charts as ``data:`` URIs (matplotlib is imported only when drawing)."""
    from cases.reports import charts

    return {name: charts.data_uri(png) for name, png in charts.stats_charts(data).items()}


# --- helpers ----------------------------------------------------------------------------------------


def download(content: bytes, kind: str, filename: str, *, inline: bool = False) -> Response:
    """A file to save (or, ``inline``, to show in the browser) under its Chinese-safe name."""
    disposition = "inline" if inline else "attachment"
    return Response(
        content,
        media_type=MEDIA[kind],
        headers={"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}"},
    )


def office_name(conn: Connection) -> str:
    """The office's name as the reports print it."""
    office = roster.office(conn)
    return office.name if office is not None else "信访接待窗口"


def statistics(ctx: Any, start: str | None, end: str | None) -> tuple[dict[str, Any], str]:
    """The office statistics for ``from``–``to`` (defaults: the 90 days to today), and its name."""
    today = local_date(ctx.clock.now(), ctx.rt.tz)
    period = counting.parse_period(start, end, today=today)
    with ctx.engine.begin() as conn:
        data = stats.office_stats(conn, period=period, tz=ctx.rt.tz)
        name = office_name(conn)
    return data, name


def check_format(value: str, allowed: Iterable[str]) -> str:
    """The export format asked for, if it is one of ``allowed`` (else 422 in Chinese)."""
    allowed = list(allowed)
    if value not in allowed:
        raise InvalidInput(
            "report.bad_format", f"导出格式应为 {'、'.join(allowed)} 之一", field="format"
        )
    return value


def closure_for(ctx: Any, user: User, case_no: str) -> tuple[dict[str, Any], str]:
    """The case's closure report for this user; a receptionist only for a case they own."""
    with ctx.engine.begin() as conn:
        report = closure_context(
            conn, ctx.rt, case_no=case_no, viewer_staff_no=user.staff_no, now=ctx.clock.now()
        )
        name = report["office_name"]
    if user.role == "receptionist" and report["case"]["owner"]["staff_no"] != user.staff_no:
        raise PermissionDenied(
            "permission.denied",
            "接访员只能查看本人首接信访事项的结案报告",
            case_no=case_no,
            role=user.role,
        )
    return report, name


def stats_export(data: Mapping[str, Any], kind: str, html: str | None = None) -> Response:
    """The statistics as a CSV, Excel or PDF download."""
    name = f"shoujie-stats-{data['from']}-{data['to']}.{kind}"
    if kind == "csv":
        return download(exports.stats_csv(data), "csv", name)
    if kind == "xlsx":
        return download(exports.stats_xlsx(data), "xlsx", name)
    assert html is not None
    return download(pdf.from_html(html), "pdf", name)


# --- routes -----------------------------------------------------------------------------------------

From = Annotated[
    str | None, Query(alias="from", description="起始日期 YYYY-MM-DD（默认截止日前89日）")
]
To = Annotated[str | None, Query(alias="to", description="截止日期 YYYY-MM-DD（默认今天）")]


@router.get("/reports", include_in_schema=False)
def reports_page(
    request: Request,
    ctx: Ctx,
    user: PageReader,
    start: From = None,
    end: To = None,
    format: str = "html",
) -> Response:
    """The statistics for a date range, with charts; or their CSV, Excel or PDF."""
    kind = check_format(format, ("html", "csv", "xlsx", "pdf"))
    data, office_name = statistics(ctx, start, end)
    if kind in ("csv", "xlsx"):
        return stats_export(data, kind)
    if kind == "pdf":
        env = ctx.templates
        return stats_export(
            data, "pdf", stats_html(env, data, printing=True, office_name=office_name)
        )
    response = pages.render(
        request,
        "reports.html",
        user=user,
        s=data,
        charts=chart_uris(data),
        chart_titles=CHART_TITLES,
        printing=False,
        layout=None,
        office_name=office_name,
    )
    return with_style_hashes(response)


@router.get("/cases/{case_no}/closure-report", include_in_schema=False)
def closure_page(
    request: Request, ctx: Ctx, user: PageReader, case_no: str, format: str = "html"
) -> Response:
    """The closure report's print view (A4), or its PDF."""
    kind = check_format(format, ("html", "pdf"))
    report, _ = closure_for(ctx, user, case_no)
    if kind == "pdf":
        html = closure_html(ctx.templates, [report])
        return download(pdf.from_html(html), "pdf", f"closure-{case_no}.pdf", inline=True)
    html = closure_html(
        ctx.templates,
        [report],
        screen=True,
        pdf_url=f"/cases/{quote(case_no)}/closure-report?format=pdf",
    )
    return with_style_hashes(HTMLResponse(html))
