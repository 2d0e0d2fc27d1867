"""The public staff wall, and photos checked by their bytes on the admins' page."""

import io
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from tests.api.pages.helpers import text_of
from tests.web import client, sign_in


def picture(kind: str) -> bytes:
    """A small real picture of ``kind`` (PNG or JPEG)."""
    out = io.BytesIO()
    Image.new("RGB", (12, 16), "navy").save(out, format=kind)
    return out.getvalue()


PNG = picture("PNG")
JPEG = picture("JPEG")


def upload(c: TestClient, token: str, staff_no: str, data: bytes, name: str = "p.png") -> Any:
    """Post a photo (declared a PNG, whatever it is) and a pledge for ``staff_no``."""
    return c.post(
        f"/admin/staff/{staff_no}",
        data={"csrf_token": token, "pledge": "群众利益无小事"},
        files={"photo": (name, data, "image/png")},
    )


def test_staff_wall_is_public(app: Any) -> None:
    page = client(app).get("/staff")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "党员公示" in text and "张敏" in text and "A001" in text and "第一党小组" in text


def test_admin_uploads_photos_checked_by_their_bytes(app: Any, c: TestClient) -> None:
    token = sign_in(c, "AD01")
    assert c.get("/admin/staff").status_code == 200
    r = upload(c, token, "A001", PNG)
    assert r.status_code == 303
    assert "已更新 A001" in c.get("/admin/staff").text
    photo = client(app).get("/staff/A001/photo")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    # Re-encoded by Pillow: the same picture, never the bytes that were sent.
    with Image.open(io.BytesIO(photo.content)) as served:
        assert served.format == "PNG" and served.size == (12, 16)
    assert upload(c, token, "A002", JPEG, "p.jpg").status_code == 303
    assert client(app).get("/staff/A002/photo").headers["content-type"] == "image/jpeg"
    wall = client(app).get("/staff").text
    assert 'src="/staff/A001/photo"' in wall and "群众利益无小事" in wall
    # A GIF or a script named .png is refused, whatever the name and declared type say.
    for bad in (b"GIF89a" + b"\x00" * 20, b"<script>alert(1)</script>"):
        upload(c, token, "A003", bad)
        assert "照片只能是 JPEG 或 PNG 格式" in c.get("/admin/staff").text
    # PNG's first bytes and a script after them: not a picture Pillow can read.
    upload(c, token, "A003", b"\x89PNG\r\n\x1a\n<script>alert(1)</script>")
    assert "照片无法读取" in c.get("/admin/staff").text
    upload(c, token, "A003", PNG + b"\x00" * (2 * 1024 * 1024))
    assert "照片不能超过2MB" in c.get("/admin/staff").text
    assert client(app).get("/staff/A003/photo").status_code == 404
    r = upload(c, token, "A003", PNG + b"\x00" * (3 * 1024 * 1024))
    assert r.status_code == 413


def test_only_admins_manage_staff(app: Any, c: TestClient) -> None:
    token = sign_in(c, "A001")
    assert c.get("/admin/staff").status_code == 403
    assert upload(c, token, "A001", PNG).status_code == 403
    assert client(app).get("/staff/A001/photo").status_code == 404
