"""API shapes of joint reviews."""

from datetime import date, datetime
from enum import StrEnum

from ninja import Field, Schema

from consortia.core.schemas import MAX_ID


class CadenceIn(StrEnum):
    monthly = "monthly"
    quarterly = "quarterly"
    half_yearly = "half_yearly"


class ReviewEntryKind(StrEnum):
    works = "works"
    does_not_work = "does_not_work"
    lesson = "lesson"
    celebration = "celebration"


class ExportFormat(StrEnum):
    md = "md"
    pdf = "pdf"


class ScheduleIn(Schema):
    cadence: CadenceIn
    first_on: date


class ScheduleOut(Schema):
    cadence: str
    first_on: date
    set_at: datetime


class ReviewIn(Schema):
    scheduled_for: date


class ReviewOut(Schema):
    id: int
    initiative_id: int
    scheduled_for: date
    status: str
    held_at: datetime | None
    period_start: date | None
    signed_off_at: datetime | None


class ReviewEntryIn(Schema):
    kind: ReviewEntryKind
    text: str = Field(..., max_length=5000)
    kudos_person_id: int | None = Field(None, ge=1, le=MAX_ID)
    kudos_organization_id: int | None = Field(None, ge=1, le=MAX_ID)


class ActionIn(Schema):
    to_organization_id: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field(..., max_length=200)
    due_on: date
    description: str = Field("", max_length=5000)


class ReviewEntryOut(Schema):
    id: int
    kind: str
    text: str
    author: str | None
    organization: str | None
    kudos_person: str | None
    kudos_organization: str | None
    request_id: int | None
    created_at: datetime


class SignoffOut(Schema):
    organization_id: int
    organization: str
    signed_by: str | None
    signed_at: datetime | None
    current: bool = Field(
        description="False when the sign-off was given before later entries were added: "
        "signed before the last changes, to be renewed."
    )


class ReviewDetailOut(ReviewOut):
    snapshot: dict | None
    entries: list[ReviewEntryOut]
    signoffs: list[SignoffOut]
