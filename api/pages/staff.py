"""The public staff wall (党员公示) with its photos, and the admins' page for photos and pledges."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.deps import Ctx, Form, PageAdmin, Public
from api.pages.common import OptionalUser, redirect, render
from api.security import add_flash
from cases.organisation import wall
from workflow.errors import InvalidInput, NotFound

router = APIRouter(include_in_schema=False)


@router.get("/staff")
def staff_page(request: Request, ctx: Ctx, _: Public, user: OptionalUser) -> Response:
    """The public staff wall (党员公示): photo, 工号, name, group and pledge."""
    with ctx.engine.begin() as conn:
        people = wall.staff_wall(conn)
    groups: dict[str, list[dict[str, Any]]] = {}
    for person in people:
        groups.setdefault(person["group_name"] or "其他工作人员", []).append(person)
    return render(request, "staff.html", user=user, groups=groups)


@router.get("/staff/{staff_no}/photo")
def staff_photo(ctx: Ctx, _: Public, staff_no: str) -> Response:
    """A staff member's photo (public, like the wall)."""
    with ctx.engine.begin() as conn:
        found = wall.staff_photo(conn, staff_no)
    if found is None:
        raise NotFound("photo.not_found", "没有照片", staff_no=staff_no)
    data, kind = found
    return Response(data, media_type=kind, headers={"Cache-Control": "public, max-age=300"})


@router.post("/admin/staff/{staff_no}")
def admin_staff_update(
    request: Request, ctx: Ctx, user: PageAdmin, staff_no: str, form: Form
) -> Response:
    """Upload a photo (JPEG or PNG by its bytes, at most 2 MB) and/or change the pledge."""
    upload = form.get("photo")
    pledge = form.get("pledge")
    try:
        with ctx.engine.begin() as conn:
            if isinstance(upload, UploadFile) and upload.filename:
                data = upload.file.read(wall.MAX_PHOTO_BYTES + 1)
                wall.set_staff_photo(conn, staff_no=staff_no, data=data)
            if isinstance(pledge, str):
                wall.set_staff_pledge(conn, staff_no=staff_no, pledge=pledge)
    except InvalidInput as exc:
        add_flash(request.session, f"{staff_no}：{exc.message}", "error")
        return redirect("/admin/staff")
    add_flash(request.session, f"已更新 {staff_no}", "success")
    return redirect("/admin/staff")
