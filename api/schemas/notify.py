"""The inbox: my messages, and marking them read."""

from pydantic import BaseModel, Field

from api.schemas.common import Answer, Instant


class Message(Answer):
    """One message of my inbox."""

    id: int
    topic: str = Field(description="如 escalation、supervision_notice")
    case_no: str | None
    text: str
    link: str | None = Field(description="相关页面")
    created_at: Instant
    read: bool
    delivery_status: str = Field(description="外部通道的投递状态")


class Inbox(BaseModel):
    """My messages, the newest first, and how many are unread."""

    unread: int
    messages: list[Message]


class Marked(BaseModel):
    """How many messages were marked read, and how many are still unread."""

    marked: int
    unread: int
