"""A region reads 「南京市玄武区（320102）」 in every report: the statistics page, CSV and XLSX, and the
closure report on paper (PDF)."""

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from cases.reports import exports
from cases.runtime import Runtime
from conftest import at
from tests.factories import case_in_state
from tests.web import bearer, client, make_app, make_web_office, sign_in

LABEL = "南京市玄武区（320102）"


def test_the_statistics_name_each_region_with_its_code(web: dict[str, Any]) -> None:
    data = web["stats"]
    assert data["by_region"]["320102"]["label"] == LABEL
    assert LABEL in exports.stats_csv(data).decode("utf-8-sig")
    cells = load_workbook(io.BytesIO(exports.stats_xlsx(data))).active.iter_rows(values_only=True)
    assert any(LABEL in row for row in cells)
    c = web["c"]
    sign_in(c, "AU01")
    page = c.get("/reports", params={"from": "2026-11-01", "to": "2026-11-30"}).text
    assert LABEL in page


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_the_closure_report_pdf_names_the_region(
    engine: Engine, rt: Runtime, tmp_path: Path
) -> None:
    make_web_office(engine, at("2026-10-01 09:00"))
    no = case_in_state(engine, rt, "concluded", at("2026-10-05 10:00"))
    app = make_app(engine, rt, at("2026-12-01 10:00"))
    r = client(app).get(f"/api/v1/cases/{no}/closure-report.pdf", headers=bearer(app, "L001"))
    assert r.status_code == 200
    path = tmp_path / "closure.pdf"
    path.write_bytes(r.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert LABEL in text
