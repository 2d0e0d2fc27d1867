"""The paper trail on the pages: materials attached at intake and on the case page (plain
multipart forms), notices printed from the case page and downloaded by the petitioner on /track,
and neither shown to staff of the unit an accusation accuses."""

import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine

from cases.runtime import Runtime
from tests.api.pages.helpers import intake_form
from tests.web import api_act, api_intake, client, csrf_of, make_app, make_web_office, sign_in


def png(color: tuple[int, int, int] = (0, 90, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def app(engine: Engine, rt: Runtime) -> Any:
    make_web_office(engine)
    return make_app(engine, rt)


@pytest.fixture
def c(app: Any) -> TestClient:
    return client(app)


def _case_no(location: str) -> str:
    m = re.search(r"/cases/(\d{4}-\d{6})", location)
    assert m, location
    return m.group(1)


def test_a_scan_attached_at_intake_is_on_the_registered_case(c: TestClient) -> None:
    token = sign_in(c, "A001")
    r = c.post(
        "/cases/new/check",
        data={**intake_form(), "csrf_token": token},
        files=[("files", ("来信扫描.png", png(), "application/octet-stream"))],
    )
    # The check page (the matter belongs below this office) carries the staged scan along.
    assert r.status_code == 200 and "来信扫描.png" not in r.text
    staged = re.search(r'name="attachment_token" value="([^"]+)"', r.text)
    assert staged
    r = c.post(
        "/cases/new/register",
        data={**intake_form(), "csrf_token": token, "attachment_token": staged.group(1)},
    )
    assert r.status_code == 303, r.text
    case_no = _case_no(r.headers["location"])
    page = c.get(f"/cases/{case_no}").text
    assert "来信扫描.png" in page and "PNG 图片" in page
    link = re.search(rf"/cases/{case_no}/attachments/(\d+)", page)
    assert link
    got = c.get(link.group(0))
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(got.content)).size == (64, 48)
    assert c.get(link.group(0) + "/preview").headers["content-type"] == "image/png"


def test_a_refused_file_shows_the_form_again_with_the_reason(c: TestClient) -> None:
    token = sign_in(c, "A001")
    r = c.post(
        "/cases/new/check",
        data={**intake_form(), "csrf_token": token},
        files=[("files", ("申请书.pdf", b"not really a pdf", "application/pdf"))],
    )
    assert r.status_code == 422
    assert "不是图片或 PDF" in r.text and "王建国" in r.text  # what was typed is kept


def test_upload_on_the_case_page_and_print_its_notice(app: Any, c: TestClient) -> None:
    case_no = api_intake(app, c)["case_no"]
    api_act(app, c, case_no, "accept", "A001")
    token = sign_in(c, "A001")
    r = c.post(
        f"/cases/{case_no}/attachments",
        data={"csrf_token": token},
        files=[("files", ("照片.png", png((9, 9, 9)), "image/png"))],
    )
    assert r.status_code == 303
    page = c.get(f"/cases/{case_no}").text
    assert "照片.png" in page
    assert "受理告知书" in page and "信访告字〔2026〕1号" in page
    notice = re.search(rf"/cases/{case_no}/notices/(\d+)", page)
    assert notice
    printed = c.get(notice.group(0))
    assert "信访告字〔2026〕1号" in printed.text and "王建国" in printed.text
    as_pdf = c.get(notice.group(0), params={"format": "pdf"})
    assert as_pdf.headers["content-type"] == "application/pdf"
    assert as_pdf.content.startswith(b"%PDF")


def test_the_petitioner_downloads_the_notice_with_the_query_code(app: Any, c: TestClient) -> None:
    case = api_intake(app, c)
    api_act(app, c, case["case_no"], "accept", "A001")
    petitioner = client(app)
    # Without the 查询码 the download sends back to the tracking form.
    blocked = petitioner.get(f"/track/{case['case_no']}/notices/1.pdf")
    assert blocked.status_code == 303 and blocked.headers["location"] == "/track"
    form = csrf_of(petitioner.get("/track").text)
    r = petitioner.post(
        "/track",
        data={"case_no": case["case_no"], "code": case["query_code"], "csrf_token": form},
    )
    assert r.status_code == 303
    page = petitioner.get(f"/track/{case['case_no']}").text
    link = re.search(rf"/track/{case['case_no']}/notices/(\d+)\.pdf", page)
    assert link and "受理告知书" in page
    pdf = petitioner.get(link.group(0))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Another case's notice is not reached through this case's 查询码.
    other = api_intake(app, c)
    api_act(app, c, other["case_no"], "accept", "A001")
    assert petitioner.get(f"/track/{other['case_no']}/notices/2.pdf").status_code == 303
    assert petitioner.get(f"/track/{case['case_no']}/notices/2.pdf").status_code == 404


def test_the_accused_unit_sees_neither_materials_nor_notices(app: Any, c: TestClient) -> None:
    case_no = api_intake(
        app,
        c,
        category="accusation",
        subject="举报违规审批",
        accused={"name": "李某", "unit": "某区住建局"},
    )["case_no"]
    api_act(app, c, case_no, "accept", "A001")
    token = sign_in(c, "A001")
    c.post(
        f"/cases/{case_no}/attachments",
        data={"csrf_token": token},
        files=[("files", ("证据.png", png(), "image/png"))],
    )
    page = c.get(f"/cases/{case_no}").text
    attachment = re.search(rf"/cases/{case_no}/attachments/\d+", page)
    notice = re.search(rf"/cases/{case_no}/notices/\d+", page)
    assert attachment and notice
    theirs = client(app)
    sign_in(theirs, "X001")
    page = theirs.get(f"/cases/{case_no}").text
    assert "证据.png" not in page and "受理告知书" not in page
    assert theirs.get(attachment.group(0)).status_code == 403
    assert theirs.get(notice.group(0)).status_code == 403
