"""The office's party organisation on the JSON API (admins): branch, groups, who is in which
group, posts and vacancies. Each change is an administrative event."""

from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import SIGNED_IN, WITH_BODY, ApiOffice, Ctx, problems
from cases.db import reader
from cases.organisation import structure

router = APIRouter(prefix="/api/v1", tags=["office"])

ORG_ERRORS = problems(*SIGNED_IN, *WITH_BODY, 404, 409)


class BranchIn(BaseModel):
    """A branch to create, or (``rename``) the branch to rename."""

    name: str = Field(max_length=60)
    rename: str | None = Field(default=None, max_length=60)


class GroupIn(BaseModel):
    """A party group to add, to the named branch (or the only one)."""

    name: str = Field(max_length=60)
    branch: str | None = Field(default=None, max_length=60)


class GroupRenameIn(BaseModel):
    """A party group's new name."""

    new_name: str = Field(max_length=60)


class MoveIn(BaseModel):
    """The group to move a staff member to (null: out of every group)."""

    group: str | None = Field(default=None, max_length=60)


class PostIn(BaseModel):
    """The post to appoint to (null: relieve)."""

    post: Literal["group_leader", "branch_secretary", "office_leader"] | None = None


class Member(BaseModel):
    """A member of a group."""

    staff_no: str
    name: str
    post: str | None


class GroupOut(BaseModel):
    """A party group, its leader and members."""

    name: str
    leader: str | None
    members: list[Member]


class BranchOut(BaseModel):
    """A party branch, its secretary and groups."""

    name: str
    secretary: str | None
    groups: list[GroupOut]


class Organisation(BaseModel):
    """The party organisation, each post's holder and the vacancies."""

    branches: list[BranchOut]
    office_leader: str | None
    ungrouped: list[Member]
    vacancies: list[str] = Field(description="空缺的职务，如「第二党小组组长」")


def _org(ctx: Ctx) -> Organisation:
    with reader(ctx.engine).begin() as conn:
        return Organisation(**structure.organisation(conn))


def _change(ctx: Ctx, user: Any, change: Callable[..., Any], **args: Any) -> Organisation:
    """One audited change of the organisation, in its transaction; the organisation after it."""
    with ctx.engine.begin() as conn:
        change(conn, ctx.rt.audit_key, actor=user.staff_no, now=ctx.clock.now(), **args)
        # Read back in the same transaction: the answer is what this change left.
        return Organisation(**structure.organisation(conn))


@router.get(
    "/office/organisation",
    summary="党组织：支部、党小组、职务与空缺",
    response_model=Organisation,
    responses=problems(*SIGNED_IN),
)
def organisation(ctx: Ctx, user: ApiOffice) -> Organisation:
    """The party organisation as it stands."""
    return _org(ctx)


@router.post(
    "/office/branch", summary="设置或更名党支部", response_model=Organisation, responses=ORG_ERRORS
)
def set_branch(ctx: Ctx, user: ApiOffice, body: BranchIn) -> Organisation:
    """Create the branch, or rename one."""
    return _change(ctx, user, structure.set_branch, name=body.name, rename=body.rename)


@router.post(
    "/office/groups",
    summary="新建党小组",
    response_model=Organisation,
    status_code=201,
    responses=ORG_ERRORS,
)
def add_group(ctx: Ctx, user: ApiOffice, body: GroupIn) -> Organisation:
    """Add a party group."""
    return _change(ctx, user, structure.add_group, name=body.name, branch=body.branch)


@router.patch(
    "/office/groups/{name}", summary="党小组更名", response_model=Organisation, responses=ORG_ERRORS
)
def rename_group(ctx: Ctx, user: ApiOffice, name: str, body: GroupRenameIn) -> Organisation:
    """Rename a party group."""
    return _change(ctx, user, structure.rename_group, name=name, new_name=body.new_name)


@router.delete(
    "/office/groups/{name}",
    summary="撤销空的党小组",
    response_model=Organisation,
    responses=problems(*SIGNED_IN, 404, 409, 422),
)
def remove_group(ctx: Ctx, user: ApiOffice, name: str) -> Organisation:
    """Remove an empty party group."""
    return _change(ctx, user, structure.remove_group, name=name)


@router.post(
    "/staff/{staff_no}/group",
    summary="调整党小组",
    response_model=Organisation,
    responses=ORG_ERRORS,
)
def move(ctx: Ctx, user: ApiOffice, staff_no: str, body: MoveIn) -> Organisation:
    """Move a staff member to another group (a group leader's post falls vacant)."""
    return _change(ctx, user, structure.move_staff, staff_no=staff_no, group=body.group)


@router.post(
    "/staff/{staff_no}/post",
    summary="任免党内职务",
    response_model=Organisation,
    responses=ORG_ERRORS,
)
def post(ctx: Ctx, user: ApiOffice, staff_no: str, body: PostIn) -> Organisation:
    """Appoint to a post (the previous holder is relieved), or relieve."""
    return _change(ctx, user, structure.set_post, staff_no=staff_no, post=body.post)
