"""What the supervisor-queue tests share: cases late to each level, the app at a given hour, the
queue over the API, a person's messages and a case's events."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cases.audit import verify
from cases.casework import reading
from cases.runtime import Runtime
from cases.store.tables import outbox_t
from tests.web import NOW, api_intake, bearer, client, sign_in

#: Received so long ago that, on NOW (2026-11-26), the acceptance clock stands at each level.
RECEIVED = {
    "flagged": "2026-10-08T09:00:00+08:00",
    "supervision": "2026-11-02T09:00:00+08:00",
    "overdue": "2026-11-09T09:00:00+08:00",
    "warning": "2026-11-12T09:00:00+08:00",
}


def create(engine: Engine, rt: Runtime, now: Any = NOW) -> Any:
    """The app with its clock at ``now``, no background sweeper or worker."""
    from api.app import create_app
    from cases.settings import Clock

    return create_app(engine=engine, rt=rt, clock=Clock(now), sweep_interval=0, deliver_interval=0)


def late_case(app: Any, c: TestClient, level: str, owner: str = "A001", **overrides: Any) -> str:
    """A case whose acceptance clock reaches ``level`` on NOW (after a sweep)."""
    body = {"received_at": RECEIVED[level], "subject": f"{level}事项", **overrides}
    return api_intake(app, c, owner, **body)["case_no"]


def messages(engine: Engine, recipient: str, topic: str | None = None) -> list[Any]:
    """This person's outbox messages (of one topic), the oldest first."""
    with engine.begin() as conn:
        stmt = select(outbox_t).where(outbox_t.c.recipient_staff_no == recipient)
        if topic:
            stmt = stmt.where(outbox_t.c.topic == topic)
        return list(conn.execute(stmt.order_by(outbox_t.c.id)))


def events(engine: Engine, rt: Runtime, case_no: str) -> list[dict[str, Any]]:
    """The case's timeline, as a supervisor reads it."""
    with engine.begin() as conn:
        return reading.case_events(conn, rt, case_no=case_no, viewer_staff_no="G001")


def queue_json(app: Any, c: TestClient, staff_no: str = "G001", **params: Any) -> list[dict]:
    """The queue over the JSON API (``active`` unless a status is given)."""
    params.setdefault("status", "active")
    r = c.get("/api/v1/escalations", params=params, headers=bearer(app, staff_no))
    assert r.status_code == 200, r.text
    return r.json()


def row_of(items: list[dict[str, Any]], case_no: str) -> dict[str, Any]:
    """The case's row in the queue (one per case), standing on its late acceptance clock."""
    (row,) = [i for i in items if i["case_no"] == case_no]
    assert row["clock"] == "acceptance", row["clock"]
    return row


def audit_intact(engine: Engine, rt: Runtime) -> None:
    """The audit chain verifies end to end."""
    with engine.begin() as conn:
        assert verify(conn, rt.audit_key).broken is None


def desk_page(app: Any, staff_no: str) -> str:
    """The desk page as this person sees it."""
    c = client(app)
    sign_in(c, staff_no)
    return c.get("/").text
