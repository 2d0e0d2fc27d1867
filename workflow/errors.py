"""Domain errors: every refusal carries a machine code, a Chinese message and an exit code."""

from collections.abc import Sequence
from typing import Any


class DomainError(Exception):
    """A refusal the user can understand: machine `code`, Chinese `message`, CLI `exit_code`."""

    exit_code = 1
    http_status = 500

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details


class InvalidInput(DomainError):
    """Bad input: a field is missing, malformed or out of range (exit 2, HTTP 422)."""

    exit_code = 2
    http_status = 422

    def __init__(
        self, code: str, message: str, *, field: str | None = None, **details: Any
    ) -> None:
        super().__init__(code, message, field=field, **details)
        self.field = field


class ActionNotAllowed(DomainError):
    """The action cannot be taken in the case's current state (exit 3, HTTP 409)."""

    exit_code = 3
    http_status = 409

    def __init__(
        self, code: str, message: str, *, allowed_actions: Sequence[str] = (), **details: Any
    ) -> None:
        super().__init__(code, message, allowed_actions=list(allowed_actions), **details)
        self.allowed_actions = list(allowed_actions)


class PermissionDenied(DomainError):
    """The actor's role or ownership does not permit the action (exit 4, HTTP 403)."""

    exit_code = 4
    http_status = 403


class Conflict(DomainError):
    """The case changed meanwhile: a stale version or a duplicate (exit 5, HTTP 409)."""

    exit_code = 5
    http_status = 409


class NotFound(DomainError):
    """No such case, staff member or resource (exit 6, HTTP 404)."""

    exit_code = 6
    http_status = 404
