"""The public staff wall: photos re-encoded to 3:4 and never broken, groups in their natural
order, each member's 群众评价 and page, and the owner's card on /track once the case is rated."""

import io
import re
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, update

from cases.organisation import roster, wall
from cases.store import tables
from tests.api.pages.helpers import text_of
from tests.web import NOW, api_act, api_intake, client, csrf_of, sign_in


def image(fmt: str, size: tuple[int, int] = (400, 400), **save: Any) -> bytes:
    """A real picture in ``fmt`` (``save``: e.g. its EXIF)."""
    mode = "RGBA" if fmt == "PNG" else "RGB"
    out = io.BytesIO()
    Image.new(mode, size, (200, 40, 40, 128) if mode == "RGBA" else (200, 40, 40)).save(
        out, format=fmt, **save
    )
    return out.getvalue()


def with_gps() -> bytes:
    """A phone's JPEG whose EXIF names its maker and where it was taken."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (32.0, 3.0, 0.0)}
    return image("JPEG", (600, 1000), exif=exif.tobytes())


def upload(c: TestClient, token: str, staff_no: str, data: bytes, name: str = "p.png") -> Any:
    """Post a photo (declared a PNG, whatever it is) and a pledge for ``staff_no``."""
    return c.post(
        f"/admin/staff/{staff_no}",
        data={"csrf_token": token, "pledge": "群众利益无小事"},
        files={"photo": (name, data, "image/png")},
    )


def picture(data: bytes) -> Image.Image:
    """The bytes served, opened."""
    return Image.open(io.BytesIO(data))


def test_staff_wall_is_public_in_the_organisations_order(app: Any, engine: Engine) -> None:
    with engine.begin() as conn:  # a third group, added last, whose name sorts before 第二
        roster.ensure_group(conn, branch="接访处党支部", group="第三党小组")
        roster.add_staff(
            conn, staff_no="A009", name="冯雪", role="receptionist", group="第三党小组", now=NOW
        )
    page = client(app).get("/staff")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "党员公示" in text and "张敏" in text and "A001" in text
    first, second, third = (text.index(g) for g in ("第一党小组", "第二党小组", "第三党小组"))
    assert first < second < third
    # Within a group the group leader (陈刚, G001) comes before the members by 工号.
    assert text.index("陈刚") < text.index("张敏") < text.index("李强")
    # Everyone has a photo (their generated portrait, none being uploaded), and an evaluation.
    assert page.text.count('class="photo"') == page.text.count("data-staff=")
    assert "群众评价" in text and "首接0件" in text and "评价不足5件" in text
    # The same order wherever groups are listed: the queue's filter, the admin's pages.
    order = ["第一党小组", "第二党小组", "第三党小组"]
    for staff_no, address, pattern in (
        ("G001", "/queue", r'<option value="(第.党小组)"'),
        ("AD01", "/admin/office", r'<td class="nowrap">(第.党小组)</td>'),
    ):
        c = client(app)
        sign_in(c, staff_no)
        assert re.findall(pattern, c.get(address).text) == order, address
    staff_page = text_of(c.get("/admin/staff").text)
    assert staff_page.index("张敏") < staff_page.index("赵芳") < staff_page.index("冯雪")


def test_a_member_without_a_photo_gets_a_portrait_never_a_404(app: Any) -> None:
    anon = client(app)
    for staff_no in ("A001", "AD01", "L001"):
        photo = anon.get(f"/staff/{staff_no}/photo")
        assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
        assert picture(photo.content).size == (360, 480)
    assert anon.get("/staff/NOBODY/photo").status_code == 404
    # Revalidated each time: unchanged, 304 without the bytes.
    etag = photo.headers["etag"]
    again = anon.get("/staff/L001/photo", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_admin_uploads_photos_cropped_re_encoded_and_checked(app: Any, c: TestClient) -> None:
    token = sign_in(c, "AD01")
    assert c.get("/admin/staff").status_code == 200
    assert upload(c, token, "A001", image("PNG")).status_code == 303
    assert "已更新 A001" in c.get("/admin/staff").text
    photo = client(app).get("/staff/A001/photo")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert picture(photo.content).size == (300, 400)  # 3:4 of a 400-px square, not scaled up
    # A phone's tall photo: cropped to 3:4, scaled to 360 × 480, its EXIF (GPS) gone.
    assert upload(c, token, "A002", with_gps(), "p.jpg").status_code == 303
    served = client(app).get("/staff/A002/photo").content
    assert picture(served).size == (360, 480) and b"PhoneMaker" not in served
    assert not picture(served).getexif()
    wall_page = client(app).get("/staff").text
    assert 'src="/staff/A001/photo"' in wall_page and "群众利益无小事" in wall_page
    # A GIF, a script named .png, a broken PNG: refused, whatever the name and declared type say.
    for bad, message in (
        (b"GIF89a" + b"\x00" * 20, "照片只能是 JPEG 或 PNG 格式"),
        (b"<script>alert(1)</script>", "照片只能是 JPEG 或 PNG 格式"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "照片无法读取"),
        (image("PNG", (60, 80)), "照片太小"),
        (image("PNG", (7000, 7000)), "照片像素过多"),  # 49 MP in a small file
    ):
        upload(c, token, "A003", bad)
        assert message in c.get("/admin/staff").text
    upload(c, token, "A003", image("PNG") + b"\x00" * (2 * 1024 * 1024))
    assert "照片不能超过2MB" in c.get("/admin/staff").text
    # Nothing stored: A003 still shows the generated portrait.
    assert client(app).get("/staff/A003/photo").headers["content-type"] == "image/png"
    r = upload(c, token, "A003", image("PNG") + b"\x00" * (3 * 1024 * 1024))
    assert r.status_code == 413


def test_only_admins_manage_staff(app: Any, c: TestClient) -> None:
    token = sign_in(c, "A001")
    assert c.get("/admin/staff").status_code == 403
    assert upload(c, token, "A001", image("PNG")).status_code == 403
    assert client(app).get("/staff/A001/photo").headers["content-type"] == "image/png"


def test_a_members_page_lists_counts_never_a_case(app: Any, c: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        wall.set_staff_pledge(conn, staff_no="A001", pledge="件件有回音，事事有着落")
    case = api_intake(app, c)
    api_act(app, c, case["case_no"], "accept", "A001")
    api_act(app, c, case["case_no"], "reply", "H001", outcome="support", opinion="予以支持")
    api_act(app, c, case["case_no"], "record_evaluation", "A001", rating="satisfied")
    page = client(app).get("/staff/A001")
    assert page.status_code == 200
    words = " ".join(text_of(page.text).split())
    assert "张敏" in words and "件件有回音，事事有着落" in words and "第一党小组" in words
    assert "首接事项 1件" in words and "答复（办结） 1件" in words and "信访人评价 1件" in words
    assert "评价不足5件" in words
    assert case["case_no"] not in page.text and "王建国" not in page.text
    assert "拆迁" not in page.text
    assert client(app).get("/staff/NOBODY").status_code == 404
    with engine.begin() as conn:
        conn.execute(
            update(tables.staff_t)
            .where(tables.staff_t.c.staff_no == "X001")
            .values(party_member=False)
        )
    assert client(app).get("/staff/X001").status_code == 404  # not a party member: not on it


def test_track_shows_the_owners_card_once_rated(app: Any, c: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        wall.set_staff_pledge(conn, staff_no="A001", pledge="件件有回音，事事有着落")
    case = api_intake(app, c)
    no = case["case_no"]
    api_act(app, c, no, "accept", "A001")
    api_act(app, c, no, "reply", "H001", outcome="support", opinion="予以支持")
    anon = client(app)
    token = csrf_of(anon.get("/track").text)
    anon.post("/track", data={"case_no": no, "code": case["query_code"], "csrf_token": token})
    page = anon.get(f"/track/{no}").text
    assert 'src="/staff/A001/photo"' not in page and "件件有回音" not in page
    anon.post(f"/track/{no}/rating", data={"csrf_token": csrf_of(page), "rating": "satisfied"})
    page = anon.get(f"/track/{no}").text
    assert 'src="/staff/A001/photo"' in page and 'href="/staff/A001"' in page
    words = " ".join(text_of(page).split())
    assert "张敏" in words and "工号 A001" in words and "件件有回音，事事有着落" in words


def test_the_evaluations_are_counted_once_per_data_version(app: Any, c: TestClient) -> None:
    anon = client(app)
    cache = app.state.ctx.wall
    anon.get("/staff")
    anon.get("/staff")
    anon.get("/staff/A001")
    assert cache.renders == 1
    api_intake(app, c)  # a write: the next look counts again, and sees it
    assert cache.renders == 1
    assert "首接1件" in text_of(anon.get("/staff").text)
    assert cache.renders == 2
