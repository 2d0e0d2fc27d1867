"""``shoujie user …`` beyond adding: list accounts, set or reset a password, deactivate and
reactivate, list a staff member's sessions and tokens and revoke one. Each change is an
administrative event (``shoujie audit verify`` checks their chain); ``--as`` names the admin."""

import argparse
import sys

from api.cli import organisation
from api.cli.context import App, Subcommands, print_json
from cases.accounts import lifecycle, sessions
from cases.accounts.lifecycle import account
from workflow.errors import InvalidInput

#: The actor recorded when no ``--as`` is given: the operator at the server's console.
CONSOLE = "CONSOLE"


def _timeouts(app: App) -> sessions.Timeouts:
    from api.app import timeouts_of  # the one place the settings become timeouts

    return timeouts_of(app.rt)


def cmd_user_list(args: argparse.Namespace) -> int:
    """Every account: 工号, name, role, group, post, active or not, password to change."""
    app = App()
    with app.engine.begin() as conn:
        rows = lifecycle.accounts(conn)
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        state = "在用" if r["active"] else "已停用"
        flag = "  须改密码" if r["must_change_password"] else ""
        print(f"{r['staff_no']}\t{r['name']}\t{r['role']}\t{r['group'] or '-'}\t{state}{flag}")
    return 0


def cmd_user_reset(args: argparse.Namespace) -> int:
    """Reset a password: from stdin (``--password-stdin``) or a random temporary one, printed
    once; the account must change it at the next sign-in and its sessions end now."""
    app = App()
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise InvalidInput("password.empty", "请在标准输入提供新密码", field="password")
    with app.engine.begin() as conn:
        given = lifecycle.set_password(
            conn,
            app.rt.audit_key,
            actor=args.actor,
            staff_no=args.staff_no,
            password=password,
            now=app.clock.now(),
        )
    if password is None:
        print(f"已重置 {args.staff_no} 的密码，临时密码（只显示这一次）：{given}")
    else:
        print(f"已重置 {args.staff_no} 的密码")
    print("下次登录时须修改密码；该账号的会话和令牌已全部结束 / password reset, sessions ended")
    return 0


def cmd_user_active(args: argparse.Namespace) -> int:
    """Deactivate (its sessions and tokens end at once) or reactivate an account."""
    app = App()
    active = args.user_command == "reactivate"
    with app.engine.begin() as conn:
        ended = lifecycle.set_active(
            conn,
            app.rt.audit_key,
            actor=args.actor,
            staff_no=args.staff_no,
            active=active,
            now=app.clock.now(),
        )
    if active:
        print(f"已启用 {args.staff_no} 的账号 / account reactivated")
    else:
        print(f"已停用 {args.staff_no} 的账号，结束会话和令牌 {ended} 个 / account deactivated")
    return 0


def cmd_user_sessions(args: argparse.Namespace) -> int:
    """A staff member's open sessions (web) and tokens (api), newest first."""
    app = App()
    now = app.clock.now()
    with app.engine.begin() as conn:
        row = account(conn, args.staff_no)
        rows = sessions.open_sessions(conn, row.id, now=now, timeouts=_timeouts(app))
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print(f"{args.staff_no} 没有未结束的会话或令牌")
    for r in rows:
        kind = "网页会话" if r["kind"] == sessions.WEB else "接口令牌"
        print(f"#{r['id']}\t{kind}\t{r['created_at']:%Y-%m-%d %H:%M}\t{r['client']}")
    return 0


def cmd_user_revoke(args: argparse.Namespace) -> int:
    """End one session or token by its number (from ``shoujie user sessions``)."""
    app = App()
    with app.engine.begin() as conn:
        lifecycle.revoke(
            conn,
            app.rt.audit_key,
            actor=args.actor,
            session_id=args.session_id,
            now=app.clock.now(),
        )
    print(f"已注销会话或令牌 #{args.session_id} / revoked")
    return 0


def register(user: Subcommands) -> None:
    """Register ``user list|reset|deactivate|reactivate|sessions|revoke`` on ``user``."""
    s = user.add_parser("list", help="列出账号")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_user_list)
    s = user.add_parser("reset", help="重置密码（下次登录须修改）")
    s.add_argument("staff_no", metavar="STAFF_NO")
    s.add_argument("--password-stdin", action="store_true", help="从标准输入读新密码")
    s.add_argument("--as", dest="actor", default=CONSOLE, metavar="STAFF_NO")
    s.set_defaults(func=cmd_user_reset)
    for name, help_text in (
        ("deactivate", "停用账号（会话和令牌立即结束）"),
        ("reactivate", "启用账号"),
    ):
        s = user.add_parser(name, help=help_text)
        s.add_argument("staff_no", metavar="STAFF_NO")
        s.add_argument("--as", dest="actor", default=CONSOLE, metavar="STAFF_NO")
        s.set_defaults(func=cmd_user_active)
    s = user.add_parser("sessions", help="列出会话和令牌")
    s.add_argument("staff_no", metavar="STAFF_NO")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_user_sessions)
    s = user.add_parser("revoke", help="注销一个会话或令牌")
    s.add_argument("session_id", type=int, metavar="SESSION_ID")
    s.add_argument("--as", dest="actor", default=CONSOLE, metavar="STAFF_NO")
    s.set_defaults(func=cmd_user_revoke)
    organisation.register_user(user)
