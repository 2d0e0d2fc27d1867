"""An account's life: its own password change, an admin's reset (with a change forced at the next
sign-in), deactivation and reactivation, and revoking sessions and tokens. Every change ends the
sessions it must and is written to the admin event chain, in the caller's transaction."""

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from cases.accounts import admin_log, sessions
from cases.accounts.passwords import check_password
from cases.security import hash_password, verify_password
from cases.store.tables import group_t, staff_t
from workflow.errors import Conflict, InvalidInput, NotFound, PermissionDenied

#: How a temporary password from a reset looks: 16 characters from an unambiguous alphabet.
TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def account(conn: Connection, staff_no: str) -> Any:
    """A staff member's account row, active or not; NotFound otherwise."""
    row = conn.execute(
        select(
            staff_t.c.id,
            staff_t.c.staff_no,
            staff_t.c.name,
            staff_t.c.role,
            staff_t.c.active,
            staff_t.c.password_hash,
            staff_t.c.must_change_password,
        ).where(staff_t.c.staff_no == staff_no.strip())
    ).first()
    if row is None:
        raise NotFound("staff.not_found", f"没有工号为 {staff_no} 的工作人员", staff_no=staff_no)
    return row


def accounts(conn: Connection) -> list[dict[str, Any]]:
    """Every account with its state, for the admin page, the API and ``shoujie user list``."""
    rows = conn.execute(
        select(
            staff_t.c.staff_no,
            staff_t.c.name,
            staff_t.c.role,
            staff_t.c.post,
            staff_t.c.active,
            staff_t.c.must_change_password,
            staff_t.c.password_changed_at,
            group_t.c.name.label("group"),
        )
        .outerjoin(group_t, group_t.c.id == staff_t.c.group_id)
        .order_by(staff_t.c.staff_no)
    )
    return [dict(r._mapping) for r in rows]


def _store_password(
    conn: Connection, staff_id: int, password: str, *, must_change: bool, now: datetime
) -> None:
    conn.execute(
        update(staff_t)
        .where(staff_t.c.id == staff_id)
        .values(
            password_hash=hash_password(password),
            must_change_password=must_change,
            password_changed_at=now,
        )
    )


def change_own_password(
    conn: Connection,
    key: bytes,
    *,
    staff_no: str,
    current: str,
    new: str,
    now: datetime,
    keep_session: int | None = None,
) -> int:
    """Change one's own password after checking the current one; every other session and token
    of the account ends. Returns how many ended."""
    row = account(conn, staff_no)
    if not row.active or not verify_password(current, row.password_hash):
        raise PermissionDenied("password.wrong_current", "当前密码不正确", field="current_password")
    check_password(new, staff_no=row.staff_no, name=row.name)
    if verify_password(new, row.password_hash):
        raise InvalidInput("password.unchanged", "新密码不能与当前密码相同", field="new_password")
    _store_password(conn, row.id, new, must_change=False, now=now)
    ended = sessions.end_all(conn, row.id, now=now, reason="password_changed", keep=keep_session)
    admin_log.record(
        conn,
        key,
        actor=row.staff_no,
        action="staff.password_changed",
        subject=row.staff_no,
        now=now,
        details={"sessions_ended": ended},
    )
    return ended


def temporary_password() -> str:
    """A random temporary password (given once, changed at the next sign-in)."""
    return "".join(secrets.choice(TEMP_ALPHABET) for _ in range(16))


def set_password(
    conn: Connection,
    key: bytes,
    *,
    actor: str,
    staff_no: str,
    password: str | None,
    now: datetime,
) -> str:
    """An admin's reset: the given password (policy checked) or a random temporary one, to be
    changed at the next sign-in; every session and token of the account ends. Returns the
    password set (a temporary one is shown once and never stored in clear)."""
    row = account(conn, staff_no)
    if password is None:
        password = temporary_password()
    else:
        check_password(password, staff_no=row.staff_no, name=row.name)
    _store_password(conn, row.id, password, must_change=True, now=now)
    ended = sessions.end_all(conn, row.id, now=now, reason="password_reset")
    admin_log.record(
        conn,
        key,
        actor=actor,
        action="staff.password_reset",
        subject=row.staff_no,
        now=now,
        details={"sessions_ended": ended},
    )
    return password


def set_active(
    conn: Connection, key: bytes, *, actor: str, staff_no: str, active: bool, now: datetime
) -> int:
    """Deactivate (every session and token ends at once) or reactivate an account; returns how
    many sessions ended. The office's last active admin is never deactivated."""
    row = account(conn, staff_no)
    if row.active == active:
        state = "已启用" if active else "已停用"
        raise Conflict("staff.unchanged", f"{row.staff_no} 的账号{state}", staff_no=row.staff_no)
    if not active and row.role == "admin":
        admins = conn.execute(
            select(func.count()).where(staff_t.c.role == "admin", staff_t.c.active.is_(True))
        ).scalar_one()
        if admins <= 1:
            raise Conflict("staff.last_admin", "不能停用最后一个管理员账号", staff_no=row.staff_no)
    conn.execute(update(staff_t).where(staff_t.c.id == row.id).values(active=active))
    ended = 0 if active else sessions.end_all(conn, row.id, now=now, reason="deactivated")
    admin_log.record(
        conn,
        key,
        actor=actor,
        action="staff.reactivated" if active else "staff.deactivated",
        subject=row.staff_no,
        now=now,
        details={"sessions_ended": ended} if not active else {},
    )
    return ended


def revoke(
    conn: Connection,
    key: bytes,
    *,
    actor: str,
    session_id: int,
    now: datetime,
    only_of: str | None = None,
) -> None:
    """End one session or token; ``only_of``: it must be that staff member's (their own list)."""
    owner_id = sessions.session_owner(conn, session_id)
    owner = (
        conn.execute(select(staff_t.c.staff_no).where(staff_t.c.id == owner_id)).scalar()
        if owner_id is not None
        else None
    )
    if owner is None or (only_of is not None and owner != only_of):
        raise NotFound("session.not_found", "没有这个会话或令牌", session_id=session_id)
    if not sessions.end(conn, session_id, now=now, reason="revoked"):
        raise Conflict("session.ended", "该会话或令牌已结束", session_id=session_id)
    admin_log.record(
        conn,
        key,
        actor=actor,
        action="session.revoked",
        subject=owner,
        now=now,
        details={"session_id": session_id},
    )
