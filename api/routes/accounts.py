"""Accounts on the JSON API: one's own password and sessions; for admins the accounts, resets,
deactivation, anyone's sessions and tokens, and the administrative event log."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SIGNED_IN, WITH_BODY, ApiAdmin, ApiStaff, Ctx, Id, problems
from api.schemas.accounts import (
    AccountOut,
    AccountState,
    AdminEventOut,
    Ended,
    PasswordChanged,
    PasswordChangeIn,
    PasswordResetIn,
    PasswordResetOut,
    SessionOut,
)
from cases.accounts import admin_log, lifecycle, sessions

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.post(
    "/me/password",
    summary="修改本人密码（其他会话和令牌随即结束）",
    response_model=PasswordChanged,
    responses=problems(*SIGNED_IN, *WITH_BODY, s403="当前密码不正确"),
)
def change_password(ctx: Ctx, user: ApiStaff, body: PasswordChangeIn) -> PasswordChanged:
    """Change one's own password; every other session and token ends, this one stays."""
    with ctx.engine.begin() as conn:
        ended = lifecycle.change_own_password(
            conn,
            ctx.rt.audit_key,
            staff_no=user.staff_no,
            current=body.current_password,
            new=body.new_password,
            now=ctx.clock.now(),
            keep_session=user.session_id,
        )
    return PasswordChanged(sessions_ended=ended)


def _sessions(ctx: Ctx, staff_no: str, current: int | None) -> list[SessionOut]:
    with ctx.engine.begin() as conn:
        row = lifecycle.account(conn, staff_no)
        rows = sessions.open_sessions(conn, row.id, now=ctx.clock.now(), timeouts=ctx.timeouts)
    return [SessionOut(**r, current=r["id"] == current) for r in rows]


@router.get(
    "/me/sessions",
    summary="本人未结束的会话和令牌",
    response_model=list[SessionOut],
    responses=problems(*SIGNED_IN),
)
def my_sessions(ctx: Ctx, user: ApiStaff) -> list[SessionOut]:
    """One's own open sessions and tokens, newest first."""
    return _sessions(ctx, user.staff_no, user.session_id)


@router.delete(
    "/me/sessions/{session_id}",
    summary="注销本人的一个会话或令牌",
    response_model=Ended,
    responses=problems(*SIGNED_IN, 404, 409, 422),
)
def revoke_mine(ctx: Ctx, user: ApiStaff, session_id: Id) -> Ended:
    """End one of one's own sessions or tokens."""
    with ctx.engine.begin() as conn:
        lifecycle.revoke(
            conn,
            ctx.rt.audit_key,
            actor=user.staff_no,
            session_id=session_id,
            now=ctx.clock.now(),
            only_of=user.staff_no,
        )
    return Ended(session_id=session_id)


@router.get(
    "/staff",
    summary="账号列表（管理员）",
    response_model=list[AccountOut],
    responses=problems(*SIGNED_IN),
)
def list_accounts(ctx: Ctx, user: ApiAdmin) -> list[AccountOut]:
    """Every account with its state."""
    with ctx.engine.begin() as conn:
        return [AccountOut(**r) for r in lifecycle.accounts(conn)]


@router.post(
    "/staff/{staff_no}/password-reset",
    summary="重置密码（下次登录须修改；该账号的会话和令牌立即结束）",
    response_model=PasswordResetOut,
    responses=problems(*SIGNED_IN, *WITH_BODY, 404),
)
def reset_password(
    ctx: Ctx, user: ApiAdmin, staff_no: str, body: PasswordResetIn | None = None
) -> PasswordResetOut:
    """Reset a password: the given one or a random temporary one, changed at the next sign-in."""
    given = body.password if body else None
    with ctx.engine.begin() as conn:
        password = lifecycle.set_password(
            conn,
            ctx.rt.audit_key,
            actor=user.staff_no,
            staff_no=staff_no,
            password=given,
            now=ctx.clock.now(),
        )
    return PasswordResetOut(staff_no=staff_no, temporary_password=None if given else password)


def _set_active(ctx: Ctx, user: ApiAdmin, staff_no: str, active: bool) -> AccountState:
    with ctx.engine.begin() as conn:
        ended = lifecycle.set_active(
            conn,
            ctx.rt.audit_key,
            actor=user.staff_no,
            staff_no=staff_no,
            active=active,
            now=ctx.clock.now(),
        )
    return AccountState(staff_no=staff_no, active=active, sessions_ended=ended)


@router.post(
    "/staff/{staff_no}/deactivate",
    summary="停用账号（会话和令牌立即结束）",
    response_model=AccountState,
    responses=problems(*SIGNED_IN, 404, 409, 422),
)
def deactivate(ctx: Ctx, user: ApiAdmin, staff_no: str) -> AccountState:
    """Deactivate an account: its sessions and tokens end at once."""
    return _set_active(ctx, user, staff_no, False)


@router.post(
    "/staff/{staff_no}/reactivate",
    summary="启用账号",
    response_model=AccountState,
    responses=problems(*SIGNED_IN, 404, 409, 422),
)
def reactivate(ctx: Ctx, user: ApiAdmin, staff_no: str) -> AccountState:
    """Reactivate an account (its old sessions stay ended)."""
    return _set_active(ctx, user, staff_no, True)


@router.get(
    "/staff/{staff_no}/sessions",
    summary="某人未结束的会话和令牌（管理员）",
    response_model=list[SessionOut],
    responses=problems(*SIGNED_IN, 404, 422),
)
def staff_sessions(ctx: Ctx, user: ApiAdmin, staff_no: str) -> list[SessionOut]:
    """A staff member's open sessions and tokens."""
    return _sessions(ctx, staff_no, user.session_id)


@router.delete(
    "/sessions/{session_id}",
    summary="注销任一会话或令牌（管理员）",
    response_model=Ended,
    responses=problems(*SIGNED_IN, 404, 409, 422),
)
def revoke_any(ctx: Ctx, user: ApiAdmin, session_id: Id) -> Ended:
    """End anyone's session or token."""
    with ctx.engine.begin() as conn:
        lifecycle.revoke(
            conn, ctx.rt.audit_key, actor=user.staff_no, session_id=session_id, now=ctx.clock.now()
        )
    return Ended(session_id=session_id)


@router.get(
    "/admin/events",
    summary="管理事件日志（管理员）",
    response_model=list[AdminEventOut],
    responses=problems(*SIGNED_IN, 422),
)
def admin_events(
    ctx: Ctx, user: ApiAdmin, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[AdminEventOut]:
    """The latest administrative events, newest first."""
    with ctx.engine.begin() as conn:
        return [AdminEventOut(**r) for r in admin_log.recent(conn, limit)]
