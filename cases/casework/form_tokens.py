"""One-time form tokens: a creating form carries one; the post that creates claims it in its own
transaction, so a re-post (a retry, a second tab, the back button) finds it taken and is sent to
what the first post made instead of making it twice.

Claims live in the database (``form_token``), so every worker process sees them. On PostgreSQL a
second post racing the first waits on the first's uncommitted claim and then finds it; on SQLite
writers are serialised already.
"""

import secrets
from datetime import datetime

from sqlalchemy import Connection, select, update

from cases.store.tables import form_token_t
from cases.store.upsert import insert_ignore

#: The hidden field's name on every creating form.
FIELD = "form_token"
MAX_LENGTH = 64


def new_token() -> str:
    """A fresh token for a form being shown."""
    return secrets.token_urlsafe(24)


def valid(token: str) -> bool:
    """Whether ``token`` looks like one this module made (anything else is ignored)."""
    return 16 <= len(token) <= MAX_LENGTH and all(c.isalnum() or c in "-_" for c in token)


def claim(conn: Connection, token: str, *, staff_no: str, now: datetime) -> str | None:
    """Claim ``token`` in the caller's transaction; None when it was free (go on and create),
    else where the earlier post led (send the re-post there)."""
    if insert_ignore(
        conn,
        form_token_t,
        {"token": token, "staff_no": staff_no, "target": "", "created_at": now},
        ["token"],
    ):
        return None
    target = conn.execute(
        select(form_token_t.c.target).where(form_token_t.c.token == token)
    ).scalar()
    return target or "/"


def settle(conn: Connection, token: str, target: str) -> None:
    """Record where the claiming post led (in the same transaction as the claim)."""
    conn.execute(
        update(form_token_t).where(form_token_t.c.token == token).values(target=target[:300])
    )
