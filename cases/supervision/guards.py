"""Who may work the supervisor queue, and the input checks its actions share."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from cases.store import staff
from workflow import lifecycle
from workflow.errors import InvalidInput, PermissionDenied
from workflow.input_rules import check_day
from workflow.lifecycle import Actor

#: Who works the queue: acknowledges, issues notices, reassigns, decides extensions.
SUPERVISING_ROLES = frozenset({"supervisor", "leader"})


def require_supervisor(conn: Connection, staff_no: str, what: str) -> tuple[Actor, Any]:
    """The active staff member with this 工号, refused unless a supervisor or leader."""
    actor, row = staff.get_actor(conn, staff_no)
    if actor.role not in SUPERVISING_ROLES:
        raise PermissionDenied(
            "permission.denied",
            f"{lifecycle.ROLE_LABELS.get(actor.role, actor.role)}无权{what}",
            role=actor.role,
        )
    return actor, row


def named(actor: Actor) -> str:
    """How an event's ``by`` names the person who acted: 姓名（工号）."""
    return f"{actor.name}（{actor.staff_no}）"


def required_text(value: Any, field: str, label: str, max_len: int = 2000) -> str:
    """A non-empty text of at most ``max_len`` characters, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field}.required", f"请填写{label}", field=field)
    value = value.strip()
    if len(value) > max_len:
        raise InvalidInput(f"{field}.too_long", f"{label}不能超过{max_len}个字", field=field)
    return value


def parse_day(value: Any, field: str, label: str) -> date:
    """A date from a form or JSON (``2026-12-01``)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return check_day(value, field, label)
    try:
        day = date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(
            f"{field}.invalid", f"{label}应为日期，格式如2026-12-31", field=field
        ) from None
    return check_day(day, field, label)


def locked(stmt: Any, conn: Connection, table: Any) -> Any:
    """The select with ``FOR UPDATE OF table`` on PostgreSQL (SQLite has no row locks)."""
    return stmt.with_for_update(of=table) if conn.dialect.name == "postgresql" else stmt
