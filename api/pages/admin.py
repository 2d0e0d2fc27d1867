"""The admins' delivery page: notifications that failed, are pending or were sent; a retry form."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Ctx, Form, PageDeliveries
from api.pages.common import render, run_form
from cases.notify import admin, channels

router = APIRouter(include_in_schema=False)


@router.get("/admin/deliveries")
def deliveries_page(
    request: Request, ctx: Ctx, user: PageDeliveries, status: str = "failed"
) -> Response:
    """Notifications that failed (with their errors), pending or sent; send a failed one again."""
    status = status if status in (*admin.DELIVERY_STATUS_LABELS, "all") else "failed"
    config = channels.ChannelConfig.from_env()
    with ctx.engine.begin() as conn:
        rows = admin.deliveries(conn, ctx.rt, status=status)
        counts = admin.delivery_counts(conn)
    return render(
        request,
        "admin_deliveries.html",
        user=user,
        rows=rows,
        counts=counts,
        shown=status,
        configured=config.configured(),
        channel_labels=channels.CHANNEL_LABELS,
        status_labels=admin.DELIVERY_STATUS_LABELS,
    )


@router.post("/admin/deliveries/{delivery_id}/retry")
def delivery_retry_submit(
    request: Request, ctx: Ctx, user: PageDeliveries, delivery_id: int, form: Form
) -> Response:
    """Send a failed delivery again (a fresh round of attempts)."""
    return run_form(
        request,
        ctx,
        "/admin/deliveries",
        "已重新排队发送",
        lambda conn: admin.retry(conn, delivery_id, ctx.clock.now()),
    )
