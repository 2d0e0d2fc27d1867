"""``shoujie keys show|export|import``: the office's keys, to move an office or keep them safe."""

import argparse
import os
from pathlib import Path

from api.cli.context import Subcommands
from cases import keys
from cases.settings import configured_database_url, settings


def cmd_keys_show(args: argparse.Namespace) -> int:
    """Print the keys' fingerprint and, in dev and test, where they are kept."""
    s = settings()
    print(f"密钥指纹 / key fingerprint: {s.key_fingerprint}")
    if not any(os.environ.get(name) for name in keys.KEY_NAMES):
        print(f"密钥目录 / key folder: {keys.key_dir(s.database_url)}")
    return 0


def cmd_keys_export(args: argparse.Namespace) -> int:
    """Write both keys to FILE (mode 0600); keep it as safe as the database."""
    s = settings()
    fp = keys.export_keys(s.secret_key, s.data_key, Path(args.file))
    print(f"密钥已导出到 {args.file}（指纹 {fp}），请与数据库备份分开妥善保管 / keys exported")
    return 0


def cmd_keys_import(args: argparse.Namespace) -> int:
    """Keep the keys of FILE for the configured database (dev and test; production sets them)."""
    url = configured_database_url()
    fp = keys.import_keys(Path(args.file), url, replace=args.replace)
    print(f"密钥已导入（指纹 {fp}）：{keys.key_dir(url)} / keys imported")
    if any(os.environ.get(name) for name in keys.KEY_NAMES):
        print("注意：环境变量 SHOUJIE_SECRET_KEY/SHOUJIE_DATA_KEY 已设置，将优先于导入的密钥")
    return 0


def register(sub: Subcommands) -> None:
    """Register ``keys show``, ``keys export FILE`` and ``keys import FILE``."""
    group = sub.add_parser("keys", help="密钥（导出、导入）").add_subparsers(
        dest="keys_command", required=True
    )
    group.add_parser("show", help="显示密钥指纹和存放位置").set_defaults(func=cmd_keys_show)
    exp = group.add_parser("export", help="把两把密钥导出到文件")
    exp.add_argument("file")
    exp.set_defaults(func=cmd_keys_export)
    imp = group.add_parser("import", help="从导出文件导入密钥（迁移办公室）")
    imp.add_argument("file")
    imp.add_argument("--replace", action="store_true", help="替换该数据库已有的不同密钥")
    imp.set_defaults(func=cmd_keys_import)
