"""Signing in, with back-off after repeated failures (the hashing itself is cases.security's)."""

from api.deps import AppContext, User
from api.security import password_fingerprint, wait_text
from cases.organisation import directory
from cases.security import dummy_hash, verify_password
from workflow.errors import DomainError


class TooManyAttempts(DomainError):
    """Signing in (or tracking) is locked for a while after repeated failures (HTTP 429)."""

    exit_code = 4
    http_status = 429

    def __init__(self, code: str, message: str, *, retry_after: float) -> None:
        super().__init__(code, message, retry_after=int(retry_after + 0.999))
        self.retry_after = int(retry_after + 0.999)


class BadCredentials(DomainError):
    """Wrong 工号 or password (HTTP 401); never says which of the two."""

    exit_code = 4
    http_status = 401


def authenticate(ctx: AppContext, staff_no: str, password: str, ip: str) -> tuple[User, str]:
    """The staff member for these credentials and their password fingerprint.

    Refused while the 工号 or the client address is locked after repeated failures.
    """
    staff_no = staff_no.strip()
    staff_key, ip_key = f"staff:{staff_no.upper()}", f"ip:{ip}"
    wait = max(ctx.login_by_staff.locked_for(staff_key), ctx.login_by_ip.locked_for(ip_key))
    if wait > 0:
        # Locked: the password is not even checked, so guessing gains nothing while it lasts.
        raise TooManyAttempts(
            "auth.locked",
            f"登录失败次数过多，已暂时锁定，请在{wait_text(wait)}后再试",
            retry_after=wait,
        )
    with ctx.engine.begin() as conn:
        row = directory.staff_account(conn, staff_no) if staff_no else None
    if row is None or not row.password_hash:
        verify_password(password, dummy_hash())  # the same time as a wrong password
        ok = False
    else:
        ok = bool(password) and verify_password(password, row.password_hash)
    if not ok or row is None:
        wait = max(ctx.login_by_staff.fail(staff_key), ctx.login_by_ip.fail(ip_key))
        if wait > 0:
            raise TooManyAttempts(
                "auth.locked",
                f"工号或密码不正确。登录失败次数过多，已暂时锁定，请在{wait_text(wait)}后再试",
                retry_after=wait,
            )
        raise BadCredentials("auth.invalid_credentials", "工号或密码不正确")
    ctx.login_by_staff.succeed(staff_key)
    user = User(staff_no=row.staff_no, name=row.name, role=row.role, unit=row.unit)
    return user, password_fingerprint(ctx.secret_key, row.password_hash)
