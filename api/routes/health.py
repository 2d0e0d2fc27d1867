"""/healthz: 200 while the database answers, 503 otherwise."""

import logging

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import Ctx, Public, problems
from api.errors import problem
from api.schemas.common import Health
from cases.db import ping

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
