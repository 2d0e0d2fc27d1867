"""``shoujie office org|branch|group`` and ``shoujie user move|post``: the party organisation
(branch, groups, posts and their vacancies) and who is in which group. Each change is an
administrative event; ``--as`` names the admin (default CONSOLE)."""

import argparse

from api.cli.context import App, Subcommands, print_json
from cases.organisation import structure

CONSOLE = "CONSOLE"


def cmd_org_show(args: argparse.Namespace) -> int:
    """The branches, groups, members, posts and vacancies."""
    app = App()
    with app.engine.begin() as conn:
        org = structure.organisation(conn)
    if args.json:
        print_json(org)
        return 0
    for b in org["branches"]:
        print(f"{b['name']}  书记：{b['secretary'] or '（空缺）'}")
        for g in b["groups"]:
            names = "、".join(f"{m['name']}（{m['staff_no']}）" for m in g["members"])
            print(f"  {g['name']}  组长：{g['leader'] or '（空缺）'}  成员：{names or '无'}")
    print(f"处领导：{org['office_leader'] or '（空缺）'}")
    if org["vacancies"]:
        print(f"空缺：{'、'.join(org['vacancies'])}")
    return 0


def _run(work: object, message: str) -> int:
    app = App()
    with app.engine.begin() as conn:
        work(conn, app)  # type: ignore[operator]
    print(message)
    return 0


def cmd_branch(args: argparse.Namespace) -> int:
    """Create the branch, or rename one (``--rename OLD``)."""
    return _run(
        lambda conn, app: structure.set_branch(
            conn,
            app.rt.audit_key,
            actor=args.actor,
            name=args.name,
            rename=args.rename,
            now=app.clock.now(),
        ),
        f"已设置党支部「{args.name}」",
    )


def cmd_group(args: argparse.Namespace) -> int:
    """Add, rename or remove a party group."""

    def work(conn: object, app: App) -> None:
        key, now = app.rt.audit_key, app.clock.now()
        if args.group_command == "add":
            structure.add_group(
                conn, key, actor=args.actor, name=args.name, branch=args.branch, now=now
            )  # type: ignore[arg-type]
        elif args.group_command == "rename":
            structure.rename_group(
                conn, key, actor=args.actor, name=args.name, new_name=args.new_name, now=now
            )  # type: ignore[arg-type]
        else:
            structure.remove_group(conn, key, actor=args.actor, name=args.name, now=now)  # type: ignore[arg-type]

    labels = {"add": "已新建", "rename": "已更名", "remove": "已撤销"}
    return _run(work, f"{labels[args.group_command]}党小组「{args.name}」")


def cmd_user_move(args: argparse.Namespace) -> int:
    """Move a staff member to another group (``--no-group``: out of every group)."""
    group = None if args.no_group else args.group
    return _run(
        lambda conn, app: structure.move_staff(
            conn,
            app.rt.audit_key,
            actor=args.actor,
            staff_no=args.staff_no,
            group=group,
            now=app.clock.now(),
        ),
        f"已将 {args.staff_no} 调整到{('「' + group + '」') if group else '不属任何党小组'}",
    )


def cmd_user_post(args: argparse.Namespace) -> int:
    """Appoint to a post (``none``: relieve); the post's previous holder is relieved."""
    post = None if args.post == "none" else args.post
    relieved: list[str | None] = []

    def work(conn: object, app: App) -> None:
        relieved.append(
            structure.set_post(
                conn,
                app.rt.audit_key,
                actor=args.actor,
                staff_no=args.staff_no,
                post=post,
                now=app.clock.now(),
            )  # type: ignore[arg-type]
        )

    code = _run(work, f"已设置 {args.staff_no} 的党内职务：{structure.POSTS.get(post or '', '无')}")
    if relieved and relieved[0]:
        print(f"原任 {relieved[0]} 已免去该职务")
    return code


def register_office(office: Subcommands) -> None:
    """Register ``office org``, ``office branch`` and ``office group …`` on ``office``."""
    s = office.add_parser("org", help="查看党组织：支部、党小组、职务与空缺")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_org_show)
    s = office.add_parser("branch", help="设置或更名党支部")
    s.add_argument("name")
    s.add_argument("--rename", metavar="OLD", help="把原名为 OLD 的党支部更名")
    s.add_argument("--as", dest="actor", default=CONSOLE, metavar="STAFF_NO")
    s.set_defaults(func=cmd_branch)
    group = office.add_parser("group", help="党小组").add_subparsers(
        dest="group_command", required=True
    )
    for name, help_text in (
        ("add", "新建党小组"),
        ("rename", "党小组更名"),
        ("remove", "撤销空的党小组"),
    ):
        s = group.add_parser(name, help=help_text)
        s.add_argument("name")
        if name == "add":
            s.add_argument("--branch")
        if name == "rename":
            s.add_argument("new_name")
        s.add_argument("--as", dest="actor", default=CONSOLE, metavar="STAFF_NO")
        s.set_defaults(func=cmd_group)


def register_user(user: Subcommands) -> None:
    """Register ``user move`` and ``user post`` on ``user``."""
    s = user.add_parser("move", help="调整党小组")
    s.add_argument("staff_no", metavar="STAFF_NO")
    where = s.add_mutually_exclusive_group(required=True)
    where.add_argument("--group")
    where.add_argument("--no-group", action="store_true")
    s.add_argument("--as", dest="actor", default=CONSOLE, metavar="STAFF_NO")
    s.set_defaults(func=cmd_user_move)
    s = user.add_parser("post", help="任免党内职务")
    s.add_argument("staff_no", metavar="STAFF_NO")
    s.add_argument("post", choices=[*structure.POSTS, "none"])
    s.add_argument("--as", dest="actor", default=CONSOLE, metavar="STAFF_NO")
    s.set_defaults(func=cmd_user_post)
