"""What the operator sees: request ids (given or made) in the answer, the logs and the audit event;
Prometheus metrics by route template; /readyz following the database and its migrations; a server
that answers before jieba's dictionary is loaded (a thread loads it after start)."""

import json
import logging
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text, update

from api.observability import JsonFormatter
from cases.runtime import Runtime
from cases.store.tables import clock_t, event_t
from tests.api.helpers import assert_problem
from tests.factories import intake_body
from tests.web import NOW, api_intake, bearer, client, make_app

ROOT = Path(__file__).parent.parent.parent


def test_a_request_id_given_is_kept_to_the_audit_event_and_one_is_made_otherwise(
    app: Any, c: TestClient, engine: Engine
) -> None:
    r = c.post(
        "/api/v1/cases",
        json=intake_body(),
        headers={**bearer(app, "A001"), "X-Request-ID": "desk-7f3a-0001"},
    )
    assert r.status_code == 201 and r.headers["x-request-id"] == "desk-7f3a-0001"
    with engine.begin() as conn:
        assert conn.execute(select(event_t.c.request_id)).scalars().all() == ["desk-7f3a-0001"]
    made = c.get("/healthz").headers["x-request-id"]
    assert len(made) == 32 and made != c.get("/healthz").headers["x-request-id"]
    # An id that could forge a log line is replaced, not passed on.
    odd = c.get("/healthz", headers={"X-Request-ID": 'x" level=error'})
    assert odd.headers["x-request-id"] != 'x" level=error'


def test_log_lines_are_json_with_the_request_id(
    c: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="shoujie.request"):
        c.get("/healthz", headers={"X-Request-ID": "probe-1"})
    record = next(r for r in caplog.records if r.name == "shoujie.request")
    from cases.tracing import REQUEST_ID

    token = REQUEST_ID.set("probe-1")  # the formatter runs inside the request in real life
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        REQUEST_ID.reset(token)
    assert line["msg"] == "request" and line["request_id"] == "probe-1"
    assert (line["route"], line["status"], line["method"]) == ("/healthz", 200, "GET")


def test_metrics_by_route_template_status_and_the_office_gauges(
    app: Any, c: TestClient, engine: Engine
) -> None:
    case = api_intake(app, c)
    for _ in range(2):
        c.get(f"/api/v1/cases/{case['case_no']}", headers=bearer(app, "A001"))
    c.get("/api/v1/cases/2026-999999", headers=bearer(app, "A001"))
    # A clock due an hour ago that no sweep has fired yet: the sweeper is an hour late.
    with engine.begin() as conn:
        conn.execute(update(clock_t).values(next_fire_at=NOW - timedelta(hours=1)))
    body = c.get("/metrics")
    assert body.headers["content-type"].startswith("text/plain")
    m = body.text
    route = 'route="/api/v1/cases/{case_no}"'
    assert f'shoujie_http_requests_total{{method="GET",{route},status="200"}} 2.0' in m
    assert f'shoujie_http_requests_total{{method="GET",{route},status="404"}} 1.0' in m
    assert "2026-999999" not in m  # never the raw path: one series per route
    assert f'shoujie_http_request_duration_seconds_bucket{{le="0.5",method="GET",{route}}}' in m
    assert "shoujie_sweep_lag_seconds 3600.0" in m
    assert "shoujie_outbox_backlog" in m and "shoujie_delivery_failed 0.0" in m
    assert "shoujie_db_pool_in_use" in m and "shoujie_gauges_up 1.0" in m


def test_readyz_follows_the_database_and_its_migrations(
    app: Any, c: TestClient, engine: Engine, rt: Runtime, tmp_path: Path
) -> None:
    assert c.get("/readyz").json() == {"status": "ok"}
    with engine.begin() as conn:
        # As if the migrations after 0005 had not run yet.
        conn.execute(
            text("UPDATE alembic_version SET version_num = '0005' WHERE version_num > '0005'")
        )
    assert_problem(c.get("/readyz"), 503, "ready.migrations_pending")
    from cases.db import make_engine

    gone = client(make_app(make_engine(f"sqlite:///{tmp_path}/missing/dir/x.db"), rt))
    r = gone.get("/readyz")
    assert_problem(r, 503, "ready.db_unavailable")
    assert r.headers["retry-after"] == "5"
    assert gone.get("/metrics").status_code == 200  # says shoujie_gauges_up 0 instead of failing
    assert "shoujie_gauges_up 0.0" in gone.get("/metrics").text


def test_a_server_answers_before_jiebas_dictionary_and_then_loads_it(tmp_path: Path) -> None:
    """jieba's tables take seconds to load: the server answers without waiting for them, and a
    thread loads them after start, so the first intake's repeat look-up finds them ready."""
    script = f"""
import sys, threading
from fastapi.testclient import TestClient
from cases.db import make_engine, upgrade
import cases.text
url = "sqlite:///{tmp_path}/start.db"
upgrade(url)
held, warm = threading.Event(), cases.text.warm
def slow_warm():
    held.wait()  # the dictionary is still loading while the server starts and answers
    warm()
cases.text.warm = slow_warm
from api.app import create_app
with TestClient(create_app(engine=make_engine(url), sweep_interval=0, deliver_interval=0)) as c:
    assert c.get("/readyz").status_code == 200
    print("jieba" in sys.modules)
    held.set()
    [t.join() for t in threading.enumerate() if t.name == "shoujie-warm-text"]
    print("jieba" in sys.modules)
"""
    env = {"SHOUJIE_ENV": "test", "PATH": "/usr/bin:/bin", "XDG_DATA_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
