"""The admins' organisation page: the branch, its groups and members, posts and vacancies, with
one form for each change (each an administrative event)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Ctx, Form, PageOffice, form_str
from api.pages.common import render, run_form
from cases.accounts import lifecycle
from cases.organisation import structure
from workflow.errors import InvalidInput

router = APIRouter(include_in_schema=False)


@router.get("/admin/office")
def office_page(request: Request, ctx: Ctx, user: PageOffice) -> Response:
    """The party organisation with its vacancies, and the forms that change it."""
    with ctx.engine.begin() as conn:
        org = structure.organisation(conn)
        people = [a for a in lifecycle.accounts(conn) if a["active"]]
    return render(
        request, "admin_office.html", user=user, org=org, people=people, posts=structure.POSTS
    )


@router.post("/admin/office")
def office_submit(request: Request, ctx: Ctx, user: PageOffice, form: Form) -> Response:
    """One change: ``do`` names it (branch, group_add, group_rename, group_remove, move, post)."""
    do = form_str(form, "do")
    key, actor, now = ctx.rt.audit_key, user.staff_no, ctx.clock.now()
    name, staff_no = form_str(form, "name"), form_str(form, "staff_no")

    def work(conn: object) -> None:
        if do == "branch":
            structure.set_branch(
                conn, key, actor=actor, name=name, rename=form_str(form, "rename") or None, now=now
            )  # type: ignore[arg-type]
        elif do == "group_add":
            structure.add_group(
                conn, key, actor=actor, name=name, branch=form_str(form, "branch") or None, now=now
            )  # type: ignore[arg-type]
        elif do == "group_rename":
            structure.rename_group(
                conn, key, actor=actor, name=name, new_name=form_str(form, "new_name"), now=now
            )  # type: ignore[arg-type]
        elif do == "group_remove":
            structure.remove_group(conn, key, actor=actor, name=name, now=now)  # type: ignore[arg-type]
        elif do == "move":
            structure.move_staff(
                conn,
                key,
                actor=actor,
                staff_no=staff_no,
                group=form_str(form, "group") or None,
                now=now,
            )  # type: ignore[arg-type]
        elif do == "post":
            structure.set_post(
                conn,
                key,
                actor=actor,
                staff_no=staff_no,
                post=form_str(form, "post") or None,
                now=now,
            )  # type: ignore[arg-type]
        else:
            raise InvalidInput("org.bad_change", "未知的操作", field="do")

    return run_form(request, ctx, "/admin/office", "已保存", work)
