"""The keyword index: every intake path writes it; the maintenance pass catches the rest."""

from sqlalchemy import Engine, func, select

import cases.models  # noqa: F401  (registers the tables)
from cases.casework import intake
from cases.models import CaseKeyword
from cases.repeat import index
from cases.runtime import Runtime
from cases.store import tables
from tests.factories import intake_body, make_office
from tests.repeat.helpers import EARLIER


def test_every_intake_path_indexes_keywords_and_the_backlog_catches_the_rest(
    engine: Engine, rt: Runtime
) -> None:
    """A case registered through the service (API, command line) is findable at once; a case whose
    keywords are missing (older data) is indexed by the maintenance pass."""
    make_office(engine, EARLIER)
    kt = CaseKeyword.__table__
    with engine.begin() as conn:
        case = intake.intake(conn, rt, body=intake_body(), actor_staff_no="A001", now=EARLIER)
        indexed = conn.execute(select(func.count()).select_from(kt)).scalar_one()
        assert indexed > 5
        assert index.index_backlog(conn) == 0
        case_id = conn.execute(
            select(tables.case_t.c.id).where(tables.case_t.c.case_no == case["case_no"])
        ).scalar_one()
        conn.execute(kt.delete().where(kt.c.case_id == case_id))
        assert index.index_backlog(conn) == 1
        assert conn.execute(select(func.count()).select_from(kt)).scalar_one() == indexed
