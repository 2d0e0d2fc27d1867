"""Who may use which route, CSRF, flash messages, and the client's address behind proxies.

The permission table is written here once and read by every route (API and pages). It is built
from ``workflow.lifecycle``'s ACTION_ROLES, READ_ROLES and INTAKE_ROLES, so the rules of domain.md
are not restated: a route only asks "may this role do this kind of thing at all"; the service then
checks the precise rule (ownership, state, guards) for one case.
"""

import hashlib
import hmac
import secrets
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any

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
    # The party organisation, the office's regions and organs.
    "manage_office": frozenset({"admin"}),
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
    "manage_office": "管理本机关组织与管辖",
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


# --- session helpers ------------------------------------------------------------------------------

#: The signed cookie of anonymous page state (CSRF token, flash messages, /track grants): it never
#: says who is signed in; that is the opaque ``SESSION_COOKIE`` alone (cases.accounts.sessions).
STATE_MAX_AGE = 12 * 3600
SESSION_COOKIE = "shoujie_sid"
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


# --- the client's address and guessing ----------------------------------------------------------


def client_address(
    peer: str | None,
    forwarded_for: str | None,
    trusted: tuple[IPv4Network | IPv6Network, ...],
) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy, in which case the
    right-most address in ``X-Forwarded-For`` that is not itself a trusted proxy.

    A client can write anything into the header; only the part our own proxies appended is
    believed, so a forged left-hand entry never changes whose attempts are counted.
    """
    peer = peer or "unknown"
    if not trusted or not forwarded_for or not _within(peer, trusted):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")][-20:]):
        try:
            address = ip_address(hop)
        except ValueError:
            return peer  # a malformed chain: count the proxy rather than believe it
        if not _within(str(address), trusted):
            return str(address)
    return peer


def _within(address: str, nets: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in nets)


def wait_text(seconds: float) -> str:
    """A waiting time in Chinese, rounded up: 「1分钟」, 「2小时」."""
    seconds = max(1, int(seconds + 0.999))
    if seconds < 60:
        return f"{seconds}秒"
    minutes = -(-seconds // 60)
    if minutes < 60:
        return f"{minutes}分钟"
    return f"{-(-minutes // 60)}小时"
