"""The reports on the pages: the statistics for a date range with their charts (or as CSV, Excel,
PDF), and a case's closure report (once it has ended) or progress print (while it is open) as a
print view (or PDF).

Readers of cases may read them; a receptionist gets the closure report of the cases they own
only. The closure report shows a case as ``reading.show`` shows it to the viewer, so an
accusation's author stays hidden from the accused unit (条例第三十条第三款). The JSON API's
statistics and closure PDF load and answer through the same functions.
"""

import hashlib
import json
import pickle
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Connection

from api.deps import AppContext, Ctx, PageReader, User
from api.middleware import with_style_hashes
from api.pages.common import render
from api.pages.documents import (
    BASES,
    CHART_TITLES,
    chart_uris,
    closure_context,
    closure_html,
    progress_context,
    progress_html,
    stats_html,
)
from cases.casework import reading
from cases.organisation import roster
from cases.reports import cache, counting, exports, pdf, stats
from workflow.calendar import local_date
from workflow.errors import InvalidInput

router = APIRouter(include_in_schema=False)

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}
From = Annotated[
    str | None, Query(alias="from", description="起始日期 YYYY-MM-DD（默认截止日前89日）")
]
To = Annotated[str | None, Query(alias="to", description="截止日期 YYYY-MM-DD（默认今天）")]

# --- what the pages and the API share -------------------------------------------------------------

_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def download(content: bytes, kind: str, filename: str, *, inline: bool = False) -> Response:
    """A file to save (or, ``inline``, to show in the browser) with its Chinese-safe name."""
    disposition = "inline" if inline else "attachment"
    return Response(
        content,
        media_type=MEDIA[kind],
        headers={"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}"},
    )


def _office_name(conn: Connection) -> str:
    office = roster.office(conn)
    return office.name if office is not None else "信访接待窗口"


def statistics(ctx: AppContext, start: str | None, end: str | None) -> tuple[dict[str, Any], str]:
    """The office statistics for the period (the last 90 days by default), and the office's name."""
    today = local_date(ctx.clock.now(), ctx.rt.tz)
    period = counting.parse_period(start, end, today=today)
    with ctx.engine.begin() as conn:
        name = _office_name(conn)
        # Computed once per data version (cases.reports.cache: a write, a roster change or a new
        # day moves it), then served from memory while nothing the statistics count has changed.
        key = ("stats-data", name, period, cache.data_version(conn, today))
        made = ctx.figures.get_or_make(
            key,
            lambda: pickle.dumps(
                stats.office_stats(conn, ctx.rt, period=period, now=ctx.clock.now())
            ),
        )
    return pickle.loads(made), name  # noqa: S301 (our own bytes, made just above)


def charts_of(ctx: AppContext, data: Mapping[str, Any]) -> dict[str, str]:
    """The statistics' charts, drawn once for the numbers they show and kept (drawing takes most
    of a statistics page's time)."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    made = ctx.figures.get_or_make(
        ("charts", digest), lambda: json.dumps(chart_uris(data)).encode()
    )
    return json.loads(made)


def check_format(value: str, allowed: Iterable[str]) -> str:
    """The requested format, if it is one of ``allowed`` (else 422)."""
    allowed = list(allowed)
    if value not in allowed:
        raise InvalidInput(
            "report.bad_format", f"导出格式应为 {'、'.join(allowed)} 之一", field="format"
        )
    return value


#: Each print of one case: how it is gathered, laid out, called, and its file's name.
CASE_DOCUMENTS = {
    "closure": (closure_context, closure_html, "结案报告", "closure"),
    "progress": (progress_context, progress_html, "进展情况", "progress"),
}


def document_for(
    ctx: AppContext, user: User, case_no: str, kind: str = "closure"
) -> tuple[dict[str, Any], str]:
    """The case's closure report (or, ``kind="progress"``, its progress print) for this user; a
    receptionist only for a case they own; refused (409) when the case's state has the other."""
    gather, _, title, _ = CASE_DOCUMENTS[kind]
    now = ctx.clock.now()
    with ctx.engine.begin() as conn:
        # Who may read it is decided before whether the case's state has this print.
        reading.show_full(
            conn, ctx.rt, case_no=case_no, viewer_staff_no=user.staff_no, now=now, what=title
        )
        report = gather(conn, ctx.rt, case_no=case_no, viewer_staff_no=user.staff_no, now=now)
    return report, report["office_name"]


def document_pdf(
    ctx: AppContext, report: Mapping[str, Any], case_no: str, kind: str = "closure"
) -> Response:
    """One closure report (or progress print) as a PDF, shown in the browser."""
    _, lay_out, _, stem = CASE_DOCUMENTS[kind]
    html = lay_out(ctx.templates, [report])
    return download(pdf.from_html(html), "pdf", f"{stem}-{case_no}.pdf", inline=True)


def stats_export(data: Mapping[str, Any], kind: str) -> Response:
    """The statistics as a CSV or Excel download."""
    name = f"shoujie-stats-{data['from']}-{data['to']}.{kind}"
    if kind == "csv":
        return download(exports.stats_csv(data), "csv", name)
    return download(exports.stats_xlsx(data), "xlsx", name)


def stats_pdf(ctx: AppContext, start: str | None, end: str | None) -> Response:
    """The statistics as a PDF, made once per (office, period, data version) and kept."""
    today = local_date(ctx.clock.now(), ctx.rt.tz)
    period = counting.parse_period(start, end, today=today)
    with ctx.engine.begin() as conn:
        key = ("stats", _office_name(conn), period, cache.data_version(conn, today))

    def make() -> bytes:
        data, office_name = statistics(ctx, start, end)
        return pdf.from_html(
            stats_html(ctx.templates, data, printing=True, office_name=office_name)
        )

    name = f"shoujie-stats-{period.start.isoformat()}-{period.end.isoformat()}.pdf"
    return download(ctx.reports.get_or_make(key, make), "pdf", name)


# --- pages ----------------------------------------------------------------------------------------


@router.get("/reports")
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
    if kind == "pdf":
        return stats_pdf(ctx, start, end)
    data, office_name = statistics(ctx, start, end)
    if kind in ("csv", "xlsx"):
        return stats_export(data, kind)
    if kind == "pdf":
        return stats_pdf(ctx, start, end)
    response = render(
        request,
        "reports.html",
        user=user,
        s=data,
        charts=charts_of(ctx, data),
        chart_titles=CHART_TITLES,
        printing=False,
        layout=None,
        office_name=office_name,
        **BASES,
    )
    return with_style_hashes(response)


def _case_document(ctx: AppContext, user: User, case_no: str, format: str, kind: str) -> Response:
    """A case's print view (A4) or its PDF."""
    fmt = check_format(format, ("html", "pdf"))
    report, _ = document_for(ctx, user, case_no, kind)
    if fmt == "pdf":
        return document_pdf(ctx, report, case_no, kind)
    _, lay_out, _, _ = CASE_DOCUMENTS[kind]
    path = "closure-report" if kind == "closure" else "progress"
    html = lay_out(
        ctx.templates, [report], screen=True, pdf_url=f"/cases/{quote(case_no)}/{path}?format=pdf"
    )
    return with_style_hashes(HTMLResponse(html))


@router.get("/cases/{case_no}/closure-report")
def closure_page(
    request: Request, ctx: Ctx, user: PageReader, case_no: str, format: str = "html"
) -> Response:
    """The closure report's print view (A4), or its PDF: only once the matter has ended."""
    return _case_document(ctx, user, case_no, format, "closure")


@router.get("/cases/{case_no}/progress")
def progress_page(
    request: Request, ctx: Ctx, user: PageReader, case_no: str, format: str = "html"
) -> Response:
    """An open case's progress print (进展情况, A4), or its PDF."""
    return _case_document(ctx, user, case_no, format, "progress")
