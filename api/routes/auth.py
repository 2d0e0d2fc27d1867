"""Bearer tokens for the API (OAuth2 password flow: ``username`` is the 工号), signing out, and
who I am."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from api.auth import authenticate, open_session
from api.deps import SIGNED_IN, ApiStaff, Ctx, Public, client_ip, problems
from api.schemas.accounts import Ended
from api.schemas.auth import Me, Token, TokenForm
from cases.accounts import sessions

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post(
    "/auth/token",
    summary="以工号和密码换取访问令牌（OAuth2 password）",
    response_model=Token,
    responses=problems(
        400,
        401,
        413,
        422,
        429,
        500,
        s401="工号或密码不正确",
        s422="缺少工号或密码",
        s429="失败次数过多，请按 Retry-After 等待后再试",
    ),
)
def issue_token(
    request: Request,
    ctx: Ctx,
    _: Public,
    form: Annotated[TokenForm, Depends()],
) -> Token:
    """A bearer token for the JSON API (an opaque random string, stored only as its hash)."""
    user = authenticate(ctx, form.username, form.password, client_ip(request))
    return Token(
        access_token=open_session(ctx, request, user, sessions.API),
        token_type="bearer",
        expires_in=int(ctx.timeouts.api_max.total_seconds()),
        must_change_password=user.must_change_password,
    )


@router.post(
    "/auth/logout",
    summary="注销当前访问令牌",
    response_model=Ended,
    responses=problems(*SIGNED_IN),
)
def logout(ctx: Ctx, user: ApiStaff) -> Ended:
    """End the token this request came with, at once, in every worker."""
    with ctx.engine.begin() as conn:
        sessions.end(conn, user.session_id or 0, now=ctx.session_now(), reason="logout")
    return Ended(session_id=user.session_id)


@router.get("/me", summary="当前用户", response_model=Me, responses=problems(*SIGNED_IN))
def me(user: ApiStaff) -> Me:
    """The signed-in staff member."""
    return Me(
        staff_no=user.staff_no,
        name=user.name,
        role=user.role,
        role_label=user.role_label,
        must_change_password=user.must_change_password,
    )
