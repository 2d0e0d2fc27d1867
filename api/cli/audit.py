"""``shoujie audit verify``: check the audit chain, naming the first broken event."""

import argparse
import sys

from api.cli.context import App, Subcommands
from cases.db import reader


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Verify the audit chain: ``OK N events`` and exit 0, or exit 1 naming the first break."""
    from cases.audit import verify  # loaded only by the command that verifies

    app = App()
    with reader(app.engine).connect() as conn:
        result = verify(conn, app.rt.audit_key)
    if result.broken:
        print(f"审计链断裂 / audit chain broken: {result.broken}", file=sys.stderr)
        return 1
    print(f"OK {result.events} events")
    return 0


def register(sub: Subcommands) -> None:
    """Register ``audit verify``."""
    audit = sub.add_parser("audit", help="审计").add_subparsers(dest="audit_command", required=True)
    audit.add_parser("verify", help="校验审计链").set_defaults(func=cmd_audit_verify)
