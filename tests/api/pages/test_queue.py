"""The supervisor queue as a page, and the desk's link to it."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.web import api_intake, sign_in


def test_escalation_queue_page(app: Any, c: TestClient, engine: Engine, rt: Any) -> None:
    from cases.supervision.sweeper import sweep
    from tests.web import NOW

    api_intake(app, c, received_at="2026-10-08T09:00:00+08:00", subject="早就超期")
    sweep(engine, rt, now=NOW)
    sign_in(c, "G001")
    page = c.get("/escalations").text
    assert "督办队列" in page and "早就超期" in page and "挂牌督办" in page
    assert 'class="active">待处理' in page
    assert "队列为空" in c.get("/escalations?status=resolved").text
    desk = c.get("/").text
    assert 'href="/escalations"><span class="stat-num">1</span>' in desk
