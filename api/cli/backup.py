"""``shoujie backup FILE`` and ``shoujie restore FILE``: the office's data, consistent while it
works; a restore refuses keys of another fingerprint and checks the audit chain afterwards."""

import argparse
import sys
from pathlib import Path

from api.cli.context import App, Subcommands
from cases import backup as backups


def cmd_backup(args: argparse.Namespace) -> int:
    """Write a backup of the configured database to FILE."""
    app = App()
    manifest = backups.backup(
        app.settings.database_url,
        Path(args.file),
        key_fingerprint=app.settings.key_fingerprint,
        now=app.clock.now(),
    )
    print(
        f"备份完成：{args.file}（{manifest['backend']}，{manifest['bytes']} 字节，"
        f"密钥指纹 {manifest['key_fingerprint']}）/ backup written"
    )
    print("提醒：密钥不在备份中，请另行保存 shoujie keys export 导出的文件")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the configured database's contents by FILE, then verify the audit chain."""
    from cases.audit import verify  # loaded only by the commands that verify

    app = App()
    # Our own pooled connections would hold the old file or block pg_restore's DROPs.
    app.engine.dispose()
    manifest = backups.restore(
        app.settings.database_url, Path(args.file), key_fingerprint=app.settings.key_fingerprint
    )
    print(f"已恢复 {manifest['created_at']} 的备份 / restored: {args.file}")
    with app.engine.connect() as conn:
        result = verify(conn, app.rt.audit_key)
    app.engine.dispose()
    if result.broken:
        print(f"审计链校验失败 / audit chain broken: {result.broken}", file=sys.stderr)
        return 1
    print(f"审计链校验 / audit verify: OK {result.events} events")
    return 0


def register(sub: Subcommands) -> None:
    """Register ``backup FILE`` and ``restore FILE``."""
    make = sub.add_parser("backup", help="备份数据库（运行中也一致）")
    make.add_argument("file")
    make.set_defaults(func=cmd_backup)
    back = sub.add_parser("restore", help="从备份恢复数据库（先停止服务），并校验审计链")
    back.add_argument("file")
    back.set_defaults(func=cmd_restore)
