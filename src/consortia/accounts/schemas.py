"""API schemas of the accounts app (names unique across the OpenAPI document)."""

from datetime import datetime

from ninja import Field, Schema
from pydantic import StrictBool

from consortia.core.schemas import InputSchema, Text


class AccountSessionOut(Schema):
    """One browser session of yours."""

    id: int
    ip: str
    user_agent: str
    created_at: datetime
    last_seen_at: datetime
    current: bool = Field(description="The session this request uses.")


class SecurityEventOut(Schema):
    """One entry of your security log."""

    kind: str
    label: str
    detail: str
    ip: str | None
    user_agent: str
    created_at: datetime


class TokenExchangeIn(InputSchema):
    email: Text(254, min_length=3)
    password: Text(1024, min_length=1)
    code: Text(20) | None = Field(
        None, description="The authenticator app's code (or a recovery code), if you use one."
    )
    name: Text(100, min_length=1, description="What the new token is for.")


class SignOutOthersIn(InputSchema):
    revoke_tokens: StrictBool = Field(False, description="Also revoke all your API tokens.")


class SignOutOthersOut(Schema):
    sessions_ended: int
    tokens_revoked: int
