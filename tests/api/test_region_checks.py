"""An unknown region code is refused on every intake path of the API, in Chinese, with nothing
stored; the code is checked against the list of regions (workflow.regions)."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from cases.models import CaseContact
from cases.store import tables
from tests.api.helpers import CJK, assert_problem
from tests.factories import intake_body
from tests.web import api_intake, bearer


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _refused(r: Any) -> None:
    body = assert_problem(r, 422, "intake.region_unknown")
    error = next(e for e in body["errors"] if e["field"] == "region_code")
    assert "999999" in error["message"] and CJK.search(error["message"])


def test_an_unknown_region_is_refused_at_intake(app: Any, c: TestClient, engine: Engine) -> None:
    r = c.post("/api/v1/cases", json=intake_body(region_code="999999"), headers=bearer(app, "A001"))
    _refused(r)
    assert _count(engine, tables.case_t) == 0


def test_an_unknown_region_is_refused_by_the_candidates_look_up(app: Any, c: TestClient) -> None:
    r = c.post(
        "/api/v1/intake/candidates",
        json=intake_body(region_code="999999"),
        headers=bearer(app, "A001"),
    )
    _refused(r)


def test_an_unknown_region_is_refused_on_a_repeat_contact(
    app: Any, c: TestClient, engine: Engine
) -> None:
    case = api_intake(app, c, "A001")
    contacts = _count(engine, CaseContact.__table__)
    r = c.post(
        f"/api/v1/cases/{case['case_no']}/contacts",
        json=intake_body(region_code="999999"),
        headers=bearer(app, "A001"),
    )
    _refused(r)
    assert _count(engine, CaseContact.__table__) == contacts
