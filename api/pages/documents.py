"""The reports as HTML documents: the statistics with their charts, and closure reports and
progress prints laid out for A4. The pages show them, the PDFs are printed from them, and the command line writes them.

Like ``api.pages.templating`` it loads no web framework.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from jinja2 import Environment
from sqlalchemy import Connection

from api.pages.templating import event_lines
from cases.reports import closure, progress
from cases.runtime import Runtime
from workflow import measures

#: Each measure's basis, for the statistics' 口径说明 (workflow/measures.py says it once).
BASES: dict[str, Any] = {"bases": measures.MEASURES, "count_bases": measures.COUNT_BASES}
CHART_TITLES = {
    "rates": "主要指标（本期与上期）",
    "by_category": "受理量：按类别",
    "by_channel": "受理量：按信访形式",
    "by_owner": "首接责任人按期率",
    "hotspots": "上升的热点",
    "regions": "上升的地区",
}


def closure_context(
    conn: Connection, rt: Runtime, *, case_no: str, viewer_staff_no: str | None, now: datetime
) -> dict[str, Any]:
    """One case's closure report, its steps with their contents in Chinese."""
    report = closure.closure_report(
        conn, rt, case_no=case_no, viewer_staff_no=viewer_staff_no, now=now
    )
    for step in report["steps"]:
        # Payloads are already empty for a viewer from whom the case is hidden.
        step["lines"] = event_lines(step, rt.tz, rt.regions(conn))
    return report


def progress_context(
    conn: Connection, rt: Runtime, *, case_no: str, viewer_staff_no: str | None, now: datetime
) -> dict[str, Any]:
    """One open case's progress print (进展情况), its steps with their contents in Chinese."""
    report = progress.progress_report(
        conn, rt, case_no=case_no, viewer_staff_no=viewer_staff_no, now=now
    )
    for step in report["steps"]:
        step["lines"] = event_lines(step, rt.tz)
    return report


def progress_html(
    env: Environment, reports: Sequence[Mapping[str, Any]], *, screen: bool = False, **extra: Any
) -> str:
    """The progress prints as one HTML document (A4, the closure report's layout)."""
    return env.get_template("progress_report.html").render(reports=reports, screen=screen, **extra)


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
        **BASES,
        **extra,
    )


def chart_uris(data: Mapping[str, Any]) -> dict[str, str]:
    """The statistics' charts as ``data:`` URIs (matplotlib is imported only when drawing)."""
    from cases.reports import charts

    return {name: charts.data_uri(png) for name, png in charts.stats_charts(data).items()}
