"""Reports on the JSON API: the office statistics (or their CSV and Excel) and a case's closure
report as a PDF.

Loading, the receptionist's limit and the documents are the report pages' (``api.pages.reports``).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from api.deps import ApiReader, Ctx
from api.pages import reports as report_pages
from api.pages.reports import MEDIA, From, To

router = APIRouter()


@router.get(
    "/api/v1/stats",
    tags=["reports"],
    summary="统计分析（按期受理率、按期办结率、满意率等，与上期对比）",
    responses={
        200: {
            "content": {MEDIA["csv"]: {}, MEDIA["xlsx"]: {}},
            "description": "统计结果（JSON；format=csv 或 xlsx 时为导出文件）",
        }
    },
)
def stats_api(
    ctx: Ctx,
    user: ApiReader,
    start: From = None,
    end: To = None,
    format: Annotated[str, Query(description="json · csv · xlsx")] = "json",
) -> Any:
    """The office statistics (contract.md: the keys of ``shoujie report stats --format json``);
    a rate is a number in [0, 1], or null where nothing was counted."""
    kind = report_pages.check_format(format, ("json", "csv", "xlsx"))
    data, _ = report_pages.statistics(ctx, start, end)
    if kind == "json":
        return JSONResponse(data)
    return report_pages.stats_export(data, kind)


@router.get(
    "/api/v1/cases/{case_no}/closure-report.pdf",
    tags=["reports"],
    summary="结案报告（PDF）",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "结案报告 PDF"}},
)
def closure_pdf_api(ctx: Ctx, user: ApiReader, case_no: str) -> Response:
    """One case's closure report as a PDF (A4, Chinese text in the installed CJK font)."""
    report, _ = report_pages.closure_for(ctx, user, case_no)
    return report_pages.closure_pdf(ctx, report, case_no)
