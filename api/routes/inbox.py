"""My inbox: the messages the office sent me, and marking them read."""

from typing import Any

from fastapi import APIRouter

from api.deps import SIGNED_IN, ApiStaff, Ctx, Id, problems
from api.schemas.notify import Inbox, Marked
from cases.notify import inbox

router = APIRouter(prefix="/api/v1", tags=["inbox"])


@router.get("/inbox", summary="我的消息", response_model=Inbox, responses=problems(*SIGNED_IN, 422))
def inbox_api(ctx: Ctx, user: ApiStaff, unread: bool = False) -> dict[str, Any]:
    """My messages, the newest first, and how many are unread."""
    with ctx.engine.begin() as conn:
        return {
            "unread": inbox.unread_count(conn, user.staff_no),
            "messages": inbox.messages_for(conn, ctx.rt, user.staff_no, unread_only=unread),
        }


@router.post(
    "/inbox/{message_id}/read",
    summary="标记为已读",
    response_model=Marked,
    responses=problems(*SIGNED_IN, 422),
)
def inbox_read_api(ctx: Ctx, user: ApiStaff, message_id: Id) -> dict[str, Any]:
    """Mark one of my messages as read."""
    with ctx.engine.begin() as conn:
        changed = inbox.mark_read(conn, user.staff_no, ctx.clock.now(), message_id=message_id)
        unread = inbox.unread_count(conn, user.staff_no)
    return {"marked": changed, "unread": unread}
