"""Schemas shared by every API router: errors, bounded text, the caller and their tokens."""

from datetime import UTC, datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

# Ids are 64-bit database keys; a bigger number must be a 422, not a database overflow.
MAX_ID = 2**63 - 1
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
# The pattern is published in the OpenAPI document so generated clients (and the fuzzer) know
# that NUL characters are refused; the validator below enforces it with a clear message.
NO_NUL_PATTERN = r"^[^\x00]*$"


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text cannot contain NUL (0x00) characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode (no unpaired surrogates).") from None
    return value


EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def aware_datetime(value: datetime | None) -> datetime | None:
    """A time from the API in UTC (a naive one is taken as UTC), refused outside the years 2000
    to 2200: every app's schemas validate their times with it."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("Give a time between the years 2000 and 2200.") from None
    if not EARLIEST <= value < LATEST:
        raise ValueError("Give a time between the years 2000 and 2200.")
    return value


def Text(max_length: int, *, min_length: int = 0, description: str = "", **extra):
    """A string with a length limit that refuses characters no database can store."""
    return Annotated[
        str,
        Field(
            min_length=min_length,
            max_length=max_length,
            pattern=NO_NUL_PATTERN,
            description=description or None,
            **extra,
        ),
        AfterValidator(_clean_text),
    ]


class InputSchema(Schema):
    """A request body: a JSON object with known fields only, so a typo in a field name is a
    422 instead of a silently ignored change (and a body that is not an object is refused)."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    """An error with one human-readable sentence."""

    detail: str = Field(description="What went wrong, in a sentence meant for people.")


class FieldError(Schema):
    loc: list[str | int] = Field(
        description='Where the error is: e.g. ["body", "payload", "name"]; empty when the '
        "error concerns the request as a whole."
    )
    msg: str
    type: str


class ValidationErrorOut(Schema):
    """Input that cannot be accepted; nothing was changed. The same shape for schema errors and
    for rules checked by the server (unique names, states that do not allow the action)."""

    detail: list[FieldError]


ERRORS = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
    # A client address that keeps sending unknown tokens is locked out for a while (the
    # sentence says until when; the Retry-After header says how many seconds).
    429: ErrorOut,
}
"""The error responses every authenticated operation may give."""

BODY_ERRORS = {400: ErrorOut, 413: ErrorOut, **ERRORS}
"""…and those of an operation with a JSON body, which may not parse at all (400) or be larger
than the server accepts (413, DATA_UPLOAD_MAX_MEMORY_SIZE)."""


class OrganizationRef(Schema):
    slug: str
    name: str


class MeOut(Schema):
    """The signed-in person and the organization they act for."""

    id: int
    email: str
    name: str
    organization: OrganizationRef | None = Field(
        description="The organization this person acts for; null until they create or join one."
    )
    role: str | None = Field(description="team_leader or member; null without an organization.")
    department: str | None
    is_team_leader: bool


class TokenOut(Schema):
    """A personal access token. Only its first characters (`hint`) are ever shown again."""

    id: int
    name: str
    hint: str = Field(description="The first characters of the token, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")
    revoked_at: datetime | None
    active: bool

    @staticmethod
    def resolve_active(obj) -> bool:
        return obj.revoked_at is None


class TokenCreatedOut(TokenOut):
    token: str = Field(
        description="The token itself. It is shown only in this response; store it now."
    )


class TokenCreateIn(InputSchema):
    name: Text(100, min_length=1, description="What the token is for, e.g. “CI metrics import”.")


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


NotificationId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]


class NotificationsReadIn(InputSchema):
    ids: list[NotificationId] | None = Field(
        None, max_length=500, description="Mark only these; omit to mark every notification read."
    )


class NotificationsReadOut(Schema):
    marked: int


# What waits for me (core.waiting) --------------------------------------------------------------


class WaitingActionOut(Schema):
    label: str = Field(description="What the button or link says, e.g. “Approve”.")
    method: str = Field(description="`post`: one request does it; `get`: a page to open first.")
    url: str = Field(description="The web address of the action (a form post or a page).")
    fields: dict[str, str] = Field(
        description="The form fields to post with it; an empty value is for the person to fill "
        "(a reason, a date)."
    )


class WaitingItemOut(Schema):
    key: str = Field(description="Unique and stable: `<kind>-<id>`, e.g. `poll-12`.")
    title: str
    url: str = Field(description="Where to see it on the web; may be empty.")
    detail: str
    network: str = Field(description="The name of the network it belongs to.")
    due: str | None = Field(description="ISO date or time, or null.")
    due_label: str = Field(description="What `due` means: due, closes, expires…")
    overdue: bool
    note: str = Field(description="Why the caller cannot act on it themselves, if so.")
    actions: list[WaitingActionOut]


class WaitingSectionOut(Schema):
    key: str = Field(description="admissions, polls, requests, commitments…")
    title: str
    count: int = Field(description="How many are waiting in all (items holds the first few).")
    items: list[WaitingItemOut]


class WaitingOut(Schema):
    total: int
    sections: list[WaitingSectionOut]
