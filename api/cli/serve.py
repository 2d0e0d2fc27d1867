"""``shoujie serve``: the web pages, the JSON API and the background sweeper."""

import argparse

from api.cli.context import Subcommands


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the web pages, the API and the background sweeper; production refuses what is
    unsafe first (exit 2, each finding in Chinese)."""
    import uvicorn  # loaded only to serve: the other commands start faster without it

    from cases.db import engine_for
    from cases.production import refuse_unsafe
    from cases.settings import settings

    s = settings()
    refuse_unsafe(engine_for(s.database_url), s)

    uvicorn.run(
        "api.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers
    )
    return 0


def register(sub: Subcommands) -> None:
    """Register ``serve``."""
    s = sub.add_parser("serve", help="网页、接口和后台扫描")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=1)
    s.set_defaults(func=cmd_serve)
