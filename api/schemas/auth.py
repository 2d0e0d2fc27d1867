"""Signing in to the API and who the signed-in user is."""

from typing import Annotated, Literal

from fastapi import Form
from pydantic import BaseModel, Field, WithJsonSchema

from api.schemas.common import Role


class Token(BaseModel):
    """A bearer token (OAuth2 password flow)."""

    access_token: str
    token_type: Literal["bearer"]
    expires_in: int = Field(description="最长有效期（秒）；闲置超时也会结束令牌")
    must_change_password: bool = Field(
        default=False, description="管理员已重置密码：须先 POST /api/v1/me/password"
    )


class Me(BaseModel):
    """The signed-in staff member."""

    staff_no: str = Field(description="工号")
    name: str
    role: Role
    role_label: str
    must_change_password: bool = False


# A form has no null: an optional field is one that may be left out.
FORM_ENUM = WithJsonSchema({"type": "string", "enum": ["password"]})
FORM_TEXT = WithJsonSchema({"type": "string"})


class TokenForm:
    """The OAuth2 password form (``username`` is the 工号); both must be given, as the framework
    reads an empty field as a missing one."""

    def __init__(
        self,
        *,
        username: Annotated[str, Form(min_length=1, description="工号")],
        password: Annotated[str, Form(min_length=1, json_schema_extra={"format": "password"})],
        grant_type: Annotated[Literal["password"] | None, FORM_ENUM, Form()] = None,
        scope: Annotated[str, Form()] = "",
        client_id: Annotated[str | None, FORM_TEXT, Form()] = None,
        client_secret: Annotated[str | None, FORM_TEXT, Form()] = None,
    ) -> None:
        self.username = username
        self.password = password
        self.grant_type = grant_type
        self.scopes = scope.split()
        self.client_id = client_id
        self.client_secret = client_secret
