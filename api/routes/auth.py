"""Bearer tokens for the API (OAuth2 password flow: ``username`` is the 工号) and who I am."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from api.auth import authenticate
from api.deps import SIGNED_IN, ApiStaff, Ctx, Public, client_ip, problems
from api.schemas.auth import Me, Token, TokenForm

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post(
    "/auth/token",
    summary="以工号和密码换取访问令牌（OAuth2 password）",
    response_model=Token,
    responses=problems(
        400, 401, 413, 422, 429, 500, s401="工号或密码不正确", s422="缺少工号或密码"
    ),
)
def issue_token(
    request: Request,
    ctx: Ctx,
    _: Public,
    form: Annotated[TokenForm, Depends()],
) -> Token:
    """A bearer token for the JSON API; ``username`` is the 工号."""
    user, fingerprint = authenticate(ctx, form.username, form.password, client_ip(request))
    return Token(
        access_token=ctx.tokens.issue(user.staff_no, fingerprint),
        token_type="bearer",
        expires_in=ctx.tokens.lifetime,
    )


@router.get("/me", summary="当前用户", response_model=Me, responses=problems(*SIGNED_IN))
def me(user: ApiStaff) -> Me:
    """The signed-in staff member."""
    return Me(staff_no=user.staff_no, name=user.name, role=user.role, role_label=user.role_label)
