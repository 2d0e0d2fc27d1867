"""Accounts on the JSON API: changing one's password, sessions and tokens, the admin's account
list and reset, and the administrative event log."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from api.schemas.common import Role


class PasswordChangeIn(BaseModel):
    """One's own password change: the current one, and a new one that passes the policy."""

    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256, description="至少12个字符，不能是常见密码")


class PasswordChanged(BaseModel):
    """What a password change ended."""

    sessions_ended: int = Field(description="结束的其他会话和令牌数")


class SessionOut(BaseModel):
    """An open page session (web) or API token (api); never its secret."""

    id: int
    kind: str = Field(description="web 网页会话 · api 接口令牌")
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    client: str
    user_agent: str
    current: bool = Field(default=False, description="本次请求所用的令牌")


class AccountOut(BaseModel):
    """A staff member's account as the admin sees it."""

    staff_no: str
    name: str
    role: Role
    post: str | None
    group: str | None
    active: bool
    must_change_password: bool
    password_changed_at: datetime | None


class PasswordResetIn(BaseModel):
    """An admin's reset: a given password, or none for a random temporary one."""

    password: str | None = Field(default=None, max_length=256)


class PasswordResetOut(BaseModel):
    """The temporary password, shown once; it must be changed at the next sign-in."""

    staff_no: str
    temporary_password: str | None = Field(description="只显示这一次；未提供新密码时生成")
    sessions_ended: bool = True


class AccountState(BaseModel):
    """An account after deactivation or reactivation."""

    staff_no: str
    active: bool
    sessions_ended: int


class AdminEventOut(BaseModel):
    """One administrative event of the office's audited log."""

    seq: int
    at: datetime
    actor_staff_no: str
    action: str
    action_label: str
    subject: str
    details: dict[str, Any]


class Ended(BaseModel):
    """A session or token ended."""

    ended: bool = True
    session_id: int | None = None
