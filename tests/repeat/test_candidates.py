"""Candidates at intake: the petitioner's history by blind index, similar matters by the keyword
index, the scoring that tells a reworded repeat from another matter, and the API answer."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, text

import cases.models  # noqa: F401  (registers the tables)
from cases.casework import actions
from cases.repeat import candidates
from cases.runtime import Runtime
from tests.factories import intake_body, make_office, withdrawal
from tests.repeat.helpers import EARLIER, NOW, OTHER_ID, REWORDED, register
from tests.web import bearer, client
from workflow.errors import InvalidInput
from workflow.intake import validate_intake
from workflow.lifecycle import Actor


def find(engine: Engine, rt: Runtime, body: dict[str, Any], **kw: Any) -> list[Any]:
    with engine.connect() as conn:
        return candidates.find(conn, rt, validate_intake(body, now=NOW), now=NOW, **kw)


def test_the_same_person_with_the_matter_reworded_finds_the_original_first(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    register(
        engine,
        rt,
        intake_body(
            subject="养老金停发", content="我的退休金从今年三月起被停发。", requests="恢复"
        ),
        when=EARLIER,
    )
    found = find(engine, rt, intake_body(**REWORDED))
    assert found[0].case_no == original
    assert found[0].likely_repeat and found[0].same_person
    assert "身份证号码相同" in found[0].reasons
    assert any("共同关键词" in r for r in found[0].reasons)
    # The pension matter is the same person's too, but another matter: listed, not a repeat.
    assert [c.likely_repeat for c in found[1:]] == [False]
    assert found == sorted(found, key=lambda c: (not c.likely_repeat, -c.score))


def test_without_an_identity_number_the_person_is_found_by_name_and_phone(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    body = intake_body(**REWORDED)
    body["petitioner"] = {"name": "王建国", "phone": "138 0013 8000"}
    found = find(engine, rt, body)
    assert found[0].case_no == original and found[0].likely_repeat
    assert "姓名和联系电话相同" in found[0].reasons
    # Same phone, another name (a family member): shown, never taken for the same person.
    body["petitioner"] = {"name": "王小明", "phone": "13800138000"}
    found = find(engine, rt, body)
    assert found[0].case_no == original and not found[0].likely_repeat
    assert any("联系电话相同（登记姓名为王建国）" in r for r in found[0].reasons)


def test_a_different_matter_by_the_same_person_is_not_a_repeat(engine: Engine, rt: Runtime) -> None:
    make_office(engine, EARLIER)
    register(engine, rt, intake_body(), when=EARLIER)
    found = find(
        engine,
        rt,
        intake_body(
            subject="小区物业乱收费",
            content="我住的阳光花园小区物业公司擅自上调物业费，电梯坏了半年没人修。",
            requests="查处物业乱收费",
        ),
    )
    assert len(found) == 1 and found[0].same_person and not found[0].likely_repeat


def test_a_similar_matter_of_another_petitioner_is_found_through_the_keyword_index(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    original = register(engine, rt, intake_body(), when=EARLIER)
    neighbour = intake_body(**REWORDED)
    neighbour["petitioner"] = {"name": "李秀英", "id_number": OTHER_ID, "phone": "13900139000"}
    found = find(engine, rt, neighbour)
    assert [c.case_no for c in found] == [original]
    assert not found[0].same_person and not found[0].likely_repeat
    assert "其他信访人反映的相似事项" in found[0].reasons
    # Another region: the keyword index is read per region, so nothing is found.
    found = find(engine, rt, {**neighbour, "region_code": "320583"})
    assert found == []


def test_an_old_finished_matter_of_another_petitioner_is_not_shown(
    engine: Engine, rt: Runtime
) -> None:
    long_ago = NOW - timedelta(days=500)
    make_office(engine, long_ago)
    case_no = register(engine, rt, intake_body(), when=long_ago)
    with engine.begin() as conn:
        actions.act(
            conn,
            rt,
            case_no=case_no,
            action="withdraw",
            actor_staff_no="A001",
            payload=withdrawal(long_ago),
            now=long_ago,
        )
    neighbour = intake_body(**REWORDED)
    neighbour["petitioner"] = {"name": "李秀英", "id_number": OTHER_ID}
    assert find(engine, rt, neighbour) == []
    # …but the petitioner's own history is always shown.
    assert [c.case_no for c in find(engine, rt, intake_body(**REWORDED))] == [case_no]


def test_a_representative_of_an_earlier_group_visit_is_found(engine: Engine, rt: Runtime) -> None:
    make_office(engine, EARLIER)
    group = intake_body(
        group_size=30,
        representatives=[{"name": "赵六", "id_number": OTHER_ID, "phone": "13900139000"}],
    )
    original = register(engine, rt, group, when=EARLIER)
    alone = intake_body(**REWORDED)
    alone["petitioner"] = {"name": "赵六", "id_number": OTHER_ID}
    found = find(engine, rt, alone)
    assert found[0].case_no == original and found[0].likely_repeat
    assert "身份证号码相同（原事项中为代表）" in found[0].reasons


def test_an_accusation_is_never_shown_to_the_accused_unit(engine: Engine, rt: Runtime) -> None:
    make_office(engine, EARLIER)
    accusation = intake_body(
        category="accusation",
        subject="举报某区住建局工作人员索要好处费",
        content="某区住建局工作人员在拆迁补偿款发放中索要好处费。",
        accused={"name": "", "unit": "某区住建局"},
    )
    register(engine, rt, accusation, when=EARLIER)
    again = {**accusation, "subject": "再次举报住建局工作人员索要好处费"}
    accused = Actor(staff_no="X001", role="handler", name="马涛")
    assert find(engine, rt, again, viewer=accused, viewer_unit="某区住建局") == []
    colleague = Actor(staff_no="A002", role="receptionist", name="李强")
    assert len(find(engine, rt, again, viewer=colleague, viewer_unit=None)) == 1


@contextmanager
def query_plans(engine: Engine) -> Iterator[list[str]]:
    """The SQLite query plans of every SELECT run meanwhile."""
    statements: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, params))

    event.listen(engine, "before_cursor_execute", remember)
    plans: list[str] = []
    try:
        yield plans
    finally:
        event.remove(engine, "before_cursor_execute", remember)
        with engine.connect() as conn:
            for statement, params in statements:
                rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
                plans.append(" / ".join(r[-1] for r in rows))


def test_every_look_up_reads_an_index_never_a_whole_table(
    sqlite_engine: Engine, rt: Runtime
) -> None:
    make_office(sqlite_engine, EARLIER)
    register(sqlite_engine, rt, intake_body(), when=EARLIER)
    body = intake_body(
        **REWORDED, group_size=3, representatives=[{"name": "赵六", "id_number": OTHER_ID}]
    )
    with query_plans(sqlite_engine) as plans:
        find(sqlite_engine, rt, body)
    assert plans
    tables = {"case", "petitioner", "case_keyword", "case_representative", "staff", "owner"}
    for plan in plans:
        # "SCAN <table>" without an index reads the whole table (a bounded subquery may be scanned).
        scans = [
            step
            for step in plan.split(" / ")
            if step.startswith("SCAN") and step.split()[1] in tables and "INDEX" not in step
        ]
        assert not scans, plan


def test_lookup_touches_a_bounded_number_of_rows(engine: Engine, rt: Runtime) -> None:
    make_office(engine, EARLIER)
    # Many similar matters in the region: the look-up scores at most the bounded set.
    for i in range(candidates.POSTINGS + 10):
        body = intake_body(**REWORDED)
        body["petitioner"] = {"name": f"邻居{i}", "address": f"中山路{i}号"}
        register(engine, rt, body, when=EARLIER + timedelta(minutes=i))
    found = find(engine, rt, intake_body(**REWORDED), limit=1000)
    assert 0 < len(found) <= candidates.SIMILAR_CASES


def test_a_bad_intake_body_is_refused_before_any_look_up(engine: Engine, rt: Runtime) -> None:
    make_office(engine, EARLIER)
    with engine.connect() as conn, pytest.raises(InvalidInput) as caught:
        candidates.find_for_intake(
            conn, rt, body=intake_body(region_code="32"), viewer_staff_no="A001", now=NOW
        )
    assert caught.value.details["errors"][0]["field"] == "region_code"


def counts(conn: Connection) -> tuple[int, ...]:
    return tuple(
        conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
        for t in ("case", "petitioner", "case_event", "case_contact", "outbox")
    )


def test_api_answers_candidates_best_first_and_saves_nothing(app: Any, engine: Engine) -> None:
    c = client(app)
    rt = app.state.ctx.rt
    original = register(engine, rt, intake_body(), when=EARLIER)
    with engine.connect() as conn:
        before = counts(conn)
    r = c.post(
        "/api/v1/intake/candidates", json=intake_body(**REWORDED), headers=bearer(app, "A002")
    )
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer[0]["case_no"] == original
    assert set(answer[0]) >= {"case_no", "score", "reasons", "likely_repeat", "owner", "state"}
    assert 0 < answer[0]["score"] <= 1 and answer[0]["likely_repeat"] is True
    assert answer[0]["owner"]["staff_no"] == "A001"
    with engine.connect() as conn:
        assert counts(conn) == before


def test_api_candidates_refusals(app: Any) -> None:
    c = client(app)
    r = c.post("/api/v1/intake/candidates", json=intake_body())
    assert r.status_code == 401
    r = c.post("/api/v1/intake/candidates", json=intake_body(), headers=bearer(app, "H001"))
    assert r.status_code == 403 and r.json()["code"] == "permission.denied"
    r = c.post(
        "/api/v1/intake/candidates",
        json=intake_body(
            group_size=9,
            representatives=[{"name": f"代表{i}", "address": "某地"} for i in range(6)],
        ),
        headers=bearer(app, "A001"),
    )
    assert r.status_code == 422 and r.json()["code"] == "intake.too_many_representatives"
    assert r.headers["content-type"].startswith("application/problem+json")


def test_bench_quality_on_a_small_labelled_set(sqlite_engine: Engine) -> None:
    """bench/repeat.py's labelled set at a small scale: the targets hold here too."""
    from bench.repeat import TARGET_PRECISION, TARGET_RECALL, run

    out, _ = run(sqlite_engine, cases=2000, people=200, seed=5, quiet=True)
    assert out.precision >= TARGET_PRECISION, out.by_label
    assert out.recall >= TARGET_RECALL, out.by_label
