"""Route by route: nothing but the public routes answers an anonymous request, no role reaches a
route its permission does not grant, and no action succeeds for a role that may not take it."""

from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from api.security import PERMISSIONS, permits
from cases.paper import attachments
from cases.paper.trail import paper_trail
from cases.runtime import Runtime
from cases.store import tables
from cases.supervision import notices
from cases.supervision.sweeper import sweep
from conftest import make_runtime
from tests.web import (
    NOW,
    ROLES_BY_STAFF,
    api_act,
    api_intake,
    bearer,
    client,
    csrf_of,
    make_app,
    make_web_office,
    sign_in,
)
from workflow import lifecycle, read_scope
from workflow.lifecycle import Actor

#: Every route of the app with the permission it must demand: the table the code must match.
ROUTES: list[tuple[str, str, str]] = [
    # JSON API
    ("POST", "/api/v1/auth/token", "public"),
    ("POST", "/api/v1/auth/logout", "signed_in"),
    ("POST", "/api/v1/me/password", "signed_in"),
    ("GET", "/api/v1/me/sessions", "signed_in"),
    ("DELETE", "/api/v1/me/sessions/{session_id}", "signed_in"),
    ("GET", "/api/v1/staff", "manage_staff"),
    ("POST", "/api/v1/staff/{staff_no}/password-reset", "manage_staff"),
    ("POST", "/api/v1/staff/{staff_no}/deactivate", "manage_staff"),
    ("POST", "/api/v1/staff/{staff_no}/reactivate", "manage_staff"),
    ("GET", "/api/v1/staff/{staff_no}/sessions", "manage_staff"),
    ("DELETE", "/api/v1/sessions/{session_id}", "manage_staff"),
    ("GET", "/api/v1/admin/events", "manage_staff"),
    ("GET", "/api/v1/office/organisation", "manage_office"),
    ("POST", "/api/v1/office/branch", "manage_office"),
    ("POST", "/api/v1/office/groups", "manage_office"),
    ("PATCH", "/api/v1/office/groups/{name}", "manage_office"),
    ("DELETE", "/api/v1/office/groups/{name}", "manage_office"),
    ("POST", "/api/v1/staff/{staff_no}/group", "manage_office"),
    ("POST", "/api/v1/staff/{staff_no}/post", "manage_office"),
    ("GET", "/admin/office", "manage_office"),
    ("POST", "/admin/office", "manage_office"),
    ("GET", "/account", "signed_in"),
    ("GET", "/account/password", "signed_in"),
    ("POST", "/account/password", "signed_in"),
    ("POST", "/account/sessions/{session_id}/revoke", "signed_in"),
    ("POST", "/admin/staff/{staff_no}/reset", "manage_staff"),
    ("POST", "/admin/staff/{staff_no}/deactivate", "manage_staff"),
    ("POST", "/admin/staff/{staff_no}/reactivate", "manage_staff"),
    ("GET", "/admin/staff/{staff_no}/sessions", "manage_staff"),
    ("POST", "/admin/sessions/{session_id}/revoke", "manage_staff"),
    ("GET", "/api/v1/me", "signed_in"),
    ("POST", "/api/v1/cases", "intake"),
    ("GET", "/api/v1/cases", "read_cases"),
    ("POST", "/api/v1/cases/search", "read_cases"),
    ("GET", "/api/v1/cases/{case_no}", "read_cases"),
    ("GET", "/api/v1/cases/{case_no}/events", "read_cases"),
    ("POST", "/api/v1/cases/{case_no}/actions/{action}", "act"),
    ("POST", "/api/v1/cases/{case_no}/query-code", "act"),
    ("GET", "/api/v1/escalations", "escalations"),
    ("GET", "/healthz", "public"),
    # pages
    ("GET", "/login", "public"),
    ("POST", "/login", "public"),
    ("POST", "/logout", "public"),
    ("GET", "/", "signed_in"),
    ("GET", "/cases", "read_cases"),
    ("POST", "/cases/search", "read_cases"),
    ("GET", "/cases/new", "intake"),
    ("POST", "/cases/new", "intake"),
    ("GET", "/cases/{case_no}/receipt", "read_cases"),
    ("GET", "/cases/{case_no}", "read_cases"),
    ("POST", "/cases/{case_no}/actions/{action}", "act"),
    ("POST", "/cases/{case_no}/query-code", "act"),
    ("GET", "/escalations", "escalations"),
    ("GET", "/track", "public"),
    ("POST", "/track", "public"),
    ("GET", "/track/{case_no}", "public"),
    ("POST", "/track/{case_no}/rating", "public"),
    ("GET", "/staff", "public"),
    ("GET", "/staff/{staff_no}", "public"),
    ("GET", "/staff/{staff_no}/photo", "public"),
    ("GET", "/admin/staff", "manage_staff"),
    ("POST", "/admin/staff/{staff_no}", "manage_staff"),
    # the supervisor queue, notices, extensions, inbox, briefing, deliveries (api/pages/queue.py, api/routes/…)
    ("GET", "/queue", "escalations"),
    ("GET", "/queue/flagged", "escalations"),
    ("POST", "/queue/escalations/{escalation_id}/acknowledge", "work_queue"),
    ("POST", "/queue/escalations/{escalation_id}/notice", "work_queue"),
    ("POST", "/queue/escalations/{escalation_id}/reassign", "work_queue"),
    ("POST", "/queue/extensions/{request_id}/decide", "work_queue"),
    ("POST", "/queue/dissatisfied/{case_no}/followup", "work_queue"),
    ("POST", "/cases/{case_no}/extension-request", "act"),
    ("POST", "/notices/{notice_id}/answer", "act"),
    ("GET", "/inbox", "signed_in"),
    ("POST", "/inbox/read", "signed_in"),
    ("POST", "/inbox/preferences", "signed_in"),
    ("GET", "/briefing", "read_cases"),
    ("GET", "/admin/deliveries", "manage_deliveries"),
    ("POST", "/admin/deliveries/{delivery_id}/retry", "manage_deliveries"),
    ("GET", "/api/v1/escalations/counts", "escalations"),
    ("POST", "/api/v1/escalations/{escalation_id}/acknowledge", "work_queue"),
    ("POST", "/api/v1/escalations/{escalation_id}/notices", "work_queue"),
    ("POST", "/api/v1/notices/{notice_id}/answer", "act"),
    ("POST", "/api/v1/cases/{case_no}/extension-requests", "act"),
    ("GET", "/api/v1/extension-requests", "escalations"),
    ("GET", "/api/v1/cases/{case_no}/joint", "read_cases"),
    ("POST", "/api/v1/cases/{case_no}/joint", "work_queue"),
    ("POST", "/api/v1/cases/{case_no}/joint/meetings", "act"),
    ("POST", "/api/v1/cases/{case_no}/joint/reports", "act"),
    ("POST", "/api/v1/cases/{case_no}/joint/disputes", "act"),
    ("POST", "/api/v1/cases/{case_no}/joint/disputes/{dispute_id}/decision", "work_queue"),
    ("POST", "/api/v1/extension-requests/{request_id}/decision", "work_queue"),
    ("POST", "/api/v1/cases/{case_no}/dissatisfaction-followup", "work_queue"),
    ("GET", "/api/v1/inbox", "signed_in"),
    ("POST", "/api/v1/inbox/{message_id}/read", "signed_in"),
    ("GET", "/api/v1/briefing", "read_cases"),
    # reports (api/pages/reports.py, api/routes/reports.py): a receptionist reads the closure
    # reports and progress prints of their own cases only
    ("GET", "/reports", "read_cases"),
    ("GET", "/api/v1/stats", "read_cases"),
    ("GET", "/cases/{case_no}/closure-report", "read_cases"),
    ("GET", "/api/v1/cases/{case_no}/closure-report.pdf", "read_cases"),
    ("GET", "/cases/{case_no}/progress", "read_cases"),
    ("GET", "/api/v1/cases/{case_no}/progress.pdf", "read_cases"),
    # repeat petitions and petitioner history (api/pages/intake.py, api/routes/intake.py)
    ("POST", "/api/v1/intake/candidates", "intake"),
    ("POST", "/api/v1/cases/{case_no}/contacts", "intake"),
    ("POST", "/cases/new/check", "intake"),
    ("POST", "/cases/new/register", "intake"),
    ("POST", "/cases/new/repeat", "intake"),
    # on-site intake (下移接待, api/pages/onsite.py)
    ("GET", "/cases/new/onsite", "intake"),
    ("POST", "/cases/new/onsite", "intake"),
    ("GET", "/petitioners/{petitioner_id}", "read_cases"),
    ("GET", "/cases/{case_no}/petitioner", "read_cases"),
    # the paper trail: notices and attachments (api/pages/paper.py)
    ("GET", "/cases/{case_no}/notices/{notice_id}", "read_cases"),
    ("GET", "/track/{case_no}/notices/{notice_id}.pdf", "public"),
    ("POST", "/cases/{case_no}/attachments", "act"),
    ("GET", "/cases/{case_no}/joint", "read_cases"),
    ("POST", "/cases/{case_no}/joint", "work_queue"),
    ("POST", "/cases/{case_no}/joint/meetings", "act"),
    ("POST", "/cases/{case_no}/joint/reports", "act"),
    ("POST", "/cases/{case_no}/joint/disputes", "act"),
    ("POST", "/cases/{case_no}/joint/disputes/{dispute_id}/decision", "work_queue"),
    ("GET", "/cases/{case_no}/attachments/{attachment_id}", "read_cases"),
    ("GET", "/cases/{case_no}/attachments/{attachment_id}/preview", "read_cases"),
    # watching it (api/routes/health.py, api/observability.py)
    ("GET", "/readyz", "public"),
    ("GET", "/metrics", "public"),
]
PROTECTED = [r for r in ROUTES if r[2] != "public"]

#: One of each kind of user: A001 owns the case under test, A002 is another receptionist, X001 a
#: handler of the unit an accusation could be about.
USERS = ["A001", "A002", "H001", "G001", "L001", "AD01", "AU01", "X001"]


def permissions_of(route: APIRoute) -> set[str]:
    """The permissions a route's dependencies demand (read from the dependency functions)."""
    found: set[str] = set()
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if hasattr(dep.call, "permission"):
            found.add(dep.call.permission)
        stack.extend(dep.dependencies)
    return found


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from cases.db import make_engine
    from cases.settings import Settings
    from conftest import TZ

    s = Settings("unused", b"k" * 40, b"d" * 40, TZ, "test", None)
    path = tmp_path_factory.mktemp("routes") / "unused.db"
    return make_app(make_engine(f"sqlite:///{path}"), Runtime.from_settings(s))


def test_route_table_is_the_apps(bare_app: Any) -> None:
    found, others = [], set()
    # FastAPI keeps included routers nested; iter_route_contexts walks them all.
    for ctx in iter_route_contexts(bare_app.routes):
        route = ctx.original_route
        if not isinstance(route, APIRoute):
            others.add(ctx.path)
            continue
        perms = permissions_of(route)
        assert len(perms) == 1, (ctx.path, perms)
        permission = perms.pop()
        found.extend((method, ctx.path, permission) for method in ctx.methods or ())
    assert sorted(found) == sorted(ROUTES)
    assert others == {"/openapi.json", "/static"}


def test_permissions_come_from_the_lifecycle_table() -> None:
    assert PERMISSIONS["read_cases"] == lifecycle.READ_ROLES
    assert PERMISSIONS["intake"] == lifecycle.INTAKE_ROLES
    assert PERMISSIONS["act"] == {"receptionist", "handler", "supervisor", "leader"}
    assert "admin" not in PERMISSIONS["act"] and "auditor" not in PERMISSIONS["act"]


@pytest.fixture(scope="module")
def world(module_engine: Engine) -> dict[str, Any]:
    """One office for the module: its tests only read it, or refuse every change they try, but
    the last (``test_every_route_for_every_role``), which runs after them."""
    engine, rt = module_engine, make_runtime()
    make_web_office(engine)
    app = make_app(engine, rt)
    c = client(app)
    case = api_intake(app, c, "A001")
    # A second, overdue case of A001's with a 督办单 on it, for the routes that name an
    # escalation or a notice (the first case keeps version 1 for the action tests).
    api_intake(app, c, "A001", received_at="2026-11-09T09:00:00+08:00")
    sweep(engine, rt, now=NOW)
    with engine.begin() as conn:
        escalation_id = (
            conn.execute(
                select(tables.escalation_t.c.id).where(tables.escalation_t.c.status == "open")
            )
            .scalars()
            .first()
        )
        notice = notices.issue_notice(
            conn,
            rt,
            escalation_id=escalation_id,
            actor_staff_no="G001",
            reply_by="2026-11-30",
            text="请报告",
            now=NOW,
        )
    IDS.update(escalation_id=str(escalation_id), notice_id=str(notice["id"]))
    return {
        "app": app,
        "engine": engine,
        "case_no": case["case_no"],
        "scope": scope_cases(app, c, engine, rt),
    }


#: The read scope's cases (domain.md, "read a case"): one per kind of owner, each with what only a
#: full reader may see — the content, the petitioner, a tracking note, a notice and a photo.
SCOPE_CASES = {
    "A001": ("钱多多", "13900139001", "甲事由的内容", "甲的跟踪记录"),
    "G001": ("孙小小", "13900139002", "乙事由的内容", "乙的跟踪记录"),
}


def scope_cases(app: Any, c: TestClient, engine: Engine, rt: Runtime) -> dict[str, dict[str, Any]]:
    """A case owned by a receptionist and one owned by a supervisor, each accepted (a notice),
    noted and with a photo attached; their numbers and the ids a reader opens."""
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 200)).save(picture, "PNG")
    out = {}
    for owner, (name, phone, content, note) in SCOPE_CASES.items():
        body = {"name": name, "phone": phone, "address": "玄武区某路"}
        case = api_intake(app, c, owner, petitioner=body, subject=f"事由{owner}", content=content)
        no = case["case_no"]
        api_act(app, c, no, "accept", owner)
        api_act(app, c, no, "note", owner, text=note)
        with engine.begin() as conn:
            attachments.attach(
                conn, rt, case_no=no, files=[("p.png", picture.getvalue())], actor_staff_no=owner,
                now=NOW,
            )  # fmt: skip
            trail = paper_trail(conn, no)
            pid = conn.execute(
                select(tables.case_t.c.petitioner_id).where(tables.case_t.c.case_no == no)
            ).scalar_one()
        out[owner] = {
            "case_no": no,
            "notice_id": trail["notices"][0]["id"],
            "attachment_id": trail["attachments"][0]["id"],
            "petitioner_id": pid,
        }
    IDS["attachment_id"] = str(out["A001"]["attachment_id"])
    return out


#: Ids the world made (the others name nothing: 404 for those allowed, 403 for the rest).
IDS = {
    "escalation_id": "1",
    "notice_id": "1",
    "request_id": "1",
    "delivery_id": "1",
    "message_id": "1",
    "petitioner_id": "1",
    "dispute_id": "1",
    "session_id": "999999",
    "name": "无此党小组",
}


def fill(path: str, case_no: str) -> str:
    path = path.replace("{case_no}", case_no).replace("{action}", "note")
    for name, value in IDS.items():
        path = path.replace("{" + name + "}", value)
    return path.replace("{staff_no}", "A001")


def request(c: TestClient, method: str, url: str, headers: dict[str, str], csrf: str) -> Any:
    if method == "GET":
        return c.get(url, headers=headers)
    if method == "DELETE":
        return c.delete(url, headers=headers)
    if method == "PATCH":
        return c.patch(url, json={}, headers=headers)
    if url.startswith("/api/"):
        return c.post(url, json={}, headers=headers)
    return c.post(url, data={"csrf_token": csrf}, headers=headers)


def test_anonymous_gets_nothing_but_public_routes(world: dict[str, Any]) -> None:
    c = client(world["app"])
    for method, path, _ in PROTECTED:
        url = fill(path, world["case_no"])
        r = request(c, method, url, {}, "")
        if path.startswith("/api/"):
            assert r.status_code == 401, (method, path)
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.headers["www-authenticate"] == "Bearer"
        else:
            assert r.status_code == 303, (method, path, r.status_code)
            assert r.headers["location"].startswith("/login?next="), (method, path)


#: Routes a receptionist may use on their own cases only (首接负责制), like the case's actions.
OWN_CASE_ROUTES = {
    "/cases/{case_no}/receipt",
    "/cases/{case_no}/notices/{notice_id}",
    "/cases/{case_no}/attachments/{attachment_id}",
    "/cases/{case_no}/attachments/{attachment_id}/preview",
    "/cases/{case_no}/closure-report",
    "/api/v1/cases/{case_no}/closure-report.pdf",
    "/cases/{case_no}/progress",
    "/api/v1/cases/{case_no}/progress.pdf",
    # 联合会办's content, as the case's (a receptionist reads only their own cases in full).
    "/cases/{case_no}/joint",
    "/api/v1/cases/{case_no}/joint",
}


def expected_allowed(
    permission: str, staff_no: str, path: str = "", state: str = "registered"
) -> bool:
    role = ROLES_BY_STAFF[staff_no]
    actor = Actor(staff_no=staff_no, role=role)
    if permission == "act":
        # The route under test takes "note" on A001's case: the lifecycle's rule decides.
        return lifecycle.role_permits("note", "A001", actor)
    if path in OWN_CASE_ROUTES:
        # The case's documents: for whoever reads A001's case, in its state, in full.
        return permits(permission, role) and read_scope.reads_in_full(actor, "A001", state)
    return permits(permission, role)


def case_version(engine: Engine, case_no: str) -> tuple[int, str]:
    with engine.begin() as conn:
        row = conn.execute(
            select(tables.case_t.c.version, tables.case_t.c.state).where(
                tables.case_t.c.case_no == case_no
            )
        ).one()
    return row.version, row.state


def test_no_action_succeeds_for_a_role_that_may_not_take_it(world: dict[str, Any]) -> None:
    app, engine, no = world["app"], world["engine"], world["case_no"]
    c = client(app)
    before = case_version(engine, no)
    refused = 0
    for action in lifecycle.ACTIONS:
        for staff_no in USERS:
            actor = Actor(staff_no=staff_no, role=ROLES_BY_STAFF[staff_no])
            url = f"/api/v1/cases/{no}/actions/{action}"
            if lifecycle.role_permits(action, "A001", actor):
                # A stale version: the permission layers let them through and nothing changes.
                r = c.post(url, json={}, headers={**bearer(app, staff_no), "If-Match": "999"})
                assert r.status_code == 412, (action, staff_no, r.text)
            else:
                r = c.post(url, json={}, headers=bearer(app, staff_no))
                assert r.status_code == 403, (action, staff_no, r.text)
                assert r.json()["code"] == "permission.denied"
                refused += 1
    assert case_version(engine, no) == before
    assert refused > 60


def test_page_actions_refuse_the_same_roles(world: dict[str, Any]) -> None:
    app, engine, no = world["app"], world["engine"], world["case_no"]
    before = case_version(engine, no)
    for staff_no, action in [
        ("A002", "accept"),  # another receptionist's case
        ("H001", "accept"),  # handlers reply, they do not accept
        ("A001", "reject"),  # 不予受理 needs a supervisor
        ("AU01", "note"),
        ("AD01", "withdraw"),
        ("X001", "transfer"),
    ]:
        c = client(app)
        csrf = sign_in(c, staff_no)
        r = c.post(f"/cases/{no}/actions/{action}", data={"csrf_token": csrf, "version": "1"})
        assert r.status_code == 403, (staff_no, action)
        assert "无权" in r.text or "只能办理本人首接" in r.text
    assert case_version(engine, no) == before


def test_allowed_actions_match_what_succeeds(world: dict[str, Any]) -> None:
    app, no = world["app"], world["case_no"]
    c = client(app)
    for staff_no in USERS:
        r = c.get(f"/api/v1/cases/{no}", headers=bearer(app, staff_no))
        if not permits("read_cases", ROLES_BY_STAFF[staff_no]):
            assert r.status_code == 403
            continue
        allowed = set(r.json()["allowed_actions"])
        actor = Actor(staff_no=staff_no, role=ROLES_BY_STAFF[staff_no])
        for action in allowed:
            assert lifecycle.role_permits(action, "A001", actor), (staff_no, action)


def test_every_page_post_checks_csrf(world: dict[str, Any]) -> None:
    app = world["app"]
    posts = [r for r in ROUTES if r[0] == "POST" and not r[1].startswith("/api/")]
    assert len(posts) == 36  # the on-site intake, the search and the five of 联合会办 among them
    for _, path, permission in posts:
        # Someone who may use the route, so only the missing token can refuse it.
        staff_no = next(
            (s for s in USERS if permission == "public" or expected_allowed(permission, s)), None
        )
        c = client(app)
        if permission != "public":
            sign_in(c, staff_no)
        r = c.post(fill(path, world["case_no"]), data={"csrf_token": "not-the-token"})
        assert r.status_code == 403 and "页面已过期" in r.text, (path, r.status_code)


def test_read_scope_route_by_role_by_owner(world: dict[str, Any]) -> None:
    """Every read path × every role × whose case: a receptionist reads another's case only as its
    summary (no content, petitioner, note, notice, material, receipt or report), the rest in full."""
    app = world["app"]
    for staff_no in USERS:
        role = ROLES_BY_STAFF[staff_no]
        c = client(app)
        csrf = sign_in(c, staff_no)
        api = bearer(app, staff_no)
        for owner, (name, phone, content, note) in SCOPE_CASES.items():
            case = world["scope"][owner]
            no, where = case["case_no"], (staff_no, owner)
            if not permits("read_cases", role):
                assert c.get(f"/api/v1/cases/{no}", headers=api).status_code == 403, where
                assert c.get(f"/cases/{no}").status_code == 403, where
                continue
            full = read_scope.reads_in_full(Actor(staff_no=staff_no, role=role), owner, "accepted")
            secrets = (name, content, note, "139****9001", "139****9002")
            # The case JSON, its steps, and the search by phone (in the body).
            got = c.get(f"/api/v1/cases/{no}", headers=api).json()
            assert got["scope"] == ("full" if full else "summary"), where
            assert (got["content"] == content) is full, where
            assert got["subject"] == f"事由{owner}" and got["owner"]["staff_no"] == owner, where
            events = c.get(f"/api/v1/cases/{no}/events", headers=api)
            assert (note in events.text) is full, where
            found = c.post("/api/v1/cases/search", json={"q": phone}, headers=api).json()
            assert [x["case_no"] for x in found] == [no], where
            assert (found[0]["petitioner"]["name"] == name) is full, where
            # The pages: the case, the search, the receipt, a notice, a photo, the progress print.
            page = c.get(f"/cases/{no}").text
            assert no in page and f"事由{owner}" in page, where
            for secret in secrets[:3]:
                assert (secret in page) is full, (where, secret)
            listed = c.post("/cases/search", data={"q": phone, "csrf_token": csrf}).text
            assert no in listed and (name in listed) is full, where
            for url in (
                f"/cases/{no}/receipt",
                f"/cases/{no}/notices/{case['notice_id']}",
                f"/cases/{no}/attachments/{case['attachment_id']}",
                f"/cases/{no}/progress",
            ):
                r = c.get(url)
                assert r.status_code == (200 if full else 403), (where, url, r.status_code)
                assert full or not any(x in r.text for x in secrets), (where, url)
            # The petitioner's history: a receptionist opens only the people of their own cases.
            history = c.get(f"/petitioners/{case['petitioner_id']}")
            assert history.status_code == (200 if full else 404), where
            to_history = c.get(f"/cases/{no}/petitioner")
            assert to_history.status_code == (303 if full else 404), where
        # Lists: another's case is there, as its summary.
        listed = c.get("/api/v1/cases", headers=api)
        if permits("read_cases", role):
            for owner, (name, *_rest) in SCOPE_CASES.items():
                row = next(
                    x for x in listed.json() if x["case_no"] == world["scope"][owner]["case_no"]
                )
                mine = read_scope.reads_in_full(
                    Actor(staff_no=staff_no, role=role), owner, "accepted"
                )
                assert (row["petitioner"]["name"] == name) is mine, (staff_no, owner)
        assert csrf_of(c.get("/track").text)


def test_every_route_for_every_role(world: dict[str, Any]) -> None:
    app = world["app"]
    for staff_no in USERS:
        c = client(app)
        csrf = sign_in(c, staff_no)
        headers = bearer(app, staff_no)
        for method, path, permission in PROTECTED:
            if path == "/api/v1/auth/logout":
                # Signing out ends the token: the routes after it get a fresh one.
                headers = bearer(app, staff_no)
            url = fill(path, world["case_no"])
            r = request(c, method, url, headers if path.startswith("/api/") else {}, csrf)
            if path == "/api/v1/auth/logout":
                headers = bearer(app, staff_no)
            assert r.status_code < 500, (staff_no, method, path, r.text)
            state = case_version(world["engine"], world["case_no"])[1]
            if expected_allowed(permission, staff_no, path, state):
                assert r.status_code not in (401, 403), (staff_no, method, path, r.text)
            else:
                assert r.status_code == 403, (staff_no, method, path, r.status_code)
