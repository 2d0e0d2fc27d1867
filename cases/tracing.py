"""The request id of the work in hand: set by the web edge, read by the audit events and the logs."""

from contextvars import ContextVar

#: The ``X-Request-ID`` of the request being served (copied into the threads that serve it).
REQUEST_ID: ContextVar[str | None] = ContextVar("shoujie_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served, or None outside one."""
    return REQUEST_ID.get()
