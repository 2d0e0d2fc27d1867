"""``shoujie audit verify``: check the case events' chain and the administrative events' chain,
naming the first broken event, and the current rows against the digests the last events committed
to (naming the case, or the staff member, and the table that differs)."""

import argparse
import sys

from api.cli.context import App, Subcommands
from cases.db import reader


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Verify the audit chain: ``OK N events`` and exit 0, or exit 1 naming the first break."""
    from cases.accounts import admin_log  # loaded only by the command that verifies
    from cases.audit import verify

    app = App()
    with reader(app.engine).connect() as conn:
        result = verify(conn, app.rt.audit_key)
        admin = admin_log.verify(conn, app.rt.audit_key)
    broken = result.broken or admin.broken
    if broken:
        print(f"审计链断裂 / audit chain broken: {broken}", file=sys.stderr)
        return 1
    print(f"OK {result.events} events")
    print(f"OK {admin.events} admin events")
    if result.unsealed:
        # Cases last touched before the state digest (migration 0014): their chain is checked,
        # their rows are not, until their next step.
        print(
            f"{result.unsealed} 件信访件的最后事件早于状态摘要，其数据未核对 / {result.unsealed} cases unsealed"
        )
    return 0


def register(sub: Subcommands) -> None:
    """Register ``audit verify``."""
    audit = sub.add_parser("audit", help="审计").add_subparsers(dest="audit_command", required=True)
    audit.add_parser("verify", help="校验审计链").set_defaults(func=cmd_audit_verify)
