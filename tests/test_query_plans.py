"""The main reads find their rows through indexes: on PostgreSQL, with a few thousand cases loaded
and analysed, every statement the daily pages run is EXPLAINed and none scans the case, event or
clock table from end to end (issue 16): sequential scans priced out, none is left, and no index is
walked whole without a LIMIT, so an index finds every read's rows. A sequential scan is what grows a page with the office."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from bench import pages as pages_bench
from bench.common import Backend
from conftest import PG_URL

#: The tables whose size is the office's: a read may never walk them whole.
WATCHED = ("case", "case_event", "case_clock")
INDEX_SCANS = ("Index Scan", "Index Only Scan")


def whole_walks(node: dict[str, Any], partial: set[str], limited: bool = False) -> list[str]:
    """The plan's reads of a watched table from end to end: a sequential scan, or an index walked
    with no condition on it (only a filter) where no LIMIT stops it early. A partial index walked
    whole is allowed: it holds the open work (the active clocks), not the office's history."""
    found = []
    kind, table, index = (
        node.get("Node Type", ""),
        node.get("Relation Name"),
        node.get("Index Name"),
    )
    if table in WATCHED:
        if kind == "Seq Scan":
            found.append(f"Seq Scan on {table}")
        elif kind in INDEX_SCANS and "Index Cond" not in node and not (limited or index in partial):
            found.append(f"{kind} using {index} on {table}, no condition")
    limited = limited or kind == "Limit"
    for child in node.get("Plans", []):
        found += whole_walks(child, partial, limited)
    return found


@pytest.fixture
def loaded(engine: Engine) -> dict[str, Any]:
    """An office of 3 000 cases (2 500 ended, 500 open, 100 of them escalated), analysed."""
    if engine.dialect.name != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    assert PG_URL
    return pages_bench.build(Backend("PostgreSQL", PG_URL), engine, 3000, live=500, due=100)


def _statements(engine: Engine, built: dict[str, Any]) -> dict[str, list[tuple[str, Any]]]:
    """The SELECTs each daily page ran, with their parameters."""
    from api.app import create_app
    from cases.settings import Clock

    app = create_app(
        engine=engine,
        rt=pages_bench.runtime(),
        clock=Clock(pages_bench.NOW),
        sweep_interval=0,
        deliver_interval=0,
    )
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    out: dict[str, list[tuple[str, Any]]] = {}
    clients: dict[str, TestClient] = {}
    event.listen(engine, "before_cursor_execute", record)
    try:
        with TestClient(app, follow_redirects=False) as base:
            for name, (who, path, extra) in pages_bench.pages(engine, built).items():
                if "code" in extra:  # /track: the public page, opened by its 查询码
                    continue
                if who not in clients:
                    clients[who] = TestClient(app, follow_redirects=False)
                    pages_bench.sign_in(clients[who], who)
                headers = pages_bench.bearer(base, who) if path.startswith("/api/") else {}
                seen.clear()
                r = pages_bench.fetch(clients[who], path, extra, headers)
                assert r.status_code == 200, (name, r.status_code)
                out[name] = list(seen)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return out


def test_no_daily_read_scans_the_case_event_or_clock_table(
    engine: Engine, loaded: dict[str, Any]
) -> None:
    found = _statements(engine, loaded)
    assert set(found) >= {"desk (receptionist)", "case page (live)", "queue", "search by phone"}
    scans = []
    with engine.connect() as conn:
        # At a few thousand rows the planner may read a small table whole although an index
        # serves the query; with sequential scans priced out, one is left only where no index can.
        conn.exec_driver_sql("SET enable_seqscan = off")
        partial = set(
            conn.exec_driver_sql(
                "SELECT indexrelid::regclass::text FROM pg_index WHERE indpred IS NOT NULL"
            ).scalars()
        )
        for page, statements in found.items():
            for sql, params in statements:
                plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}", params).scalar()
                for walk in whole_walks(plan[0]["Plan"], partial):
                    scans.append(f"{page}: {walk}\n{sql}")
    assert not scans, "\n\n".join(scans)
