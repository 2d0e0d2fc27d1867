"""Who may use which route, signed tokens and sessions, CSRF, and back-off against guessing.

The permission table is written here once and read by every route (API and pages). It is built
from ``workflow.lifecycle``'s ACTION_ROLES, READ_ROLES and INTAKE_ROLES, so the rules of domain.md
are not restated: a route only asks "may this role do this kind of thing at all"; the service then
checks the precise rule (ownership, state, guards) for one case.
"""

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from workflow import lifecycle

STAFF_ROLES = lifecycle.STAFF_ROLES


def _acting_roles() -> frozenset[str]:
    roles: set[str] = set()
    for action in lifecycle.ACTIONS:
        allowed = lifecycle.ACTION_ROLES[action]
        roles |= allowed & STAFF_ROLES
        if "owner" in allowed:
            # "owner" is a receptionist acting on a case they own (首接责任人).
            roles.add("receptionist")
    return frozenset(roles)


#: What each route needs, by role. A route names one of these keys; nothing else grants access.
PERMISSIONS: dict[str, frozenset[str]] = {
    "signed_in": STAFF_ROLES,
    "read_cases": frozenset(lifecycle.READ_ROLES),
    "intake": frozenset(lifecycle.INTAKE_ROLES),
    "act": _acting_roles(),
    # The escalation queue: supervisors work it, leaders see what climbs to them, auditors read.
    "escalations": frozenset({"supervisor", "leader", "auditor"}),
    # Working it (签收, 督办单, 变更责任人, 延期审批, 不满意跟进) is for supervisors and leaders.
    "work_queue": frozenset({"supervisor", "leader"}),
    "manage_staff": frozenset({"admin"}),
    # Failed notifications and their errors, and sending them again.
    "manage_deliveries": frozenset({"admin"}),
}


#: What each permission lets one do, in the words of a refusal: 「审计无权登记信访事项」.
PERMISSION_LABELS: dict[str, str] = {
    "signed_in": "使用本系统",
    "read_cases": "查看信访事项",
    "intake": "登记信访事项",
    "act": "办理信访事项",
    "escalations": "查看督办队列",
    "work_queue": "处理督办事项",
    "manage_staff": "管理工作人员",
    "manage_deliveries": "管理通知投递",
}


def permits(permission: str, role: str) -> bool:
    """Whether a role holds a route permission (an unknown permission permits nobody)."""
    return role in PERMISSIONS.get(permission, frozenset())


def may_take(action: str, role: str) -> bool:
    """Whether a role may take an action on some case (a receptionist: on a case they own)."""
    allowed = lifecycle.ACTION_ROLES.get(action, frozenset())
    return role in allowed or ("owner" in allowed and role == "receptionist")


# --- keys ---------------------------------------------------------------------------------------


def derive_key(secret_key: bytes, purpose: str) -> str:
    """A separate key per use (session cookie, API token), so one leaking does not forge the other."""
    return hmac.new(secret_key, f"shoujie/{purpose}/v1".encode(), hashlib.sha256).hexdigest()


def password_fingerprint(secret_key: bytes, password_hash: str | None) -> str:
    """A short keyed digest of the stored hash: a changed password ends every session and token."""
    digest = hmac.new(secret_key, (password_hash or "").encode(), hashlib.sha256).hexdigest()
    return digest[:16]


# --- bearer tokens --------------------------------------------------------------------------------

TOKEN_LIFETIME = 8 * 3600  # one working day


@dataclass(frozen=True)
class TokenClaims:
    """What a valid bearer token says: whose it is and the password it was issued under."""

    staff_no: str
    fingerprint: str


class TokenIssuer:
    """Signs and checks the JSON API's bearer tokens (itsdangerous, with expiry)."""

    def __init__(self, secret_key: bytes, lifetime: int = TOKEN_LIFETIME) -> None:
        self._serializer = URLSafeTimedSerializer(
            derive_key(secret_key, "api-token"), salt="shoujie.api.token"
        )
        self.lifetime = lifetime

    def issue(self, staff_no: str, fingerprint: str) -> str:
        """A signed token for this staff member."""
        return str(self._serializer.dumps({"sub": staff_no, "fp": fingerprint}))

    def check(self, token: str) -> TokenClaims | None:
        """The token's claims, or None when it is forged, malformed or expired."""
        try:
            data = self._serializer.loads(token, max_age=self.lifetime)
        except (BadSignature, SignatureExpired):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("sub"), str):
            return None
        return TokenClaims(staff_no=data["sub"], fingerprint=str(data.get("fp", "")))


# --- session helpers ------------------------------------------------------------------------------

SESSION_MAX_AGE = 12 * 3600
CSRF_FIELD = "csrf_token"


def csrf_token(session: dict[str, Any]) -> str:
    """The session's CSRF token, made on first use (one per session, rotated at sign-in)."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def csrf_valid(session: dict[str, Any], submitted: Any) -> bool:
    """Whether a submitted form carries this session's CSRF token."""
    expected = session.get("csrf")
    if not isinstance(expected, str) or not isinstance(submitted, str):
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


def add_flash(session: dict[str, Any], message: str, kind: str = "info") -> None:
    """Queue a one-time message for the next page (post/redirect/get)."""
    session["flash"] = [*session.get("flash", []), {"kind": kind, "text": message}]


def pop_flashes(session: dict[str, Any]) -> list[dict[str, str]]:
    """Take the queued messages (each shown once)."""
    return list(session.pop("flash", []) or [])


def safe_next(target: str | None) -> str:
    """A local path to return to after sign-in; anything else (another host) becomes the desk."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# --- back-off against guessing --------------------------------------------------------------------


@dataclass
class _Entry:
    failures: int = 0
    last: float = 0.0
    locked_until: float = 0.0


class BackOff:
    """Counts failures per key; after ``threshold`` of them, locks the key for a growing time.

    The first lock lasts ``base`` seconds and doubles with each further failure, up to ``cap``.
    Failures are forgotten after ``window`` seconds without one. Kept in the process's memory
    (each server worker keeps its own counts), bounded in size.
    """

    def __init__(
        self,
        *,
        threshold: int = 5,
        base: float = 60.0,
        cap: float = 3600.0,
        window: float = 3600.0,
        max_keys: int = 20000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.base = base
        self.cap = cap
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def locked_for(self, key: str) -> float:
        """Seconds until the key may try again (0 when it may now)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return 0.0
            return max(0.0, entry.locked_until - self._clock())

    def fail(self, key: str) -> float:
        """Record a failure; return how long the key is now locked (0 when not yet)."""
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or (now - entry.last > self.window and now >= entry.locked_until):
                entry = _Entry()
                self._entries[key] = entry
                self._prune(now)
            entry.failures += 1
            entry.last = now
            if entry.failures >= self.threshold:
                extra = entry.failures - self.threshold
                entry.locked_until = now + min(self.cap, self.base * (2**extra))
            return max(0.0, entry.locked_until - now)

    def succeed(self, key: str) -> None:
        """Forget the key's failures (a correct sign-in)."""
        with self._lock:
            self._entries.pop(key, None)

    def _prune(self, now: float) -> None:
        if len(self._entries) <= self.max_keys:
            return
        stale = [
            k
            for k, e in self._entries.items()
            if now - e.last > self.window and now >= e.locked_until
        ]
        for k in stale:
            del self._entries[k]
        # Still full (a flood of distinct keys): drop the oldest, never grow without bound.
        if len(self._entries) > self.max_keys:
            for k, _ in sorted(self._entries.items(), key=lambda kv: kv[1].last)[
                : len(self._entries) - self.max_keys
            ]:
                del self._entries[k]


def wait_text(seconds: float) -> str:
    """A waiting time in Chinese, rounded up: 「1分钟」, 「2小时」."""
    seconds = max(1, int(seconds + 0.999))
    if seconds < 60:
        return f"{seconds}秒"
    minutes = -(-seconds // 60)
    if minutes < 60:
        return f"{minutes}分钟"
    return f"{-(-minutes // 60)}小时"
