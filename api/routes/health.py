"""/healthz: 200 while the database answers; /readyz: 200 when it answers and its schema is at the
migrations' head (a load balancer sends traffic only then); /metrics: Prometheus."""

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import Ctx, Public, problems
from api.errors import problem
from api.schemas.common import Health
from cases.db import ping
from cases.monitoring import migrations_current

log = logging.getLogger("shoujie")

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    summary="数据库可用时返回 200",
    response_model=Health,
    responses=problems(500, 503),
)
def healthz(ctx: Ctx, _: Public) -> Health | Response:
    """200 when the database answers, 503 otherwise."""
    try:
        ok = ping(ctx.engine)
    except Exception:  # noqa: BLE001  (any failure to answer is "not healthy")
        log.exception("health check failed")
        ok = False
    if ok:
        return Health(status="ok")
    return problem(503, "health.db_unavailable", "数据库无法连接")


@router.get(
    "/readyz",
    summary="数据库可用且已迁移到最新版本时返回 200",
    response_model=Health,
    responses=problems(500, 503),
)
def readyz(ctx: Ctx, _: Public) -> Health | Response:
    """200 when the database answers and every migration is applied, 503 otherwise."""
    try:
        with ctx.engine.connect() as conn:
            current = migrations_current(conn)
    except Exception:  # noqa: BLE001  (any failure to answer is "not ready")
        log.warning("readiness: database unavailable", exc_info=True)
        refused = problem(503, "ready.db_unavailable", "数据库无法连接")
        refused.headers["Retry-After"] = "5"
        return refused
    if not current:
        return problem(
            503, "ready.migrations_pending", "数据库尚未迁移到最新版本：请运行 shoujie db upgrade"
        )
    return Health(status="ok")


@router.get("/metrics", summary="Prometheus 指标", include_in_schema=False)
def metrics(request: Request, _: Public) -> Response:
    """The application's metrics in Prometheus's text format."""
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
