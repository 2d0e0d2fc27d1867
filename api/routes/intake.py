"""Before and beside registering: the candidates look-up (contract.md: an intake body in, the
petitioner's earlier and similar matters out, best first, nothing saved) and a contact on an
earlier case (a confirmed repeat, or an on-site reception)."""

from typing import Any

from fastapi import APIRouter, Response

from api.deps import SIGNED_IN, WITH_BODY, ApiIntake, ContactBody, Ctx, IntakeBody, problems
from api.schemas.intake import Candidate, ContactRecorded
from cases.db import reader
from cases.repeat import candidates, contacts
from workflow.errors import InvalidInput

router = APIRouter(prefix="/api/v1")


@router.post(
    "/intake/candidates",
    tags=["intake"],
    summary="登记前查找信访人的历史事项和相似事项（不保存）",
    response_model=list[Candidate],
    responses=problems(*SIGNED_IN, *WITH_BODY, s422="登记内容有误（errors 列出每个字段）"),
)
def intake_candidates(ctx: Ctx, user: ApiIntake, body: IntakeBody) -> list[dict[str, Any]]:
    """The petitioner's earlier matters and similar recent ones, best first, each with its score
    and the reasons it matched; ``likely_repeat`` marks the same person's same matter."""
    with reader(ctx.engine).connect() as conn:
        found = candidates.find_for_intake(
            conn, ctx.rt, body=body, viewer_staff_no=user.staff_no, now=ctx.clock.now()
        )
    return [c.as_json(ctx.rt.tz) for c in found]


def flag(body: dict[str, Any], name: str) -> bool:
    """Take a true/false member out of the body."""
    value = body.pop(name, False)
    if not isinstance(value, bool):
        raise InvalidInput(f"contact.{name}_invalid", f"「{name}」应为 true 或 false", field=name)
    return value


def text(body: dict[str, Any], name: str) -> str:
    """Take a text member out of the body ("" when absent or null)."""
    value = body.pop(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"contact.{name}_invalid", f"「{name}」应为文字", field=name)
    return value


@router.post(
    "/cases/{case_no}/contacts",
    status_code=201,
    tags=["cases"],
    summary="确认重复访：在原信访事项上记录来访，不重复受理",
    response_model=ContactRecorded,
    response_model_exclude_unset=True,
    responses=problems(
        *SIGNED_IN,
        *WITH_BODY,
        404,
        409,
        s404="没有该信访事项",
        s409="原信访事项已撤回，应作为新事项登记",
        s422="登记内容有误（errors 列出每个字段）",
    ),
)
def add_contact(
    ctx: Ctx, user: ApiIntake, case_no: str, response: Response, body: ContactBody
) -> dict[str, Any]:
    """A repeat petition: the intake body as given to the candidates look-up, plus optional
    ``summary``, ``on_site`` (下移接待) and ``handled_below``. ``{"kind": "on_site", "place": …,
    "summary": …, "group_size": N}`` records an on-site reception instead. The original's owner
    stays responsible and is told; a concluded matter is refused with Art. 36 ¶3's words."""
    data = dict(body)
    kind = data.pop("kind", "repeat")
    now = ctx.clock.now()
    with ctx.engine.begin() as conn:
        if kind == "on_site":
            size = data.get("group_size", 1)
            result = contacts.record_on_site(
                conn,
                ctx.rt,
                case_no=case_no,
                actor_staff_no=user.staff_no,
                now=now,
                place=text(data, "place"),
                summary=text(data, "summary"),
                group_size=size if isinstance(size, int) else -1,
            )
        elif kind == "repeat":
            summary = text(data, "summary")
            on_site = flag(data, "on_site")
            handled_below = flag(data, "handled_below")
            result = contacts.record_repeat(
                conn,
                ctx.rt,
                case_no=case_no,
                body=data,
                actor_staff_no=user.staff_no,
                now=now,
                summary=summary,
                on_site=on_site,
                handled_below=handled_below,
            )
        else:
            raise InvalidInput("contact.kind_invalid", "kind 应为 repeat 或 on_site", field="kind")
    response.headers["Location"] = f"/api/v1/cases/{case_no}"
    return result
