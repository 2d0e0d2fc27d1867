"""`shoujie audit verify`: OK with the count, or exit 1 naming the first broken event."""

from typing import Any

import pytest
from sqlalchemy import update

from cases import db as cases_db
from cases.models import CaseEvent
from tests.api.cli.helpers import intake_case


def test_audit_verify_names_a_tampered_event(
    shoujie: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """`audit verify` says OK with the count, and exit 1 naming the event once a row is edited."""
    no = intake_case(shoujie, capsys)["case_no"]
    shoujie("case", "act", no, "accept", "--as", "A017")
    capsys.readouterr()
    assert shoujie("audit", "verify") == 0
    # The three accounts the fixture added are administrative events, on their own chain.
    assert capsys.readouterr().out.splitlines() == ["OK 2 events", "OK 3 admin events"]
    engine = cases_db.make_engine(shoujie.url)
    with engine.begin() as conn:
        t = CaseEvent.__table__
        conn.execute(update(t).where(t.c.seq == 2).values(actor_staff_no="A018"))
    engine.dispose()
    assert shoujie("audit", "verify") == 1
    assert f"{no} 第2条" in capsys.readouterr().err
