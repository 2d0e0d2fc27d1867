"""The statistics PDF of the demo office: every page fits A4 (rendered to PNG, nothing crosses the
margins or runs into the page footer), and it is made once per (office, period, data version).

The demo once printed its 「上升的地区」 chart into the footer and cut the 按地区 table at the
right margin."""

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image
from sqlalchemy import Engine, select, update

from cases.casework import actions
from cases.demo.loader import load_demo
from cases.runtime import Runtime
from cases.store import tables
from tests.web import client, make_app, password_hash, sign_in

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)
DPI = 60
MM = DPI / 25.4  # pixels per millimetre


def _blank(img: Image.Image, box: tuple[float, float, float, float]) -> bool:
    """Whether the area (in millimetres: left, top, right, bottom) holds no ink."""
    area = img.crop(tuple(round(v * MM) for v in box)).convert("L")
    return min(area.getdata(), default=255) >= 245


def test_the_statistics_pdf_fits_a4_and_is_made_once(
    engine: Engine, rt: Runtime, tmp_path: Path
) -> None:
    load_demo(engine, rt, now=NOW)
    with engine.begin() as conn:
        conn.execute(update(tables.staff_t).values(password_hash=password_hash()))
    app = make_app(engine, rt, NOW)
    c = client(app)
    sign_in(c, "JF01")
    cache = app.state.ctx.reports

    r = c.get("/reports?from=2026-09-01&to=2026-11-27&format=pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    (tmp_path / "stats.pdf").write_bytes(r.content)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-png", str(tmp_path / "stats.pdf"), str(tmp_path / "p")],
        check=True,
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 2
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "stats.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "按地区" in text and "口径说明" in text and "应受理件" in text
    for page in pages:
        img = Image.open(page)
        w, h = img.size[0] / MM, img.size[1] / MM
        assert abs(w - 210) < 2 and abs(h - 297) < 2, page.name  # A4
        # @page margins 18/16/20/16 mm (content ends at 277 mm; 1.5 mm spare for a border drawn
        # on the edge at this resolution); the header and the page number sit inside them.
        assert _blank(img, (0, 0, 15, h)), f"{page.name}: ink in the left margin"
        assert _blank(img, (w - 15, 0, w, h)), f"{page.name}: ink in the right margin"
        assert _blank(img, (0, 13, w, 17.5)), f"{page.name}: ink between header and content"
        assert _blank(img, (0, 278.5, w, 284)), f"{page.name}: content runs into the footer"

    # Served from the cache: the second request lays nothing out.
    assert cache.renders == 1
    again = c.get("/reports?from=2026-09-01&to=2026-11-27&format=pdf")
    assert again.content == r.content and cache.renders == 1
    # A write changes the data version: the next request makes it anew.
    with engine.begin() as conn:
        case_no = conn.execute(
            select(tables.case_t.c.case_no).where(tables.case_t.c.state == "accepted").limit(1)
        ).scalar_one()
        owner = conn.execute(
            select(tables.staff_t.c.staff_no)
            .join(tables.case_t, tables.case_t.c.owner_id == tables.staff_t.c.id)
            .where(tables.case_t.c.case_no == case_no)
        ).scalar_one()
        actions.act(
            conn,
            rt,
            case_no=case_no,
            action="note",
            actor_staff_no=owner,
            payload={"text": "电话回访"},
            now=NOW,
        )
    c.get("/reports?from=2026-09-01&to=2026-11-27&format=pdf")
    assert cache.renders == 2
    c.get("/reports?from=2026-10-01&to=2026-11-27&format=pdf")  # another period
    assert cache.renders == 3
