"""The public staff wall (党员公示) with its photos and 群众评价, a member's page on it, and the
admins' form for photos and pledges."""

import hashlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.deps import Ctx, Form, PageAdmin, Public
from api.pages.common import OptionalUser, redirect, render
from api.security import add_flash
from cases.db import reader
from cases.organisation import photos, wall
from workflow.errors import InvalidInput, NotFound
from workflow.measures import WALL_MONTHS

router = APIRouter(include_in_schema=False)
#: Members not in a party group, on the wall after the groups.
UNGROUPED = "其他工作人员"


@router.get("/staff")
def staff_page(request: Request, ctx: Ctx, _: Public, user: OptionalUser) -> Response:
    """The public staff wall (党员公示): photo, 工号, name, group, pledge and 群众评价."""
    minimum = ctx.rt.settings.wall_min_ratings
    with reader(ctx.engine).begin() as conn:
        people = wall.staff_wall(
            conn, tz=ctx.rt.tz, now=ctx.clock.now(), minimum=minimum, cache=ctx.wall
        )
    groups: dict[str, list[dict[str, Any]]] = {}
    for person in people:  # already in the organisation's order: groups keep it
        groups.setdefault(person["group_name"] or UNGROUPED, []).append(person)
    return render(
        request, "staff.html", user=user, groups=groups, months=WALL_MONTHS, minimum=minimum
    )


@router.get("/staff/{staff_no}")
def staff_member_page(
    request: Request, ctx: Ctx, _: Public, user: OptionalUser, staff_no: str
) -> Response:
    """One member on the wall: photo, 工号, group, post, pledge and the counts of their 群众评价
    (never a case, a petitioner or a comment)."""
    minimum = ctx.rt.settings.wall_min_ratings
    with reader(ctx.engine).begin() as conn:
        person = wall.wall_member(
            conn, staff_no, tz=ctx.rt.tz, now=ctx.clock.now(), minimum=minimum, cache=ctx.wall
        )
    if person is None:
        raise NotFound("staff.not_found", f"党员公示中没有工号为 {staff_no} 的党员")
    return render(
        request, "staff_member.html", user=user, p=person, months=WALL_MONTHS, minimum=minimum
    )


@router.get("/staff/{staff_no}/photo")
def staff_photo(request: Request, ctx: Ctx, _: Public, staff_no: str) -> Response:
    """A staff member's photo (public, like the wall); their generated portrait when none was
    uploaded, so the wall never shows a broken image."""
    with reader(ctx.engine).begin() as conn:
        found = wall.staff_photo(conn, staff_no)
    if found is None:
        raise NotFound("photo.not_found", "没有这名工作人员", staff_no=staff_no)
    data, kind = found
    # Revalidated on every view (a new upload shows at once), answered 304 while unchanged.
    etag = f'"{hashlib.sha256(data).hexdigest()[:20]}"'
    headers = {"Cache-Control": "public, no-cache", "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=kind, headers=headers)


@router.post("/admin/staff/{staff_no}")
def admin_staff_update(
    request: Request, ctx: Ctx, user: PageAdmin, staff_no: str, form: Form
) -> Response:
    """Upload a photo (JPEG or PNG by its bytes, at most 2 MB; stored cropped to 3:4 and
    re-encoded) and/or change the pledge."""
    upload = form.get("photo")
    pledge = form.get("pledge")
    try:
        with ctx.engine.begin() as conn:
            if isinstance(upload, UploadFile) and upload.filename:
                data = upload.file.read(photos.MAX_PHOTO_BYTES + 1)
                wall.set_staff_photo(conn, staff_no=staff_no, data=data)
            if isinstance(pledge, str):
                wall.set_staff_pledge(conn, staff_no=staff_no, pledge=pledge)
    except InvalidInput as exc:
        add_flash(request.session, f"{staff_no}：{exc.message}", "error")
        return redirect("/admin/staff")
    add_flash(request.session, f"已更新 {staff_no}", "success")
    return redirect("/admin/staff")
