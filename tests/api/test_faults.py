"""Faults answered as a user can act on them: 32 simultaneous intakes with one Idempotency-Key make
one case; a database that is down or out of connections answers 503 with ``Retry-After``."""

import threading
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from cases.db import make_engine
from cases.settings import PoolSettings
from cases.store.tables import case_t
from tests.api.helpers import assert_problem
from tests.factories import intake_body
from tests.web import bearer, client, make_app

REQUESTS = 32


def test_simultaneous_intakes_with_one_key_make_one_case(app: Any, engine: Engine) -> None:
    """Every answer is the one case, or 409 「正在处理」 with Retry-After; never a 500."""
    headers = {**bearer(app, "A001"), "Idempotency-Key": "same-visit-0931"}
    body = intake_body()
    # One intake first: the word index loads its dictionary once, outside the race.
    assert client(app).post("/api/v1/cases", json=body, headers=bearer(app, "A001")).is_success
    start = threading.Barrier(REQUESTS)
    answers: list[Any] = [None] * REQUESTS

    def post(i: int) -> None:
        c = TestClient(app)
        start.wait()
        answers[i] = c.post("/api/v1/cases", json=body, headers=headers)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(REQUESTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    made = [r for r in answers if r is not None and r.status_code == 201]
    waiting = [r for r in answers if r is not None and r.status_code == 409]
    assert len(made) + len(waiting) == REQUESTS, [r.text for r in answers if r is not None]
    assert made
    assert {r.json()["case_no"] for r in made} == {made[0].json()["case_no"]}
    # The 查询码 is shown once, to the request that made the case; a replay never shows it again.
    assert len([r for r in made if r.json().get("query_code")]) == 1
    for r in waiting:
        assert_problem(r, 409, "idempotency.in_progress")
        assert "正在处理" in r.json()["detail"]
        assert int(r.headers["Retry-After"]) >= 1
    with engine.connect() as conn:  # the warm-up case and the one case of the key
        assert conn.execute(select(func.count()).select_from(case_t)).scalar_one() == 2


def test_database_down_answers_503_with_retry_after(rt: Any) -> None:
    """Nothing listens where the database should be: 503 problem+json in Chinese, not 500."""
    down = make_engine(
        "postgresql+psycopg://postgres@127.0.0.1:9/shoujie", connect_args={"connect_timeout": 2}
    )
    app = make_app(down, rt)
    # A token is a row: with no database even checking it answers 503.
    r = client(app).get("/api/v1/cases", headers={"Authorization": "Bearer sjt_any"})
    assert_problem(r, 503, "db.unavailable")
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "数据库" in r.json()["detail"]
    assert int(r.headers["Retry-After"]) >= 1
    down.dispose()


def test_pool_exhausted_answers_503(app: Any, engine: Engine, rt: Any) -> None:
    """Every connection of the pool is in use past the pool timeout: 503, and served again after."""
    url = engine.url.render_as_string(hide_password=False)
    small = make_engine(url, PoolSettings(size=1, max_overflow=0, timeout=0.2))
    narrow = make_app(small, rt)
    c = client(narrow)
    headers = bearer(narrow, "A001")  # issued while a connection is free
    held = small.connect()
    try:
        r = c.get("/api/v1/cases", headers=headers)
        assert_problem(r, 503, "db.unavailable")
        assert r.headers["Retry-After"]
    finally:
        held.close()
    assert c.get("/api/v1/cases", headers=headers).status_code == 200
    small.dispose()
