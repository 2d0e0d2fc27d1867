"""``shoujie db upgrade``, ``shoujie demo`` and ``shoujie user add`` (the rest of ``shoujie user``
is api/cli/users.py): setting up an office."""

import argparse
import sys

from api.cli import users
from api.cli.context import App, Subcommands
from cases.accounts import admin_log
from cases.accounts.passwords import check_password
from cases.casework import reading
from cases.db import upgrade
from cases.organisation import roster
from cases.settings import settings


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply migrations."""
    url = settings().database_url
    upgrade(url)
    print(f"数据库已迁移到最新版本 / database upgraded: {url}")
    return 0


def cmd_db_topics(args: argparse.Namespace) -> int:
    """Store the hot topics' words of the cases registered before they were stored (migration
    0018), a thousand cases a transaction."""
    from cases.repeat.topics import backfill_topics

    app = App()
    done = 0
    while True:
        with app.engine.begin() as conn:
            n = backfill_topics(conn)
        done += n
        if n == 0:
            break
    print(f"已补录 {done} 件信访事项的热点词 / topic words stored for {done} cases")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Load the demo office (``--if-empty``: only into a database without cases)."""
    from cases.demo.loader import load_demo  # the demo data loads only for this command

    app = App()
    with app.engine.begin() as conn:
        if args.if_empty and reading.case_count(conn) > 0:
            print("数据库中已有数据，跳过演示数据 / database not empty, demo skipped")
            return 0
    summary = load_demo(app.engine, app.rt, now=app.clock.now())
    print(summary)
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    """Add a staff member; ``--password-stdin`` reads the password from stdin's first line."""
    from cases.security import hash_password  # argon2 loads only when a password is set

    app = App()
    password_hash = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        check_password(password, staff_no=args.staff_no, name=args.name)
        password_hash = hash_password(password)
    with app.engine.begin() as conn:
        roster.add_staff(
            conn,
            staff_no=args.staff_no,
            name=args.name,
            role=args.role,
            group=args.group or None,
            password_hash=password_hash,
            pledge=args.pledge or "",
            post=args.post,
            unit=args.unit,
            now=app.clock.now(),
        )
        admin_log.record(
            conn,
            app.rt.audit_key,
            actor=args.actor,
            action="staff.add",
            subject=args.staff_no.strip(),
            now=app.clock.now(),
            details={"role": args.role, "group": args.group or None, "post": args.post},
        )
    print(f"已添加工作人员 {args.staff_no} {args.name} / staff added")
    return 0


def register(sub: Subcommands) -> None:
    """Register ``db upgrade``, ``db topics``, ``demo`` and ``user add``."""
    db = sub.add_parser("db", help="数据库").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="迁移到最新版本").set_defaults(func=cmd_db_upgrade)
    db.add_parser("topics", help="补录热点词（迁移0018之前登记的信访事项）").set_defaults(
        func=cmd_db_topics
    )

    s = sub.add_parser("demo", help="载入演示办公室")
    s.add_argument("--if-empty", action="store_true")
    s.set_defaults(func=cmd_demo)

    user = sub.add_parser("user", help="工作人员").add_subparsers(
        dest="user_command", required=True
    )
    s = user.add_parser("add", help="添加工作人员")
    s.add_argument("--staff-no", required=True)
    s.add_argument("--name", required=True)
    s.add_argument("--role", required=True)
    s.add_argument("--group")
    s.add_argument("--post", choices=["group_leader", "branch_secretary", "office_leader"])
    s.add_argument("--pledge")
    s.add_argument("--unit")
    s.add_argument("--password-stdin", action="store_true")
    s.add_argument("--as", dest="actor", default=users.CONSOLE, metavar="STAFF_NO")
    s.set_defaults(func=cmd_user_add)
    users.register(user)
