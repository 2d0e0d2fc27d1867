"""条例第三十条第三款 where it bites: an accusation is never sent to the unit it accuses, and the
staff of that unit see neither the accuser nor the subject or content, on any surface.

X001 (马涛) works for 某区住建局, the unit the accusation below is about; A001 registered it.
"""

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cases.casework import reading
from cases.repeat import jurisdiction
from tests.api.pages.helpers import intake_form
from tests.web import api_act, api_intake, bearer, client, sign_in

SUBJECT = "举报违规审批拆迁许可"
CONTENT = "举报人王建国反映某区住建局违规发放拆迁许可证"
REQUESTS = "请求依法查处违规审批人员"
OPINION = "经查属实，已移送纪检监察机关"
#: What the accused unit must never read of the matter: its subject, contents and opinion …
MATTER = (SUBJECT, CONTENT, REQUESTS, OPINION)
#: … nor who brought it (lists also show the same person's other, open matter).
SECRETS = (*MATTER, "王建国", "1101**********002X", "138****8000")


def _accusation(app: Any, c: TestClient) -> str:
    return api_intake(
        app,
        c,
        category="accusation",
        subject=SUBJECT,
        content=CONTENT,
        requests=REQUESTS,
        accused={"name": "李某", "unit": "某区住建局"},
    )["case_no"]


def _refused(r: Any, code: str) -> dict[str, Any]:
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["code"] == code and "第三十条第三款" in problem["detail"]
    return problem


def test_never_transferred_or_assigned_to_the_accused_unit(app: Any, c: TestClient) -> None:
    no = _accusation(app, c)
    owner = bearer(app, "A001")
    url = f"/api/v1/cases/{no}/actions"
    problem = _refused(
        c.post(f"{url}/transfer", json={"organ": "某区住建局"}, headers=owner),
        "transfer.accused_unit",
    )
    # Refused like any action not allowed now: with what A001 may do instead.
    assert problem["allowed_actions"] == ["accept", "transfer", "assign", "withdraw", "note"]
    # The same unit however it is written, and any part of it.
    for organ in ("某区 住建局", "某区住建局（规划科）", "某区住建局规划科"):
        _refused(
            c.post(
                f"{url}/assign",
                json={"organ": organ, "report_by": "2026-12-20"},
                headers=owner,
            ),
            "assign.accused_unit",
        )
    assert c.get(f"/api/v1/cases/{no}", headers=owner).json()["version"] == 1  # nothing stored
    # The page's form says why, in Chinese, and stores nothing either.
    token = sign_in(c, "A001")
    r = c.post(
        f"/cases/{no}/actions/transfer",
        data={"csrf_token": token, "version": "1", "organ": "某区住建局"},
    )
    assert r.status_code == 303
    assert "不得转送给被检举控告的单位" in c.get(f"/cases/{no}").text
    # The organ above the accused unit may handle it (第二十二条).
    case = api_act(app, c, no, "transfer", "A001", organ="某区人民政府")
    assert case["state"] == "transferred"


def _x001_sees_nothing(
    c: TestClient, url: str, secrets: tuple[str, ...] = SECRETS, **params: Any
) -> str:
    r = c.get(url, params=params)
    assert r.status_code == 200, (url, r.status_code)
    for secret in secrets:
        assert secret not in r.text, (url, secret)
    return r.text


def test_the_accused_units_staff_see_no_subject_on_any_surface(app: Any, c: TestClient) -> None:
    no = _accusation(app, c)
    # The same petitioner's other matter, which anyone may see: the history page exists.
    other = api_intake(app, c, subject="小区噪声扰民")["case_no"]
    api_act(app, c, other, "accept", "A001")  # taken up: a handler reads it in full
    api_act(app, c, no, "accept", "A001")
    api_act(app, c, no, "note", "A001", text="已联系王建国核实情况")
    x001, a001 = bearer(app, "X001"), bearer(app, "A001")

    # The JSON API: the case, the list, the steps.
    mine = c.get(f"/api/v1/cases/{no}", headers=a001).json()
    assert mine["subject"] == SUBJECT and mine["content"] == CONTENT  # the owner sees it all
    theirs = c.get(f"/api/v1/cases/{no}", headers=x001).json()
    assert theirs["subject"] == "（保密）" and theirs["petitioner"]["name"] == "（保密）"
    assert (theirs["content"], theirs["requests"], theirs["details"]) == (None, None, {})
    listed = c.get("/api/v1/cases", headers=x001)
    row = next(r for r in listed.json() if r["case_no"] == no)
    assert row["subject"] == "（保密）"
    events = c.get(f"/api/v1/cases/{no}/events", headers=x001)
    assert [e["action"] for e in events.json()] == ["intake", "accept", "note"]
    assert all(e["payload"] == {} for e in events.json())
    for r in (listed, events):
        assert SUBJECT not in r.text and CONTENT not in r.text

    # The pages: the case, the lists, the search, the desk, the progress print.
    sign_in(c, "X001")
    page = _x001_sees_nothing(c, f"/cases/{no}")
    assert "（保密）" in page
    assert no in _x001_sees_nothing(c, "/cases", MATTER)
    assert no in _x001_sees_nothing(c, "/cases", q=no)
    assert no not in c.get("/cases", params={"q": "王建国"}).text  # never found by the accuser
    desk = c.get("/").text
    assert no in desk and SUBJECT not in desk  # a handler's desk: cases waiting for a reply
    assert "（保密）" in _x001_sees_nothing(c, f"/cases/{no}/progress")
    assert c.get(f"/cases/{no}/receipt").status_code == 200
    _x001_sees_nothing(c, f"/cases/{no}/receipt")

    # The petitioner's history: the other matter, never the accusation.
    assert c.get(f"/cases/{no}/petitioner").status_code == 404
    history = c.get(f"/cases/{other}/petitioner")
    assert history.status_code == 303
    person = c.get(history.headers["location"]).text
    assert other in person and no not in person and SUBJECT not in person

    # Replied and closed with the petitioner's waiver: the closure report hides it all, the waiver too.
    api_act(app, c, no, "reply", "G001", outcome="support", opinion=OPINION)
    api_act(app, c, no, "close", "A001", waiver={"date": "2026-11-26", "how": "当面"})
    report = _x001_sees_nothing(c, f"/cases/{no}/closure-report")
    assert "（保密）" in report and "表示不申请复查" not in report
    _x001_sees_nothing(c, f"/cases/{no}")
    closed = c.get(f"/api/v1/cases/{no}/events", headers=x001).json()
    assert closed[-1]["action"] == "close" and closed[-1]["payload"] == {}

    # The owner's closure report says it all, the waiver with it.
    owner = client(app)
    sign_in(owner, "A001")
    owner_report = owner.get(f"/cases/{no}/closure-report").text
    assert SUBJECT in owner_report and OPINION in owner_report
    assert "信访人于2026-11-26以当面方式表示不申请复查" in owner_report
    assert re.search(r"提前办结</dt><dd>信访人于2026-11-26", owner.get(f"/cases/{no}").text)


def test_the_intake_pages_transfer_is_refused_for_the_accused_unit(
    app: Any, c: TestClient, engine: Engine
) -> None:
    """The office transfers 玄武区's matters to 玄武区住建局; an accusation against that bureau is
    not registered-and-transferred there: the check page says why, and nothing is stored."""
    with engine.begin() as conn:
        jurisdiction.configure_office(
            conn, level="province", region_code="320000", organs={"320102": "玄武区住建局"}
        )
    token = sign_in(c, "A001")
    form = {
        **intake_form(category="accusation", subject=SUBJECT, content=CONTENT),
        "accused.unit": "玄武区住建局",
        "csrf_token": token,
    }
    with engine.connect() as conn:
        before = reading.case_count(conn)
    r = c.post("/cases/new/register", data={**form, "transfer": "1"})
    assert r.status_code == 409
    assert "不得转送给被检举控告的单位" in r.text and "第三十条第三款" in r.text
    with engine.connect() as conn:
        assert reading.case_count(conn) == before
    # Registered without the transfer, it stays with the office.
    r = c.post("/cases/new/register", data=form)
    assert r.status_code == 303
