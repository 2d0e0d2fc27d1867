"""``shoujie office show`` and ``shoujie office set``: the office's level, region, the organs it
transfers to and its amendments to the list of regions (越级访 is judged from them)."""

import argparse
import sys
from pathlib import Path

from api.cli import organisation
from api.cli.context import App, Subcommands, print_json, read_json
from cases.accounts import admin_log
from cases.repeat import jurisdiction
from workflow import regions
from workflow.errors import InvalidInput


def names_by_code(source: str | None, what: str) -> dict[str, str] | None:
    """A JSON object of 6-digit region codes to names (organs), or None (keep)."""
    if source is None:
        return None
    names = read_json(source)
    bad = [k for k, v in names.items() if not (len(k) == 6 and k.isdigit() and isinstance(v, str))]
    if bad:
        raise InvalidInput(
            "office.bad_names", f"{what}应为“6位行政区划代码: 名称”，有误：{'、'.join(bad[:5])}"
        )
    return {k: v.strip() for k, v in names.items()}


def amendments_from(source: str | None) -> dict[str, str | None] | None:
    """The office's amendments to the list of regions in file ``source`` (``-``: stdin)."""
    if source is None:
        return None
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8-sig")
    return regions.parse_amendments(text)


def cmd_office_show(args: argparse.Namespace) -> int:
    """Show the office's level, region, the organs it transfers to and its amendments."""
    app = App()
    with app.engine.begin() as conn:
        level, region, organs = jurisdiction.office_jurisdiction(conn)
        listed = jurisdiction.region_names(conn)
        amendments = jurisdiction.region_amendments(conn)
    if args.json:
        print_json(
            {
                "level": level,
                "region_code": region,
                "region_label": listed.label(region) if region not in regions.NATION else "全国",
                "organs": organs,
                "regions": amendments,
                "regions_listed": len(listed),
            }
        )
        return 0
    own = listed.label(region) if region not in regions.NATION else f"全国（{region}）"
    print(f"本机关：{jurisdiction.LEVEL_LABELS[level]}信访工作机构，{own}")
    print(f"行政区划表 {len(listed)} 个（本机关增补或撤销 {len(amendments)} 个）")
    for code, name in sorted(amendments.items()):
        print(f"  {listed.label(code)}{'' if name else ' 已撤销'}")
    print(f"转送机关 {len(organs)} 个")
    for code, organ in sorted(organs.items()):
        print(f"  {jurisdiction.region_label(code, listed)} → {organ}")
    return 0


def cmd_office_set(args: argparse.Namespace) -> int:
    """Set the office's level and region (越级访 is judged from them), organs and amendments."""
    app = App()
    with app.engine.begin() as conn:
        jurisdiction.configure_office(
            conn,
            level=args.level,
            region_code=args.region,
            name=args.name,
            organs=names_by_code(args.organs, "转送机关"),
            amendments=amendments_from(args.regions),
        )
        admin_log.record(
            conn,
            app.rt.audit_key,
            actor=args.actor,
            action="office.set",
            subject=args.region,
            now=app.clock.now(),
            details={
                "level": args.level,
                "name": args.name,
                "organs": args.organs is not None,
                "regions": args.regions is not None,
            },
        )
        listed = jurisdiction.region_names(conn)
    own = listed.label(args.region) if args.region not in regions.NATION else "全国"
    print(f"已设置本机关为{jurisdiction.LEVEL_LABELS[args.level]}，{own}")
    return 0


def register(sub: Subcommands) -> None:
    """Register ``office show`` and ``office set``."""
    office = sub.add_parser("office", help="本机关层级与管辖").add_subparsers(
        dest="office_command", required=True
    )
    s = office.add_parser("show", help="查看本机关层级、转送机关与行政区划增补")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_office_show)
    s = office.add_parser("set", help="设置本机关层级与行政区划（据此认定越级访）")
    s.add_argument("--level", required=True, choices=list(jurisdiction.LEVELS))
    s.add_argument("--region", required=True, metavar="CODE", help="本机关的6位行政区划代码")
    s.add_argument("--name", help="机关名称")
    s.add_argument("--organs", metavar="FILE|-", help='JSON：{"320102": "玄武区信访局", …}')
    s.add_argument(
        "--regions",
        metavar="FILE|-",
        help="行政区划表的增补：CSV（行政区划代码,单位名称；名称留空为撤销）"
        '或 JSON：{"653132": "岑岭县", "371200": null}',
    )
    s.add_argument("--as", dest="actor", default=organisation.CONSOLE, metavar="STAFF_NO")
    s.set_defaults(func=cmd_office_set)
    organisation.register_office(office)
