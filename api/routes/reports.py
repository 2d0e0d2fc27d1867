"""Reports on the API: the office statistics (JSON, CSV or Excel), a case's closure report PDF
(once it has ended) and its progress print PDF (while it is open).

A receptionist gets the closure report of the cases they own only."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import WithJsonSchema

from api.deps import SIGNED_IN, ApiReader, Ctx, enum_param, problems
from api.pages import reports
from api.schemas.reports import Stats

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
        **problems(*SIGNED_IN, 404, 409, 422, s409="信访事项尚未结案：请取进展情况"),
    },
)
def closure_pdf_api(ctx: Ctx, user: ApiReader, case_no: str) -> Response:
    """One case's closure report as a PDF (A4, Chinese text in the installed CJK font), once the
    matter has ended (办结、终结、不予受理、撤回); an open case answers 409."""
    report, _ = reports.document_for(ctx, user, case_no)
    return reports.document_pdf(ctx, report, case_no)


@router.get(
    "/cases/{case_no}/progress.pdf",
    summary="进展情况（PDF）",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "进展情况 PDF"},
        **problems(*SIGNED_IN, 404, 409, 422, s409="信访事项已结案：请取结案报告"),
    },
)
def progress_pdf_api(ctx: Ctx, user: ApiReader, case_no: str) -> Response:
    """An open case so far as a PDF: steps, deadlines and their standing, what is pending."""
    report, _ = reports.document_for(ctx, user, case_no, "progress")
    return reports.document_pdf(ctx, report, case_no, "progress")
