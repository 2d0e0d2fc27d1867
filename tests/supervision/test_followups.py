"""不满意: a dissatisfied rating shows in the queue until a supervisor records its follow-up, once."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cases.runtime import Runtime
from tests.supervision.helpers import events
from tests.web import api_act, api_intake, bearer, sign_in


def test_dissatisfied_rating_is_followed_up_from_the_queue(
    app: Any, c: TestClient, engine: Engine, rt: Runtime
) -> None:
    no = api_intake(app, c, "A001", subject="补偿标准不公")["case_no"]
    api_act(app, c, no, "accept", "A001")
    api_act(app, c, no, "reply", "H001", outcome="not_support", opinion="不予支持")
    api_act(app, c, no, "record_evaluation", "A001", rating="dissatisfied")
    token = sign_in(c, "G001")
    page = c.get("/queue").text
    assert "不满意评价" in page and "补偿标准不公" in page
    r = c.post(
        f"/queue/dissatisfied/{no}/followup",
        data={"csrf_token": token, "note": "已电话回访，解释政策"},
    )
    assert r.status_code == 303
    page = c.get("/queue").text
    assert "已登记跟进情况" in page and "没有待跟进的不满意评价" in page
    assert events(engine, rt, no)[-1]["payload"]["note"] == "已电话回访，解释政策"
    r = c.post(
        f"/api/v1/cases/{no}/dissatisfaction-followup",
        json={"note": "再次"},
        headers=bearer(app, "G001"),
    )
    assert r.status_code == 409
