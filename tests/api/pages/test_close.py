"""The case page's 办结 form: inside the review window it records the petitioner's waiver (its
date and one of three ways), or says why it cannot close yet (条例第三十五条)."""

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.api.pages.helpers import text_of
from tests.web import api_act, api_intake, sign_in


def test_close_form_asks_for_the_waiver_and_records_it(app: Any, c: TestClient) -> None:
    no = api_intake(app, c)["case_no"]
    api_act(app, c, no, "accept", "A001")
    case = api_act(app, c, no, "reply", "H001", outcome="support", opinion="予以支持")
    token = sign_in(c, "A001")
    page = c.get(f"/cases/{no}").text
    form = page[page.index(f'action="/cases/{no}/actions/close"') :]
    form = form[: form.index("</form>")]
    assert 'name="waiver.date" type="date"' in form
    ways = re.findall(r'<option value="([^"]*)"', form[form.index('name="waiver.how"') :])
    assert ways == ["", "书面", "当面", "电话记录"]
    assert "请求期限届满前办结须填写" in text_of(form)

    # Left blank: refused beside the form, with the window's last day and the article.
    version = str(case["version"])
    r = c.post(
        f"/cases/{no}/actions/close",
        data={"csrf_token": token, "version": version, "waiver.date": "", "waiver.how": ""},
    )
    assert r.status_code == 422
    text = text_of(r.text)
    assert "复查请求期限至2026-12-28届满" in text and "第三十五条" in text
    # A date before the reply: refused, what was typed kept.
    r = c.post(
        f"/cases/{no}/actions/close",
        data={
            "csrf_token": token,
            "version": version,
            "waiver.date": "2026-11-25",
            "waiver.how": "当面",
        },
    )
    assert r.status_code == 422 and "不能早于答复日期（2026-11-26）" in text_of(r.text)
    assert 'value="2026-11-25"' in r.text and '<option value="当面" selected>' in r.text
    # Given: closed, and the page says how the petitioner waived.
    r = c.post(
        f"/cases/{no}/actions/close",
        data={
            "csrf_token": token,
            "version": version,
            "waiver.date": "2026-11-26",
            "waiver.how": "电话记录",
        },
    )
    assert r.status_code == 303
    page = text_of(c.get(f"/cases/{no}").text)
    assert "已办结" in page and "信访人于2026-11-26以电话记录方式表示不申请复查" in page
