"""API schemas of integrations (names start with Webhook: unique in the OpenAPI document)."""

from datetime import datetime

from ninja import Field, Schema

from consortia.core.schemas import InputSchema

URL_MAX = 500


class WebhookEventTypeGroupOut(Schema):
    """A group of event types: subscribe to `group.*` or to single types."""

    group: str
    label: str
    wildcard: str
    types: list[str]


class WebhookEndpointIn(InputSchema):
    """A new endpoint of your organization in one network."""

    network: str = Field(..., max_length=60, description="The network's slug.")
    url: str = Field(..., max_length=URL_MAX, description="http:// or https:// URL.")
    event_types: list[str] = Field(
        ..., max_length=200, description="Exact types (`poll.closed`), groups (`poll.*`) or `*`."
    )
    description: str = Field("", max_length=200)
    enabled: bool = True


class WebhookEndpointPatch(InputSchema):
    """Change what you give; leave out the rest."""

    url: str | None = Field(None, max_length=URL_MAX)
    event_types: list[str] | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=200)
    enabled: bool | None = None


class WebhookEndpointOut(Schema):
    """An endpoint (its secret is never shown again after creation or rotation)."""

    id: int
    network: str
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str
    paused: bool = Field(
        False,
        description="No message is queued or sent: the person it delivers for is locked out of "
        "the network (e.g. two-factor authentication it requires) or left the organization.",
    )
    paused_reason: str = Field("", description="Why it is paused, and who can resume it.")
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_network(obj) -> str:
        return obj.network.slug

    @staticmethod
    def resolve_paused(obj) -> bool:
        from .permissions import is_paused

        return is_paused(obj)

    @staticmethod
    def resolve_paused_reason(obj) -> str:
        from .permissions import pause_reason

        return pause_reason(obj)


class WebhookEndpointSecretOut(WebhookEndpointOut):
    """The endpoint and its signing secret, shown this once (`whsec_…`)."""

    secret: str


class WebhookAttemptOut(Schema):
    """One delivery attempt."""

    id: int
    number: int
    attempted_at: datetime
    outcome: str
    status_code: int | None
    duration_ms: int
    response_excerpt: str
    error: str


class WebhookMessageOut(Schema):
    """A message to the endpoint; `webhook_id` is the same on every retry."""

    id: int
    webhook_id: str
    event_type: str
    event_id: int | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    created_at: datetime


class WebhookMessageDetailOut(WebhookMessageOut):
    """A message with every attempt, newest first."""

    attempt_log: list[WebhookAttemptOut]

    @staticmethod
    def resolve_attempt_log(obj) -> list:
        return list(obj.attempt_log.order_by("-attempted_at", "-id"))
