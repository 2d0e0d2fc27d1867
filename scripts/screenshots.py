"""The README's phone screenshots (下移接待): the demo office in Debian's Chromium at 390 × 844.

``python -m scripts.screenshots [--out docs]`` loads the demo office into a temporary SQLite
database as of a fixed Friday morning, serves it on a loopback port, walks a receptionist's round
on a phone (tests.browser.phone_tour, the round the 390-px test checks) and saves what the phone
shows of each page as ``docs/phone-<page>.png``, and the desk with its menu open; then a group
registered on site (下移接待), the connection lost as it is sent and back again
(``docs/phone-onsite*.png``). Then, on a
desktop browser, it prints the demo's first 处理意见书 as the case page's 打印 link shows it (the
A4 print page, its inline style allowed by the CSP's hashes) to ``docs/notice-opinion.png``, and
shows the public staff wall (党员公示: portraits, 工号, pledges, 群众评价) as a desk's browser does,
to ``docs/staff-wall.png``, and
the 联合会办 section of an accepted demo case convened eight days earlier to ``docs/joint.png``.
"""

import argparse
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from api.app import create_app
from cases.db import make_engine, upgrade
from cases.demo.loader import load_demo
from cases.demo.records import DEMO_PASSWORD
from cases.joint import steps as joint_steps
from cases.paper.notices import notice_t
from cases.runtime import Runtime
from cases.settings import Clock, Settings
from cases.store.tables import case_t
from tests.browser import PHONE, open_menu, open_page, phone_tour, serve, sign_in

#: The instant the demo is loaded at and the app's clock stands still at: the pictures never change.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)
RECEPTIONIST = "JF03"
#: Which pages go in the README, in the round's order (the round also passes the /track form).
PAGES = ("desk", "menu", "intake", "check", "receipt", "case", "track", "staff")
#: Who prints the notice (the office's supervisor reads every case), and the notice's kind.
SUPERVISOR = "JF02"
NOTICE_KIND = "reply"
#: A desk's screen; the picture is the whole page, as long as the notice is.
DESKTOP = {"width": 900, "height": 640}
#: SHOUJIE_WALL_MIN_RATINGS for the pictures (see demo_app).
WALL_MIN_RATINGS = 2
#: The staff wall on a wider screen: three members a row.
WALL_SCREEN = {"width": 1100, "height": 800}


def demo_app(folder: Path) -> Any:
    """The demo office in a fresh SQLite database under ``folder``, on a clock stopped at NOW."""
    url = f"sqlite:///{folder / 'demo.db'}"
    upgrade(url)
    engine = make_engine(url)
    # Throw-away keys: the database lives only as long as the script.
    rt = Runtime.from_settings(
        Settings(
            database_url=url,
            secret_key=b"screenshots-secret-key-0123456789abcdef012",
            data_key=b"screenshots-data-key-0123456789abcdef01234",
            timezone=ZoneInfo("Asia/Shanghai"),
            env="test",
            fixed_now=None,
            # The demo office is four months old: no member has 5 ratings yet. The pictures show
            # the wall's 满意率 over 2 (the README says so); the default stays 5.
            wall_min_ratings=WALL_MIN_RATINGS,
        )
    )
    load_demo(engine, rt, now=NOW)
    return create_app(engine=engine, rt=rt, clock=Clock(NOW), sweep_interval=0)


def notice_address(engine: Any) -> str:
    """The print page of the demo's first notice of NOTICE_KIND (by its 文号's order)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(notice_t.c.id, case_t.c.case_no)
            .join(case_t, case_t.c.id == notice_t.c.case_id)
            .where(notice_t.c.kind == NOTICE_KIND)
            .order_by(notice_t.c.id)
            .limit(1)
        ).one()
    return f"/cases/{row.case_no}/notices/{row.id}"


#: The on-site round's pictures (下移接待): the form filled in, the draft held offline, the receipt.
ONSITE = ("onsite", "onsite-offline", "onsite-receipt")


def onsite_round(page: Any, save: Any) -> None:
    """A group registered at the gate on a phone: the form, the connection lost as it is sent
    (the draft held), the connection back (sent once), the receipt naming the place."""
    sign_in(page, RECEPTIONIST, DEMO_PASSWORD)
    page.goto("/cases/new/onsite")
    page.get_by_label("接待地点").fill("苏州市吴中区东山镇太湖村村委会门口")
    page.get_by_label("来访人数").fill("28")
    page.locator("#f-subject").fill("太湖围网拆除后转产就业安置未落实")
    page.get_by_label("情况").fill("围网拆除后二十余户养殖户转产就业无着落，聚集在村委会门口。")
    page.get_by_label("诉求").fill("请求落实转产就业安置")
    page.locator("#f-representatives-0-name").fill("陈国平")
    page.locator("#f-representatives-0-phone").fill("13912345678")
    page.get_by_text("更多代表").click()
    page.locator("#f-representatives-1-name").fill("金永林")
    page.locator("#f-representatives-1-phone").fill("13812345679")
    page.evaluate("window.scrollTo(0, 0)")
    save(page, "onsite")
    page.context.set_offline(True)
    page.get_by_role("button", name="登记并提醒督办").click()
    page.locator("#onsite-status").get_by_text("网络已断开").wait_for()
    save(page, "onsite-offline")
    page.context.set_offline(False)
    page.wait_for_url("**/receipt")
    save(page, "onsite-receipt")


#: The joint handling the picture shows: convened eight days before NOW, one co-organ late.
JOINT_SETUP = {
    "lead": {"organ": "玄武区住房和城乡建设局", "task": "核实补偿标准并牵头答复", "days": 20},
    "co_organs": [
        {"organ": "玄武区财政局", "task": "核查补偿资金拨付", "days": 10},
        {"organ": "梅园新村街道办事处", "task": "入户走访，核对名单", "days": 5, "working": True},
    ],
}


def joint_case(engine: Any, rt: Any) -> str:
    """Convene the organs on the accepted demo case left alone longest (eight days before NOW at
    most, so that the co-organ with five working days is late); return its number."""
    with engine.begin() as conn:
        row = conn.execute(
            select(case_t.c.case_no, case_t.c.updated_at)
            .where(case_t.c.state == "accepted")
            .order_by(case_t.c.updated_at, case_t.c.id)
            .limit(1)
        ).one()
        updated = (
            row.updated_at.replace(tzinfo=UTC) if row.updated_at.tzinfo is None else row.updated_at
        )
        start = min(NOW - timedelta(days=8), updated + timedelta(hours=1))
        joint_steps.set_up(
            conn, rt, case_no=row.case_no, actor_staff_no=SUPERVISOR, payload=JOINT_SETUP, now=start
        )
    held = start + timedelta(days=2)
    meeting = {
        "held_on": held.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat(),
        "place": "区信访局三楼会议室",
        "attendees": [
            {"organ": "玄武区住房和城乡建设局", "people": "王科长"},
            {"organ": "玄武区财政局", "people": "李主任"},
            {"organ": "梅园新村街道办事处", "people": "赵副主任"},
        ],
        "agreed": "住建局牵头核实补偿标准，财政局核查资金，街道入户核对名单，月底前统一答复",
        "commitments": [{"organ": "玄武区财政局", "commitment": "一周内报送资金拨付情况"}],
    }
    with engine.begin() as conn:
        joint_steps.record_meeting(
            conn, rt, case_no=row.case_no, actor_staff_no=SUPERVISOR, payload=meeting, now=held
        )
    with engine.begin() as conn:
        joint_steps.record_report(
            conn,
            rt,
            case_no=row.case_no,
            actor_staff_no=SUPERVISOR,
            payload={"organ": "玄武区财政局", "summary": "补偿资金已于本月拨付到街道"},
            now=NOW - timedelta(days=1),
        )
    return row.case_no


def take(out: Path) -> list[Path]:
    """Walk the round and save each page of PAGES; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(page: Any, name: str) -> None:
        if name in PAGES or name in ONSITE:
            path = out / f"phone-{name}.png"
            page.screenshot(path=str(path))
            written.append(path)

    def visit(name: str) -> None:
        page.wait_for_load_state()
        save(page, name)
        if name == "desk":
            open_menu(page)
            save(page, "menu")
            page.locator("details.navmenu > summary").click()

    with tempfile.TemporaryDirectory() as folder:
        app = demo_app(Path(folder))
        with serve(app) as url:
            with open_page(url, **PHONE) as page:
                phone_tour(page, RECEPTIONIST, DEMO_PASSWORD, visit)
            with open_page(url, **PHONE) as page:
                onsite_round(page, save)
            with open_page(url, **DESKTOP) as page:
                sign_in(page, SUPERVISOR, DEMO_PASSWORD)
                page.goto(notice_address(app.state.ctx.engine))
                path = out / "notice-opinion.png"
                page.screenshot(path=str(path), full_page=True)
                written.append(path)
                ctx = app.state.ctx
                page.goto(f"/cases/{joint_case(ctx.engine, ctx.rt)}/joint")
                path = out / "joint.png"
                page.locator("#joint").screenshot(path=str(path))
                written.append(path)
            with open_page(url, **WALL_SCREEN) as page:
                page.goto("/staff")
                page.wait_for_load_state("load")  # every portrait fetched
                path = out / "staff-wall.png"
                page.screenshot(path=str(path), full_page=True)
                written.append(path)
    return written


def main() -> None:
    """Parse the arguments and take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"), help="folder of the PNG files")
    for path in take(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
