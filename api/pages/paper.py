"""The paper trail on the pages: a case's notices (告知文书) to print or download as PDF, and its
attachments (材料) to upload, preview and download. Staff of a unit an accusation accuses see
neither (条例第三十条第三款)."""

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from api.deps import AppContext, Ctx, Form, PageActor, PageReader, User
from api.middleware import with_style_hashes
from api.pages.common import case_url, redirect
from api.security import add_flash
from cases.casework import reading
from cases.paper import attachments, notices
from cases.paper.render import notice_pdf
from workflow.confidentiality import ARTICLE
from workflow.errors import DomainError, NotFound, PermissionDenied

router = APIRouter(include_in_schema=False)


def readable_case(conn: Any, ctx: AppContext, case_no: str, user: User) -> dict[str, Any]:
    """The case as ``user`` may read it, refused when its contents are hidden from them."""
    case = reading.show_full(
        conn,
        ctx.rt,
        case_no=case_no,
        viewer_staff_no=user.staff_no,
        now=ctx.clock.now(),
        what="告知文书和材料",
    )
    if case["petitioner"].get("confidential"):
        raise PermissionDenied(
            "case.confidential", f"该检举控告事项的材料和文书不向被检举控告的单位公开（{ARTICLE}）"
        )
    return case


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A PDF to open in the browser (or save under ``filename``)."""
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}"},
    )


def notice_response(html: str, doc_no: str, case_no: str, fmt: str) -> Response:
    """A stored notice as its print (HTML) or its PDF."""
    if fmt == "pdf":
        return pdf_response(notice_pdf(html), f"{case_no}-{doc_no}.pdf")
    # The notice's own <style> block, allowed by its hash (the pages' CSP allows nothing inline).
    return with_style_hashes(HTMLResponse(html))


@router.get("/cases/{case_no}/notices/{notice_id}")
def notice_page(
    ctx: Ctx, user: PageReader, case_no: str, notice_id: int, format: str = ""
) -> Response:
    """One notice as issued: its A4 print, or ``?format=pdf``."""
    with ctx.engine.begin() as conn:
        readable_case(conn, ctx, case_no, user)
        found = notices.notice_text(conn, case_no, notice_id)
    if found is None:
        raise NotFound("notice.not_found", "没有这份告知文书")
    return notice_response(found[0], found[1], case_no, format)


def uploads(form: FormData, name: str = "files") -> list[tuple[str, bytes]]:
    """The files a multipart form carried under ``name`` (empty file inputs left out)."""
    out = []
    for item in form.getlist(name):
        if isinstance(item, UploadFile) and item.filename:
            out.append((item.filename, item.file.read()))
    return out


@router.post("/cases/{case_no}/attachments")
def attach_submit(
    request: Request, ctx: Ctx, user: PageActor, case_no: str, form: Form
) -> Response:
    """Attach files to a case from its page (a plain multipart form)."""
    files = uploads(form)
    try:
        with ctx.engine.begin() as conn:
            readable_case(conn, ctx, case_no, user)
            stored = attachments.attach(
                conn,
                ctx.rt,
                case_no=case_no,
                files=files,
                actor_staff_no=user.staff_no,
                now=ctx.clock.now(),
            )
    except DomainError as exc:
        if exc.http_status in (403, 404):
            raise
        add_flash(request.session, exc.message, "error")
        return redirect(case_url(case_no) + "#attachments")
    add_flash(request.session, f"已上传材料 {len(stored)} 件", "success")
    return redirect(case_url(case_no) + "#attachments")


def _file(ctx: AppContext, user: User, case_no: str, attachment_id: int) -> dict[str, Any]:
    with ctx.engine.begin() as conn:
        readable_case(conn, ctx, case_no, user)
        found = attachments.attachment_bytes(conn, case_no, attachment_id)
    if found is None:
        raise NotFound("attachment.not_found", "没有这件材料")
    return found


@router.get("/cases/{case_no}/attachments/{attachment_id}")
def attachment_download(ctx: Ctx, user: PageReader, case_no: str, attachment_id: int) -> Response:
    """One attachment's bytes, with the type sniffed when it was stored."""
    found = _file(ctx, user, case_no, attachment_id)
    return Response(
        found["data"],
        media_type=found["media_type"],
        headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(found['filename'])}",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/cases/{case_no}/attachments/{attachment_id}/preview")
def attachment_preview(ctx: Ctx, user: PageReader, case_no: str, attachment_id: int) -> Response:
    """An attachment's preview: a small PNG of the image, or of a PDF's first page."""
    found = _file(ctx, user, case_no, attachment_id)
    if not found["preview"]:
        raise NotFound("attachment.no_preview", "这件材料没有预览")
    return Response(found["preview"], media_type="image/png")
