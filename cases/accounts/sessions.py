"""Page sessions and API tokens as rows: the client keeps a random secret, the table its SHA-256.

One row serves every worker and server: logout, a password change and deactivation end a session
or token at once. Each lasts until its absolute end (``expires_at``) or until it sits idle longer
than the idle timeout, whichever comes first.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from cases.models import AuthSession
from cases.store.tables import staff_t

session_t = AuthSession.__table__

#: ``kind`` of a page session and of an API token.
WEB, API = "web", "api"
#: A bearer token starts with this, so a leaked one is recognisable in logs and scanners.
TOKEN_PREFIX = "sjt_"
#: How often ``last_seen_at`` is written at most: a busy page does not write on every request.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Timeouts:
    """How long a session or token may sit idle, and its absolute lifetime, by kind."""

    idle: timedelta = timedelta(minutes=30)
    web_max: timedelta = timedelta(hours=12)
    api_max: timedelta = timedelta(hours=8)

    def lifetime(self, kind: str) -> timedelta:
        """The absolute lifetime of a session (``web``) or token (``api``)."""
        return self.web_max if kind == WEB else self.api_max


@dataclass(frozen=True)
class Holder:
    """Whose a valid session or token is."""

    session_id: int
    staff_id: int
    staff_no: str
    name: str
    role: str
    unit: str | None
    must_change_password: bool


def secret_hash(secret: str) -> str:
    """The stored form of a session's or token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(
    conn: Connection,
    *,
    staff_id: int,
    kind: str,
    now: datetime,
    timeouts: Timeouts,
    client: str = "",
    user_agent: str = "",
) -> str:
    """Start a session or token for a staff member; return the secret (given out once)."""
    secret = secrets.token_urlsafe(32)
    if kind == API:
        secret = TOKEN_PREFIX + secret
    conn.execute(
        insert(session_t),
        {
            "secret_hash": secret_hash(secret),
            "kind": kind,
            "staff_id": staff_id,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + timeouts.lifetime(kind),
            "client": client[:64],
            "user_agent": user_agent[:200],
        },
    )
    return secret


class NeedsWrite(Exception):
    """A read-only look-up found a session to end or to touch: look again in a writing one."""


def holder(
    conn: Connection,
    secret: str,
    *,
    kind: str,
    now: datetime,
    timeouts: Timeouts,
    read_only: bool = False,
) -> Holder | None:
    """Whose this secret is, while its session is open, in time, and the account active.

    ``read_only``: raise ``NeedsWrite`` instead of ending or touching the session, so most
    requests check their session without taking SQLite's write lock."""
    if not secret or len(secret) > 200:
        return None
    row = conn.execute(
        select(
            session_t.c.id,
            session_t.c.last_seen_at,
            session_t.c.expires_at,
            session_t.c.revoked_at,
            staff_t.c.id.label("staff_id"),
            staff_t.c.staff_no,
            staff_t.c.name,
            staff_t.c.role,
            staff_t.c.unit,
            staff_t.c.active,
            staff_t.c.must_change_password,
        )
        .join(staff_t, staff_t.c.id == session_t.c.staff_id)
        .where(session_t.c.secret_hash == secret_hash(secret), session_t.c.kind == kind)
    ).first()
    if row is None or row.revoked_at is not None or not row.active:
        return None
    if now >= row.expires_at or now - row.last_seen_at > timeouts.idle:
        if read_only:
            raise NeedsWrite
        end(conn, row.id, now=now, reason="timeout")
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        if read_only:
            raise NeedsWrite
        conn.execute(update(session_t).where(session_t.c.id == row.id).values(last_seen_at=now))
    return Holder(
        session_id=row.id,
        staff_id=row.staff_id,
        staff_no=row.staff_no,
        name=row.name,
        role=row.role,
        unit=row.unit,
        must_change_password=bool(row.must_change_password),
    )


def end(conn: Connection, session_id: int, *, now: datetime, reason: str) -> bool:
    """End one session or token (logout, revocation); False when it had already ended."""
    done = conn.execute(
        update(session_t)
        .where(session_t.c.id == session_id, session_t.c.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    ).rowcount
    return done == 1


def end_secret(conn: Connection, secret: str, *, now: datetime, reason: str) -> bool:
    """End the session whose secret this is (logout with only the cookie in hand)."""
    row = conn.execute(
        select(session_t.c.id).where(session_t.c.secret_hash == secret_hash(secret))
    ).first()
    return end(conn, row.id, now=now, reason=reason) if row else False


def end_all(
    conn: Connection, staff_id: int, *, now: datetime, reason: str, keep: int | None = None
) -> int:
    """End every open session and token of a staff member (but ``keep``); return how many."""
    stmt = update(session_t).where(
        session_t.c.staff_id == staff_id, session_t.c.revoked_at.is_(None)
    )
    if keep is not None:
        stmt = stmt.where(session_t.c.id != keep)
    return conn.execute(stmt.values(revoked_at=now, revoked_reason=reason)).rowcount


def open_sessions(
    conn: Connection, staff_id: int, *, now: datetime, timeouts: Timeouts
) -> list[dict[str, Any]]:
    """A staff member's sessions and tokens still open now, newest first (no secrets)."""
    rows = conn.execute(
        select(
            session_t.c.id,
            session_t.c.kind,
            session_t.c.created_at,
            session_t.c.last_seen_at,
            session_t.c.expires_at,
            session_t.c.client,
            session_t.c.user_agent,
        )
        .where(
            session_t.c.staff_id == staff_id,
            session_t.c.revoked_at.is_(None),
            session_t.c.expires_at > now,
            session_t.c.last_seen_at >= now - timeouts.idle,
        )
        .order_by(session_t.c.created_at.desc(), session_t.c.id.desc())
    )
    return [dict(r._mapping) for r in rows]


def session_owner(conn: Connection, session_id: int) -> int | None:
    """The staff id a session or token belongs to, or None."""
    return conn.execute(select(session_t.c.staff_id).where(session_t.c.id == session_id)).scalar()


def prune(conn: Connection, *, now: datetime, kept_for: timedelta = timedelta(days=30)) -> int:
    """Drop sessions and tokens that ended (revoked, expired or idle) more than ``kept_for`` ago.

    They are kept that long so an administrator can still see who was signed in recently; after
    that nothing reads them and the table would only grow with every sign-in.
    """
    cutoff = now - kept_for
    return conn.execute(
        delete(session_t).where(
            (session_t.c.revoked_at < cutoff)
            | (session_t.c.expires_at < cutoff)
            | (session_t.c.last_seen_at < cutoff)
        )
    ).rowcount
