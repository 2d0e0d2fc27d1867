"""Office administration through the API and the pages: the party organisation, members and
posts, vacancies; the account pages: a reset forces a new password, deactivation ends a session."""

from typing import Any

from fastapi.testclient import TestClient

from tests.api.helpers import assert_problem
from tests.web import PASSWORD, bearer, client, csrf_of, sign_in

NEW = "stone-lantern-river-42"


def test_admin_sets_up_groups_and_posts_through_the_api(app: Any, c: TestClient) -> None:
    admin = bearer(app, "AD01")
    assert_problem(c.get("/api/v1/office/organisation", headers=bearer(app, "A001")), 403)
    before = c.get("/api/v1/office/organisation", headers=admin).json()
    branch = before["branches"][0]["name"]
    r = c.post(
        "/api/v1/office/groups", json={"name": "新建党小组", "branch": branch}, headers=admin
    )
    assert r.status_code == 201
    assert "新建党小组组长" in r.json()["vacancies"]
    r = c.post("/api/v1/staff/A002/group", json={"group": "新建党小组"}, headers=admin)
    r = c.post("/api/v1/staff/A002/post", json={"post": "group_leader"}, headers=admin)
    assert r.status_code == 200 and "新建党小组组长" not in r.json()["vacancies"]
    assert_problem(c.delete("/api/v1/office/groups/新建党小组", headers=admin), 409)
    r = c.post("/api/v1/staff/A002/post", json={"post": "chairman"}, headers=admin)
    assert_problem(r, 422)
    events = c.get("/api/v1/admin/events", headers=admin).json()
    assert [e["action"] for e in events[:3]] == ["staff.post", "staff.moved", "org.group_added"]


def test_the_organisation_page_changes_a_post(app: Any, c: TestClient) -> None:
    token = sign_in(c, "AD01")
    page = c.get("/admin/office")
    assert page.status_code == 200 and "党组织与职务" in page.text
    r = c.post(
        "/admin/office",
        data={"csrf_token": token, "do": "post", "staff_no": "A001", "post": "office_leader"},
    )
    assert r.status_code == 303
    assert "处领导：A001" in c.get("/admin/office").text


def test_a_reset_password_must_be_changed_on_the_pages(app: Any, c: TestClient) -> None:
    admin = bearer(app, "AD01")
    temporary = c.post("/api/v1/staff/A002/password-reset", headers=admin).json()[
        "temporary_password"
    ]
    person = client(app)
    token = csrf_of(person.get("/login").text)
    r = person.post("/login", data={"staff_no": "A002", "password": temporary, "csrf_token": token})
    assert r.headers["location"] == "/account/password"
    # Every other page leads back to the password form until it is changed.
    assert person.get("/").headers["location"] == "/account/password"
    token = csrf_of(person.get("/account/password").text)
    r = person.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": temporary,
            "new_password": NEW,
            "new_password2": NEW,
        },
    )
    assert r.status_code == 303 and person.get("/").status_code == 200


def test_deactivating_on_the_admin_page_ends_the_session_at_once(app: Any, c: TestClient) -> None:
    person = client(app)
    sign_in(person, "A002")
    assert person.get("/").status_code == 200
    token = sign_in(c, "AD01")
    page = c.get("/admin/staff")
    assert "重置密码" in page.text and "管理事件" in page.text
    r = c.post("/admin/staff/A002/deactivate", data={"csrf_token": token})
    assert r.status_code == 303
    assert person.get("/").status_code == 303
    r = c.post("/admin/staff/A002/reset", data={"csrf_token": token})
    assert r.status_code == 200 and 'id="temporary-password"' in r.text
    assert PASSWORD not in r.text
