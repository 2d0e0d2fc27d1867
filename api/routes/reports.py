"""Reports on the API: the office statistics (JSON, CSV or Excel) and a case's closure report PDF.

A receptionist gets the closure report of the cases they own only."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import WithJsonSchema

from api.deps import SIGNED_IN, ApiReader, Ctx, enum_param, problems
from api.pages import reports
from api.pages.documents import closure_html
from api.schemas.reports import Stats
from cases.reports import pdf

router = APIRouter(prefix="/api/v1", tags=["reports"])

DATE = WithJsonSchema({"type": "string", "format": "date"})
From = Annotated[
    str | None, DATE, Query(alias="from", description="起始日期 YYYY-MM-DD（默认截止日前89日）")
]
To = Annotated[str | None, DATE, Query(alias="to", description="截止日期 YYYY-MM-DD（默认今天）")]
FORMATS = ("json", "csv", "xlsx")


@router.get(
    "/stats",
    summary="统计分析（按期受理率、按期办结率、满意率等，与上期对比）",
    response_model=Stats,
    responses={
        200: {
            "content": {reports.MEDIA["csv"]: {}, reports.MEDIA["xlsx"]: {}},
            "description": "统计结果（JSON；format=csv 或 xlsx 时为导出文件）",
        },
        **problems(*SIGNED_IN, 422, s422="日期或导出格式不正确"),
    },
)
def stats_api(
    ctx: Ctx,
    user: ApiReader,
    start: From = None,
    end: To = None,
    format: Annotated[str, enum_param(FORMATS, "json · csv · xlsx"), Query()] = "json",
) -> Any:
    """The office statistics (contract.md: the keys of ``shoujie report stats --format json``);
    a rate is a number in [0, 1], or null where nothing was counted."""
    kind = reports.check_format(format, FORMATS)
    data, _ = reports.statistics(ctx, start, end)
    if kind == "json":
        return data
    return reports.stats_export(data, kind)


@router.get(
    "/cases/{case_no}/closure-report.pdf",
    summary="结案报告（PDF）",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "结案报告 PDF"},
        **problems(*SIGNED_IN, 404, 422),
    },
)
def closure_pdf_api(ctx: Ctx, user: ApiReader, case_no: str) -> Response:
    """One case's closure report as a PDF (A4, Chinese text in the installed CJK font)."""
    report, _ = reports.closure_for(ctx, user, case_no)
    html = closure_html(ctx.templates, [report])
    return reports.download(pdf.from_html(html), "pdf", f"closure-{case_no}.pdf", inline=True)
