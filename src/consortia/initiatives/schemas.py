"""Request and response shapes of the initiatives API (C3, C4)."""

from datetime import date, datetime
from enum import StrEnum

from django.urls import reverse
from ninja import Field, Schema
from pydantic import field_validator

from consortia.core.schemas import MAX_ID, InputSchema, OrganizationRef, Text, aware_datetime
from consortia.networks.schemas import PersonRef

LONG_TEXT = 10_000


class InitiativeFilter(StrEnum):
    all = "all"
    active = "active"
    proposed = "proposed"
    mine = "mine"


class Transition(StrEnum):
    start = "start"
    complete = "complete"
    cancel = "cancel"


class Answer(StrEnum):
    accept = "accept"
    decline = "decline"


class RequestKind(StrEnum):
    task = "task"
    role = "role"


class RaciRole(StrEnum):
    R = "R"
    A = "A"
    C = "C"
    I = "I"  # noqa: E741 - the RACI letter


class InitiativeIn(InputSchema):
    title: Text(200, min_length=1)
    objective: Text(LONG_TEXT, min_length=1)
    scope: Text(LONG_TEXT) = ""
    boundaries: Text(LONG_TEXT, description="What is out of scope.") = ""
    challenge_url: Text(200, description="A link to the challenge it addresses.") = ""
    starts_on: date
    ends_on: date = Field(description="Not before starts_on. A leader's term lasts until its end.")


class InitiativeOut(Schema):
    """An initiative as the active members of its network see it."""

    id: int
    network: str = Field(alias="network.slug")
    title: str
    challenge_url: str
    objective: str
    scope: str
    boundaries: str
    starts_on: date
    ends_on: date
    status: str
    proposed_by: OrganizationRef | None


class JoinIn(InputSchema):
    message: Text(2_000) = ""


class InviteIn(InputSchema):
    organization_id: int = Field(ge=1, le=MAX_ID)


class ParticipationOut(Schema):
    id: int
    organization: OrganizationRef
    status: str
    team_leader: PersonRef | None
    message: str
    created_at: datetime
    decided_at: datetime | None


class NominateIn(InputSchema):
    person_id: int = Field(ge=1, le=MAX_ID)


class NominationOut(Schema):
    id: int
    person: PersonRef
    organization: OrganizationRef
    state: str = Field(description="pending, accepted or declined.")
    created_at: datetime


class TermOut(Schema):
    """The leadership term covering now; authority ends by itself at ends_at."""

    person: PersonRef
    organization: OrganizationRef
    starts_at: datetime
    ends_at: datetime
    source: str


class RaciRow(InputSchema):
    name: Text(200, min_length=1)
    roles: dict[str, RaciRole] = Field(
        default_factory=dict, description="Participating organization id → R, A, C or I."
    )


class PlanIn(InputSchema):
    goals: Text(LONG_TEXT, min_length=1)
    rules: Text(LONG_TEXT) = ""
    boundaries: Text(LONG_TEXT) = ""
    responsibilities: list[RaciRow] = Field(default_factory=list, max_length=200)


class PlanOut(Schema):
    id: int
    version: int
    goals: str
    rules: str
    boundaries: str
    raci: dict
    created_at: datetime
    accepted_by: list[OrganizationRef]

    @staticmethod
    def resolve_accepted_by(obj):
        return [a.organization for a in obj.acceptances.all()]


class RequestIn(InputSchema):
    to_organization_id: int = Field(ge=1, le=MAX_ID)
    to_person_id: int | None = Field(None, ge=1, le=MAX_ID)
    kind: RequestKind = RequestKind.task
    title: Text(200, min_length=1)
    description: Text(LONG_TEXT) = ""
    due_on: date = Field(description="The proposed due date; not in the past.")
    on_behalf_of_initiative: bool = Field(False, description="Only the current leader may.")


class RequestOut(Schema):
    id: int
    initiative_id: int
    kind: str
    title: str
    description: str
    from_organization: OrganizationRef
    from_person: PersonRef | None
    on_behalf_of_initiative: bool
    to_organization: OrganizationRef
    to_person: PersonRef | None
    due_on: date
    status: str
    reason: str
    counter_due_on: date | None
    created_at: datetime


class ReasonIn(InputSchema):
    reason: Text(LONG_TEXT) = ""


class DateIn(InputSchema):
    due_on: date
    reason: Text(LONG_TEXT) = ""


class CommitmentAction(StrEnum):
    deliver = "deliver"
    miss = "miss"
    withdraw = "withdraw"


class CommitmentOut(Schema):
    id: int
    initiative_id: int
    request_id: int
    title: str
    owner_organization: OrganizationRef
    owner_person: PersonRef | None
    due_on: date
    status: str
    note: str
    delivered_at: datetime | None
    previous_id: int | None
    overdue: bool = Field(description="Open and past its due date, computed when read.")
    timeliness: str = Field(description='"on time" or "late" once delivered, else "".')

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue


# Elections, recalls and extensions ---------------------------------------------------------


class ElectionMethod(StrEnum):
    schulze = "schulze"
    consensus = "consensus"


class _ClosesAt(InputSchema):
    closes_at: datetime = Field(description="When voting closes; a time without zone is UTC.")

    @field_validator("closes_at")
    @classmethod
    def _closes_at_aware(cls, value):
        return aware_datetime(value)


class ElectionIn(_ClosesAt):
    method: ElectionMethod = Field(
        ElectionMethod.schulze,
        description="schulze: rank the accepted nominees; consensus: exactly one nominee.",
    )


class RecallIn(_ClosesAt):
    reason: Text(2_000, min_length=1)


class ExtensionIn(_ClosesAt):
    new_end: date = Field(description="After the initiative's current end.")


class InitiativePollOut(Schema):
    """An election, recall or extension poll; vote on the decisions poll page or API."""

    id: int
    title: str
    kind: str
    method: str
    action: str
    opens_at: datetime
    closes_at: datetime
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("poll_detail", args=[obj.network.slug, obj.pk])
