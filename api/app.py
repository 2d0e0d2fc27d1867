"""The web application, wired: settings, routers, middleware, error handlers, background loops.

``shoujie serve`` runs ``create_app`` as a uvicorn factory; tests call it with their own engine,
runtime and fixed clock.
"""

import os
from datetime import timedelta
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.middleware.sessions import SessionMiddleware

from api import background
from api.deps import AppContext
from api.errors import install_handlers
from api.input_guard import guard_input
from api.middleware import BodyLimit, SecurityHeaders
from api.observability import Metrics, RequestObserver
from api.openapi import install_openapi
from api.pages import site
from api.pages import training as training_pages
from api.pages.templating import template_env
from api.routes import (
    accounts,
    auth,
    briefing,
    cases,
    escalations,
    extensions,
    health,
    inbox,
    intake,
    joint,
)
from api.routes import notices as notice_routes
from api.routes import office as office_routes
from api.routes import reports as report_routes
from api.security import STATE_MAX_AGE, derive_key
from cases.accounts.sessions import Timeouts
from cases.db import engine_for
from cases.monitoring import gauges, pool_in_use
from cases.production import refuse_unsafe
from cases.runtime import Runtime
from cases.settings import Clock, settings
from cases.training.office import TrainingClock, training_settings

STATIC = Path(__file__).resolve().parent / "static"

#: The JSON API's routers, in the order the OpenAPI document lists them.
API_ROUTERS = (
    auth.router,
    accounts.router,
    office_routes.router,
    cases.router,
    intake.router,
    escalations.router,
    notice_routes.router,
    extensions.router,
    joint.router,
    inbox.router,
    briefing.router,
    report_routes.router,
    health.router,
)


def timeouts_of(rt: Runtime) -> Timeouts:
    """The sessions' and tokens' idle and absolute timeouts from the settings."""
    s = rt.settings
    return Timeouts(
        idle=timedelta(minutes=s.session_idle_minutes),
        web_max=timedelta(hours=s.session_max_hours),
        api_max=timedelta(hours=s.token_max_hours),
    )


def create_app(
    engine: Engine | None = None,
    rt: Runtime | None = None,
    clock: Clock | None = None,
    *,
    sweep_interval: float | None = None,
    deliver_interval: float | None = None,
    training: bool | None = None,
) -> FastAPI:
    """The application; anything not given is read from the environment (contract.md).

    The sweeper runs every ``sweep_interval`` seconds (default ``SHOUJIE_SWEEP_INTERVAL``, 60;
    0 turns it off). The notification worker (``cases.notify.worker``) and the daily briefing run
    every ``deliver_interval`` seconds (default ``SHOUJIE_DELIVER_INTERVAL``, 10; 0 turns it off).

    ``training`` (default: ``SHOUJIE_TRAINING=1``, set by ``shoujie training serve``) serves the
    training office instead: its own database and keys, the scenarios' clock, every page marked
    「演练」, and no delivery worker, so no notification leaves the process (README, "Training").
    """
    if training is None:
        training = os.environ.get("SHOUJIE_TRAINING") == "1"
    real = rt.settings if rt is not None else settings()
    s = training_settings(real) if training and rt is None else real
    engine = engine or engine_for(s.database_url)
    if not training:
        # Production refuses demo data, published passwords, weak keys (exit 2 at ``shoujie
        # serve``), before anything uses the keys. The training office is the demo's by design.
        refuse_unsafe(engine, s)
    rt = rt or Runtime.from_settings(s)
    if clock is None:
        clock = TrainingClock(engine, Clock(real.fixed_now)) if training else Clock(s.fixed_now)
    if sweep_interval is None:
        sweep_interval = float(os.environ.get("SHOUJIE_SWEEP_INTERVAL", "60"))
    if deliver_interval is None:
        deliver_interval = float(os.environ.get("SHOUJIE_DELIVER_INTERVAL", "10"))
    if training:
        deliver_interval = 0  # the outbox stays in the training office: the trainer reads it
    secret = rt.settings.secret_key
    ctx = AppContext(
        engine=engine,
        rt=rt,
        clock=clock,
        templates=template_env(rt.tz, rt.regions),
        timeouts=timeouts_of(rt),
        training=training,
        real_clock=clock.real if isinstance(clock, TrainingClock) else None,
    )
    ctx.templates.globals["training"] = training

    app = FastAPI(
        title="首接 Shoujie",
        summary="信访接待首接负责制案件跟踪 — JSON API",
        version="0.1.0",
        lifespan=background.lifespan(
            ctx, sweep_interval=sweep_interval, deliver_interval=deliver_interval
        ),
        # Swagger UI and ReDoc load third-party scripts from a CDN; the description is enough.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        # Every request's text and ids are checked once, before any route reads them.
        dependencies=[Depends(guard_input)],
    )
    app.state.ctx = ctx
    app.state.metrics = Metrics()
    app.state.metrics.watch(lambda: _gauges(ctx))
    app.state.sweep_interval = sweep_interval

    # Added innermost first: the body limit runs before anything reads a byte.
    app.add_middleware(
        SessionMiddleware,
        secret_key=derive_key(secret, "session"),
        # Anonymous page state only (CSRF, flash, /track grants); who is signed in is the opaque
        # ``shoujie_sid`` cookie, its session a row (cases.accounts.sessions).
        session_cookie="shoujie_state",
        max_age=STATE_MAX_AGE,
        same_site="lax",
        https_only=rt.settings.env == "prod",
    )
    app.add_middleware(SecurityHeaders, hsts=rt.settings.env == "prod")
    app.add_middleware(BodyLimit, attachment_limit=rt.settings.attachment_case_max_bytes)
    # Outermost: every answer, a refused body's included, is counted and carries its request id.
    app.add_middleware(RequestObserver, metrics=app.state.metrics)

    install_handlers(app)
    for router in API_ROUTERS:
        app.include_router(router)
    if training:
        app.include_router(training_pages.router)
    app.include_router(site.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_openapi(app)
    return app


def _gauges(ctx: AppContext) -> dict[str, float]:
    """The database's gauges and this process's pool, read when /metrics is scraped."""
    with ctx.engine.connect() as conn:
        values = gauges(conn, ctx.clock.now())
    return {**values, "db_pool_in_use": pool_in_use(ctx.engine)}
