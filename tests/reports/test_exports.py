"""The statistics as they leave the office: the CSV and Excel exports, the API, the page with its
charts, and who may read them."""

import csv
import io
import re
from typing import Any

import pytest

from cases.reports import exports
from tests.reports.month import CONTRACT_KEYS
from tests.web import bearer, sign_in


def test_csv_has_a_bom_and_chinese_headers(month: dict[str, Any]) -> None:
    raw = exports.stats_csv(month["stats"])
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["维度", "项目", "受理量", "上期受理量"]
    overall = rows[1]
    head = rows[0]
    assert overall[0] == "总体" and overall[head.index("受理量")] == "7"
    assert overall[head.index("按期受理率")] == "83.3%"
    assert overall[head.index("按期办结率")] == "0.0%"
    assert overall[head.index("应受理件")] == "6"
    previous = rows[2]
    assert previous[head.index("满意率")] == ""  # nothing counted: an empty cell
    assert any(r[0] == "首接责任人" and r[1] == "张敏（A001）" for r in rows)


def test_xlsx_has_chinese_headers_and_percentages(month: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(exports.stats_xlsx(month["stats"])))
    ws = wb["统计"]
    head = [c.value for c in ws[2]]
    assert head[:3] == ["维度", "项目", "受理量"]
    cell = ws.cell(row=3, column=head.index("按期受理率") + 1)
    assert cell.value == pytest.approx(5 / 6) and cell.number_format == "0.0%"
    assert ws.cell(row=4, column=head.index("满意率") + 1).value is None
    # Every rate cell is a number shown as a percentage, never a string or a long decimal.
    rates = [i for i, h in enumerate(head) if h and h.endswith("率")]
    for row in ws.iter_rows(min_row=3):
        for i in rates:
            if row[i].value is not None:
                assert isinstance(row[i].value, int | float), row[i].value
                assert row[i].number_format == "0.0%"


def test_xlsx_definitions_are_the_bases_in_chinese(month: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(exports.stats_xlsx(month["stats"])))
    rows = list(wb["口径说明"].iter_rows(values_only=True))
    assert rows[0] == ("指标", "口径", "升降")
    bases = {r[0]: (r[1], r[2]) for r in rows[1:]}
    assert "应受理件" in bases["按期受理率"][0] and "不因尚未办结而剔除" in bases["按期受理率"][0]
    assert "应办结件" in bases["按期办结率"][0] and "延长" in bases["按期办结率"][0]
    assert bases["重复访率"][1] == "上升为差" and bases["越级访率"][1] == "上升为差"
    assert bases["按期受理率"][1] == "上升为好" and bases["满意率"][1] == "上升为好"
    text = "".join(str(v) for r in rows for v in r if v)
    # The office's words only: no English, no code quoting, no module names.
    assert not re.search(r"[A-Za-z`]", text), text


def test_api_stats_keys_and_nulls(web: dict[str, Any]) -> None:
    app, c = web["app"], web["c"]
    r = c.get("/api/v1/stats?from=2026-11-01&to=2026-11-30", headers=bearer(app, "L001"))
    assert r.status_code == 200, r.text
    body = r.json()
    for key in CONTRACT_KEYS:
        assert key in body
    assert body["acceptance_on_time_rate"] == pytest.approx(5 / 6)
    assert body["previous"]["satisfaction_rate"] is None
    empty = c.get("/api/v1/stats?from=2020-01-01&to=2020-01-31", headers=bearer(app, "A001"))
    assert empty.status_code == 200 and empty.json()["satisfaction_rate"] is None
    bad = c.get("/api/v1/stats?from=2026-12-01&to=2026-11-01", headers=bearer(app, "L001"))
    assert bad.status_code == 422 and bad.json()["code"] == "stats.bad_period"
    assert c.get("/api/v1/stats").status_code == 401
    assert c.get("/api/v1/stats", headers=bearer(app, "AD01")).status_code == 403
    xlsx = c.get(
        "/api/v1/stats?from=2026-11-01&to=2026-11-30&format=xlsx", headers=bearer(app, "AU01")
    )
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_reports_page_shows_rates_charts_and_dashes(web: dict[str, Any]) -> None:
    c = web["c"]
    sign_in(c, "B001")
    page = c.get("/reports?from=2026-11-01&to=2026-11-30")
    assert page.status_code == 200
    html = page.text
    assert "统计分析" in html and "83.3%" in html and "张敏（A001）" in html
    assert html.count('src="data:image/png;base64,') >= 4
    assert "'sha256-" in page.headers["content-security-policy"]
    empty = c.get("/reports?from=2020-01-01&to=2020-01-31").text
    assert "—" in empty and "None" not in empty and "本期无数据" in empty
    csv_file = c.get("/reports?from=2026-11-01&to=2026-11-30&format=csv")
    assert csv_file.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in csv_file.headers["content-disposition"]


def test_reports_page_refuses_admins_and_strangers(web: dict[str, Any]) -> None:
    c = web["c"]
    assert c.get("/reports").status_code == 303  # to /login
    sign_in(c, "AD01")
    assert c.get("/reports").status_code == 403


def test_charts_have_a_cjk_font() -> None:
    from cases.reports import charts

    assert charts.cjk_font() is not None, "install fonts-wqy-microhei"
    png = charts.compare_bars("按期受理率", ["一组", "二组"], [0.5, 1.0], [0.2, 0.0], percent=True)
    assert png.startswith(b"\x89PNG")
