"""One petitioner's history, gathered by identity number and by name and phone, never shown to
an accused unit; and the office's figures of repeat, skip-level and group petitions."""

from datetime import date

import pytest
from sqlalchemy import Engine

from cases.repeat.history import petitioner_history, petitioner_of
from cases.reports import counting, stats
from cases.runtime import Runtime
from tests.factories import intake_body, make_office
from tests.repeat.helpers import EARLIER, NOW, OTHER_ID, REWORDED, THIRD_ID, confirm, register
from workflow.errors import NotFound, PermissionDenied


def test_the_history_gathers_one_person_by_identity_number_and_by_name_and_phone(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    first = register(engine, rt, intake_body(), when=EARLIER)
    by_phone = intake_body(subject="小区电梯长期停用", content="我住的小区电梯坏了半年。")
    by_phone["petitioner"] = {"name": "王建国", "phone": "13800138000"}
    second = register(engine, rt, by_phone, when=EARLIER)
    as_rep = intake_body(
        subject="村集体土地被占用",
        content="村里集体土地被企业占用。",
        group_size=10,
        representatives=[{"name": "王建国", "id_number": intake_body()["petitioner"]["id_number"]}],
    )
    as_rep["petitioner"] = {"name": "李四", "id_number": OTHER_ID}
    third = register(engine, rt, as_rep, when=EARLIER)
    register(
        engine,
        rt,
        {**intake_body(), "petitioner": {"name": "王建国", "id_number": THIRD_ID}},
        when=EARLIER,
    )
    confirm(engine, rt, first, intake_body(**REWORDED))
    with engine.connect() as conn:
        pid = petitioner_of(conn, case_no=second, viewer_staff_no="G001")
        history = petitioner_history(conn, rt, petitioner_id=pid, viewer_staff_no="G001", now=NOW)
        # Another receptionist opens the history of no one whose cases are all someone else's.
        with pytest.raises(NotFound):
            petitioner_history(conn, rt, petitioner_id=pid, viewer_staff_no="A002", now=NOW)
        with pytest.raises(NotFound):
            petitioner_of(conn, case_no=second, viewer_staff_no="A002")
    # The namesake with another identity number is another person.
    assert {c["case_no"] for c in history["cases"]} == {first, second, third}
    roles = {c["case_no"]: c["role"] for c in history["cases"]}
    assert roles[third] == "representative" and roles[first] == "petitioner"
    assert history["id_number_masked"] == "1101**********002X"
    assert history["phones_masked"] == ["138****8000"]
    assert history["counts"]["repeat_contacts"] == 1
    assert history["contacts"][0]["case_no"] == first


def test_the_history_never_shows_the_accuser_to_the_accused_unit(
    engine: Engine, rt: Runtime
) -> None:
    make_office(engine, EARLIER)
    accusation = intake_body(
        category="accusation",
        subject="举报某区住建局干部受贿",
        content="某区住建局干部在补偿款发放中收受好处。",
        accused={"unit": "某区住建局"},
    )
    accusation["petitioner"] = {"name": "李四", "id_number": OTHER_ID}
    secret = register(engine, rt, accusation, when=EARLIER)
    with engine.connect() as conn:
        pid = petitioner_of(conn, case_no=secret, viewer_staff_no="G001")
        assert petitioner_history(conn, rt, petitioner_id=pid, viewer_staff_no="G001", now=NOW)
        with pytest.raises(NotFound):
            petitioner_history(conn, rt, petitioner_id=pid, viewer_staff_no="X001", now=NOW)
        with pytest.raises(NotFound):
            petitioner_of(conn, case_no=secret, viewer_staff_no="X001")
        with pytest.raises(PermissionDenied):
            petitioner_history(conn, rt, petitioner_id=pid, viewer_staff_no="AD01", now=NOW)


def test_statistics_count_repeats_skip_level_and_groups(engine: Engine, rt: Runtime) -> None:
    make_office(engine, EARLIER)
    original = register(
        engine, rt, intake_body(), when=EARLIER
    )  # 320102 at the province: skip-level
    register(engine, rt, intake_body(region_code="320000", channel="letter"), when=EARLIER)
    reps = [{"name": "赵六", "id_number": OTHER_ID}]
    register(
        engine,
        rt,
        intake_body(region_code="320100", group_size=12, representatives=reps),
        when=EARLIER,
    )
    confirm(engine, rt, original, intake_body(**REWORDED))
    with engine.begin() as conn:
        figures = stats.office_stats(
            conn,
            rt,
            period=counting.Period(date(2026, 10, 1), date(2026, 11, 30)),
            now=NOW,
        )
    assert figures["intakes"] == 3 and figures["repeat_contacts"] == 1
    assert figures["receptions"] == 4 and figures["repeat_rate"] == pytest.approx(1 / 4)
    assert figures["visits"] == 3 and figures["skip_level_visits"] == 2
    assert figures["skip_level_rate"] == pytest.approx(2 / 3)
    assert (figures["group_visits"], figures["group_visit_people"]) == (1, 12)
    # Attributed to the original case's owner, who stays responsible (首接负责制).
    assert figures["by_owner"]["A001"]["repeat_contacts"] == 1
    with engine.begin() as conn:
        empty = stats.office_stats(
            conn,
            rt,
            period=counting.Period(date(2025, 1, 1), date(2025, 1, 31)),
            now=NOW,
        )
    assert empty["repeat_rate"] is None and empty["skip_level_rate"] is None
