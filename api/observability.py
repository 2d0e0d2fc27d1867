"""What the server tells its operator: a request id on every request (``X-Request-ID``, honoured or
made), carried into the log lines and the audit events; Prometheus metrics by route template and
status; JSON log lines.

The metrics live in a registry per application (tests build many), and the database gauges are
read when ``/metrics`` is scraped, not on every request.
"""

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cases.tracing import REQUEST_ID, current_request_id

log = logging.getLogger("shoujie.request")

#: A request id we pass on as given: short, and nothing a log reader could be fooled by.
GOOD_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The application's Prometheus registry and the request metrics in it."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "shoujie_http_requests",
            "HTTP requests answered, by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "shoujie_http_request_duration_seconds",
            "Time to answer, by route template and method",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def watch(self, read: Callable[[], dict[str, float]]) -> None:
        """Add gauges read at each scrape from ``read()`` (name → value)."""
        self.registry.register(_Gauges(read))


class _Gauges(Collector):
    HELP = {
        "sweep_lag_seconds": "Now minus the oldest next_fire_at already due (0: the sweeper is on time)",
        "outbox_backlog": "Notifications not yet fanned out plus deliveries waiting to be sent",
        "delivery_failed": "Deliveries failed for good, on the admins' dead-letter list",
        "db_pool_in_use": "Database connections of this process lent out now",
        "gauges_up": "1 when the gauges could be read from the database, else 0",
    }

    def __init__(self, read: Callable[[], dict[str, float]]) -> None:
        self.read = read

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())  # read only when scraped, never at registration

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            values = {**self.read(), "gauges_up": 1.0}
        except Exception:  # noqa: BLE001  (a scrape during an outage says so instead of failing)
            logging.getLogger("shoujie").warning("metrics: database gauges unavailable")
            values = {"gauges_up": 0.0}
        for name, value in values.items():
            yield GaugeMetricFamily(f"shoujie_{name}", self.HELP.get(name, name), value=value)


def route_of(scope: Scope) -> str:
    """The route template that answered (``/api/v1/cases/{case_no}``), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class RequestObserver:
    """Give each request its id, time it, count it, and log one JSON line when it is answered."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if GOOD_ID.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route, method = route_of(scope), scope["method"]
            if route != "/metrics":
                self.metrics.requests.labels(route, method, str(status)).inc()
                self.metrics.latency.labels(route, method).observe(elapsed)
            log.info(
                "request",
                extra={
                    "method": method,
                    "route": route,
                    "path": redact_numbers(scope["path"]),
                    "status": status,
                    "ms": round(elapsed * 1000, 1),
                },
            )
            REQUEST_ID.reset(token)


# A run of digits with the separators a phone or ID number is typed with (also URL-encoded).
_NUMBER_RUN = re.compile(r"(?:[0-9]|%2[0BbDd]|[-+ ])+[Xx]?")
_CASE_NO = re.compile(r"^\d{4}-\d{6}$")


def redact_numbers(text: str) -> str:
    """``text`` with every run of 7 or more digits (a phone or ID number, typed any way) masked;
    case numbers (``2026-000123``) are kept."""

    def mask(m: re.Match[str]) -> str:
        run = m.group(0)
        digits = sum(ch.isdigit() for ch in re.sub(r"%2[0BbDd]", "", run))
        if digits < 7 or _CASE_NO.match(run.strip("-+ ")):
            return run
        return "[号码已隐去]"

    return _NUMBER_RUN.sub(mask, text)


class RedactNumbers(logging.Filter):
    """Mask phone and ID numbers in a log record's arguments (uvicorn's access line has the
    query string): the encryption at rest is not undone by the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's string arguments; always keep the record."""
        if isinstance(record.args, tuple):
            record.args = tuple(redact_numbers(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact_numbers(record.msg)
        return True


def text_log_config() -> dict[str, Any]:
    """uvicorn's own text logging, its access line with numbers masked."""
    import copy

    import uvicorn.config

    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_numbers"] = {"()": RedactNumbers}
    # On the logger, not a handler: every handler of the access line gets it masked.
    config["loggers"]["uvicorn.access"].setdefault("filters", []).append("redact_numbers")
    return config


#: The attributes every LogRecord has: anything else was passed in ``extra`` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id:
            entry["request_id"] = request_id
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def json_log_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn and Shoujie alike: JSON lines on stderr."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "stream": "ext://sys.stderr",
        "filters": ["redact_numbers"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact_numbers": {"()": RedactNumbers}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            # Our own request line replaces uvicorn's access log (it has the route and the id).
            "uvicorn.access": {"handlers": [], "propagate": False},
            "uvicorn": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level},
        },
    }
