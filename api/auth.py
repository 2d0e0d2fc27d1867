"""Signing in: the password checked, guesses slowed per (account, client) and per client in the
database, and a session or token opened (the hashing itself is cases.security's)."""

from fastapi import Request

from api.deps import AppContext, User, client_ip
from api.security import wait_text
from cases.accounts import sessions, throttle
from cases.organisation import directory
from cases.security import dummy_hash, verify_password
from workflow.errors import DomainError


class TooManyAttempts(DomainError):
    """Too many failures from this client: wait before the next try (HTTP 429, Retry-After)."""

    exit_code = 4
    http_status = 429

    def __init__(self, code: str, message: str, *, retry_after: float) -> None:
        super().__init__(code, message, retry_after=int(retry_after + 0.999))
        self.retry_after = int(retry_after + 0.999)


class BadCredentials(DomainError):
    """Wrong 工号 or password (HTTP 401); never says which of the two."""

    exit_code = 4
    http_status = 401


def _counters(staff_no: str, client: str) -> tuple[str, str]:
    return (
        throttle.key("login", staff_no.strip().upper(), client),
        throttle.key("login-client", client),
    )


def authenticate(ctx: AppContext, staff_no: str, password: str, client: str) -> User:
    """The staff member for these credentials; refused with a wait while this client must wait.

    The account is never locked: the wait is counted for this (account, client) and this client.
    """
    staff_no = staff_no.strip()[:64]
    per_account, per_client = _counters(staff_no, client)
    now = ctx.session_now()
    with ctx.engine.begin() as conn:
        wait = throttle.wait(conn, [per_account, per_client], now=now)
    if wait > 0:
        # Waiting: the password is not even checked, so guessing gains nothing meanwhile.
        raise TooManyAttempts(
            "auth.throttled",
            f"登录失败次数过多，请在{wait_text(wait)}后再试",
            retry_after=wait,
        )
    with ctx.engine.begin() as conn:
        row = directory.staff_account(conn, staff_no) if staff_no else None
    if row is None or not row.password_hash:
        verify_password(password, dummy_hash())  # the same time as a wrong password
        ok = False
    else:
        ok = bool(password) and verify_password(password, row.password_hash)
    with ctx.engine.begin() as conn:
        if ok and row is not None:
            throttle.clear(conn, per_account)
            return User(
                staff_no=row.staff_no,
                name=row.name,
                role=row.role,
                unit=row.unit,
                staff_id=row.id,
                must_change_password=bool(row.must_change_password),
            )
        wait = max(
            throttle.fail(conn, per_account, throttle.PER_SUBJECT, now=now),
            throttle.fail(conn, per_client, throttle.PER_CLIENT, now=now),
        )
    if wait > 0:
        raise TooManyAttempts(
            "auth.throttled",
            f"工号或密码不正确。失败次数过多，请在{wait_text(wait)}后再试",
            retry_after=wait,
        )
    raise BadCredentials("auth.invalid_credentials", "工号或密码不正确")


def open_session(ctx: AppContext, request: Request, user: User, kind: str) -> str:
    """Open a page session or an API token for a signed-in user; return its secret."""
    with ctx.engine.begin() as conn:
        return sessions.open_session(
            conn,
            staff_id=user.staff_id or 0,
            kind=kind,
            now=ctx.session_now(),
            timeouts=ctx.timeouts,
            client=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
        )
