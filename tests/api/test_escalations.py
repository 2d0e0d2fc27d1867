"""The supervisor queue over the API (api/routes/escalations.py)."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cases.runtime import Runtime
from cases.supervision.sweeper import sweep
from tests.api.helpers import assert_problem
from tests.web import (
    NOW,
    api_intake,
    bearer,
)


def test_escalations_sorted_by_level_then_lateness(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    late = api_intake(app, c, received_at="2026-10-08T09:00:00+08:00", subject="早")
    later = api_intake(app, c, received_at="2026-11-02T09:00:00+08:00", subject="中")
    recent = api_intake(app, c, received_at="2026-11-09T09:00:00+08:00", subject="晚")
    sweep(engine, rt, now=NOW)
    r = c.get("/api/v1/escalations", params={"status": "open"}, headers=bearer(app, "G001"))
    assert r.status_code == 200
    # One row per case, named by its most pressing clock.
    items = [(e["case_no"], e["clock"], e["level"]) for e in r.json()]
    assert items == [
        (late["case_no"], "acceptance", "flagged"),
        (later["case_no"], "acceptance", "supervision"),
        (recent["case_no"], "acceptance", "overdue"),
    ]
    first = r.json()[0]
    assert first["level_label"] == "挂牌督办" and first["overdue_working_days"] > 10
    assert first["owner"]["staff_no"] == "A001"
    assert_problem(c.get("/api/v1/escalations?status=odd", headers=bearer(app, "G001")), 422)
