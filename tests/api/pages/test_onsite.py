"""On-site intake (下移接待) as a plain form, without JavaScript: one post registers the group with
its place, photos and the supervisor's alert; a mistake stores nothing and keeps what was typed; a
re-post of the same form makes no second case. On each backend."""

import io
import random
import re
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from cases.models import CaseAttachment, Outbox
from cases.store import tables
from tests.api.pages.helpers import text_of
from tests.web import sign_in

PAGE = "/cases/new/onsite"


def photo(color: str = "red") -> bytes:
    """A small JPEG, as a phone's camera would send one."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, format="JPEG")
    return out.getvalue()


def onsite_form(**overrides: str) -> dict[str, str]:
    """The on-site form as staff fill it in at the gate: 36 people, three representatives."""
    form = {
        "place": "南京市玄武区梅园新村街道办事处门口",
        "group_size": "36",
        "category": "appeal",
        "subject": "小区加装电梯补贴未兑现",
        "content": "三十余户居民反映加装电梯补贴申请两年未获答复。",
        "requests": "请求兑现补贴",
        "representatives.0.name": "陈国平",
        "representatives.0.phone": "13912345678",
        "representatives.1.name": "金永林",
        "representatives.1.phone": "13812345679",
        "representatives.2.name": "朱阿珍",
        "representatives.2.id_number": "11010519491231002X",
    }
    form.update(overrides)
    return form


def page_token(c: TestClient) -> tuple[str, str]:
    """The page's CSRF and one-time form tokens."""
    html = c.get(PAGE).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
    token = re.search(r'name="form_token" value="([^"]+)"', html)
    assert csrf and token
    return csrf.group(1), token.group(1)


def counts(app: Any) -> tuple[int, int, int]:
    """Cases, attachments on cases, and group-visit alerts in the outbox."""
    at, ot = CaseAttachment.__table__, Outbox.__table__
    with app.state.ctx.engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(tables.case_t)).scalar_one(),
            conn.execute(
                select(func.count()).select_from(at).where(at.c.case_id.is_not(None))
            ).scalar_one(),
            conn.execute(
                select(func.count()).select_from(ot).where(ot.c.topic == "group_visit")
            ).scalar_one(),
        )


def test_the_page_is_a_plain_form_with_the_camera(app: Any, c: TestClient) -> None:
    sign_in(c, "A001")
    r = c.get(PAGE)
    assert r.status_code == 200
    html = r.text
    assert 'method="post" action="/cases/new/onsite"' in html
    assert 'enctype="multipart/form-data"' in html
    assert html.count('accept="image/*" capture="environment"') == 3
    # The one script is first-party, allowed by this page's policy alone; no inline script.
    assert '<script src="/static/onsite.js" defer></script>' in html
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "script-src 'none'" in c.get("/cases/new").headers["content-security-policy"]
    assert "localStorage" in c.get("/static/onsite.js").text


def test_one_post_registers_the_group_with_place_photos_and_alert(app: Any, c: TestClient) -> None:
    csrf = sign_in(c, "A001")
    csrf, token = page_token(c)
    before = counts(app)
    files = [("files", ("IMG_0001.jpg", photo(), "image/jpeg"))] * 2
    r = c.post(PAGE, data={**onsite_form(), "csrf_token": csrf, "form_token": token}, files=files)
    assert r.status_code == 303, r.text
    receipt = r.headers["location"]
    assert re.fullmatch(r"/cases/\d{4}-\d{6}/receipt", receipt)
    assert counts(app) == (before[0] + 1, before[1] + 2, before[2] + 1)
    page = text_of(c.get(receipt).text)
    assert "下移接待：南京市玄武区梅园新村街道办事处门口" in page
    assert "36人" in page
    assert "南京市玄武区（320102）" in page  # the region read from the place
    case_page = text_of(c.get(receipt.removesuffix("/receipt")).text)
    assert "下移接待地点" in case_page and "梅园新村街道办事处门口" in case_page
    assert "陈国平" in case_page and "朱阿珍" in case_page
    # The supervisor (G001, 陈刚) has the alert in the inbox at once, naming the place.
    c.post("/logout", data={"csrf_token": csrf})
    sign_in(c, "G001")
    inbox = text_of(c.get("/inbox").text)
    assert "【集体访】" in inbox and "下移接待地点：南京市玄武区梅园新村街道办事处门口" in inbox


def test_a_repost_of_the_same_form_makes_no_second_case(app: Any, c: TestClient) -> None:
    sign_in(c, "A001")
    csrf, token = page_token(c)
    data = {**onsite_form(), "csrf_token": csrf, "form_token": token}
    first = c.post(PAGE, data=data)
    before = counts(app)
    again = c.post(PAGE, data=data)
    assert again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert counts(app) == before
    assert "该表单已经提交过，未重复登记" in text_of(c.get(again.headers["location"]).text)


def test_the_script_is_told_where_to_go_instead_of_a_redirect(app: Any, c: TestClient) -> None:
    sign_in(c, "A001")
    csrf, token = page_token(c)
    data = {**onsite_form(), "csrf_token": csrf, "form_token": token}
    r = c.post(PAGE, data=data, headers={"X-Shoujie-Draft": "1"})
    assert r.status_code == 200
    location = r.json()["location"]
    # The receipt, not yet opened, still shows the 查询码 once.
    assert "请妥善保管" in c.get(location).text
    again = c.post(PAGE, data=data, headers={"X-Shoujie-Draft": "1"})
    assert again.json() == {"location": location}


def test_six_representatives_are_refused_in_chinese_and_nothing_is_stored(
    app: Any, c: TestClient
) -> None:
    sign_in(c, "A001")
    csrf, token = page_token(c)
    extra = {}
    for i in range(3, 6):
        extra[f"representatives.{i}.name"] = f"代表{i + 1}"
        extra[f"representatives.{i}.phone"] = f"1391234567{i}"
    before = counts(app)
    r = c.post(
        PAGE,
        data={**onsite_form(**extra), "csrf_token": csrf, "form_token": token},
        files=[("files", ("IMG_0002.jpg", photo("blue"), "image/jpeg"))],
    )
    assert r.status_code == 422
    page = text_of(r.text)
    assert "代表人数不得超过5人（《信访工作条例》第二十条），当前为6人" in page
    assert counts(app) == before
    # What was typed comes back, the same one-time token with it (nothing was claimed).
    assert 'value="南京市玄武区梅园新村街道办事处门口"' in r.text
    assert f'name="form_token" value="{token}"' in r.text
    assert "更正后请重新选择照片" in page


def test_a_missing_place_and_a_single_person_are_refused_beside_their_fields(
    app: Any, c: TestClient
) -> None:
    sign_in(c, "A001")
    csrf, token = page_token(c)
    before = counts(app)
    r = c.post(
        PAGE,
        data={
            **onsite_form(place="", group_size="1"),
            "csrf_token": csrf,
            "form_token": token,
        },
    )
    assert r.status_code == 422
    page = text_of(r.text)
    assert "请填写下移接待的地点" in page
    assert "下移接待登记的是集体访：来访人数应为2人以上" in page
    assert 'id="f-place-err"' in r.text and 'id="f-group_size-err"' in r.text
    assert counts(app) == before


def test_a_place_naming_no_region_asks_for_the_code(app: Any, c: TestClient) -> None:
    sign_in(c, "A001")
    csrf, token = page_token(c)
    r = c.post(
        PAGE,
        data={**onsite_form(place="村委会门口"), "csrf_token": csrf, "form_token": token},
    )
    assert r.status_code == 422
    assert "未能从地点中识别行政区划" in text_of(r.text)
    ok = c.post(
        PAGE,
        data={
            **onsite_form(place="村委会门口", region_code="320115"),
            "csrf_token": csrf,
            "form_token": token,
        },
    )
    assert ok.status_code == 303
    assert "南京市江宁区（320115）" in text_of(c.get(ok.headers["location"]).text)


def test_a_handler_may_not_register_on_site(app: Any, c: TestClient) -> None:
    sign_in(c, "H001")
    assert c.get(PAGE).status_code == 403


def test_a_phone_sized_photo_passes_and_a_wrong_file_stores_nothing(
    app: Any, c: TestClient
) -> None:
    sign_in(c, "A001")
    csrf, token = page_token(c)
    before = counts(app)
    # Not a photo: refused beside the photos, and the case and its alert go with it (one transaction).
    r = c.post(
        PAGE,
        data={**onsite_form(), "csrf_token": csrf, "form_token": token},
        files=[("files", ("note.txt", "不是图片".encode(), "text/plain"))],
    )
    assert r.status_code == 422
    assert "不是图片或 PDF" in text_of(r.text)
    assert 'data-code="attachment.type_not_allowed"' in r.text
    assert counts(app) == before
    # A camera's photo is larger than the 1 MB other forms take.
    noise = Image.frombytes("RGB", (900, 700), random.Random(17).randbytes(900 * 700 * 3))
    big = io.BytesIO()
    noise.save(big, format="PNG")
    assert big.tell() > 1024 * 1024
    ok = c.post(
        PAGE,
        data={**onsite_form(), "csrf_token": csrf, "form_token": token},
        files=[("files", ("IMG_0003.png", big.getvalue(), "image/png"))],
    )
    assert ok.status_code == 303, ok.text[:300]
    assert counts(app) == (before[0] + 1, before[1] + 1, before[2] + 1)
