"""``shoujie serve``: the web pages, the JSON API and the background sweeper."""

import argparse
import os

from api.cli.context import Subcommands


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the web pages, the API and the background sweeper; production refuses what is
    unsafe first (exit 2, each finding in Chinese)."""
    import uvicorn  # loaded only to serve: the other commands start faster without it

    from api.observability import json_log_config, text_log_config
    from cases.db import engine_for
    from cases.production import refuse_unsafe
    from cases.settings import settings

    s = settings()
    refuse_unsafe(engine_for(s.database_url), s)
    # JSON lines (with the request id) unless asked for uvicorn's own text.
    # Either way no phone or ID number reaches the log (api.observability.RedactNumbers).
    log_config = json_log_config() if args.log_format == "json" else text_log_config()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=log_config,
    )
    return 0


def register(sub: Subcommands) -> None:
    """Register ``serve``."""
    s = sub.add_parser("serve", help="网页、接口和后台扫描")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=1)
    s.add_argument(
        "--log-format",
        choices=("json", "text"),
        default=os.environ.get("SHOUJIE_LOG_FORMAT", "json"),
        help="日志格式：json（默认，每行一个 JSON，带 request_id）或 text",
    )
    s.set_defaults(func=cmd_serve)
