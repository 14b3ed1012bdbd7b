"""API shapes of health checks (names start with HealthCheck: one name per schema)."""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import field_validator

from consortia.core.schemas import MAX_ID, InputSchema, Text, aware_datetime

Score = Annotated[int, Field(strict=True, ge=1, le=5, description="1 (poor) to 5 (excellent).")]
Comment = Text(2000)
Id = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]


class HealthCheckOpenIn(InputSchema):
    """Either `partner_organization_id` (a pair) or `initiative_id` (its participants)."""

    partner_organization_id: Id | None = None
    initiative_id: Id | None = None
    deadline: datetime = Field(description="Answers stay sealed until every side answered or then.")
    title: Text(200) = ""

    @field_validator("deadline")
    @classmethod
    def _in_range(cls, value: datetime) -> datetime:
        return aware_datetime(value)


class HealthCheckScoresIn(InputSchema):
    strategic_fit: Score
    communication: Score
    trust_delivery: Score
    fairness: Score
    leadership_roles: Score
    value_so_far: Score


class HealthCheckCommentsIn(InputSchema):
    strategic_fit: Comment = ""
    communication: Comment = ""
    trust_delivery: Comment = ""
    fairness: Comment = ""
    leadership_roles: Comment = ""
    value_so_far: Comment = ""


class HealthCheckAnswerIn(InputSchema):
    scores: HealthCheckScoresIn
    comments: HealthCheckCommentsIn = Field(default_factory=HealthCheckCommentsIn)


class HealthCheckRaterIn(InputSchema):
    person_id: Id


class HealthCheckActionIn(InputSchema):
    to_organization_id: Id
    title: Text(200, min_length=1)
    due_on: date
    initiative_id: Id | None = Field(
        None, description="For a pair's health check: the initiative the request is sent in."
    )
    description: Text(5000) = ""


class HealthCheckSideOut(Schema):
    organization_id: int
    organization: str
    answered: bool


class HealthCheckBarOut(Schema):
    organization_id: int
    organization: str
    score: float | None = Field(description="The side's mean score; null while sealed.")


class HealthCheckCommentOut(Schema):
    organization: str
    score: int
    comment: str


class HealthCheckDimensionOut(Schema):
    key: str
    label: str
    sides: list[HealthCheckBarOut]
    gap: float | None = Field(description="Highest side's score minus the lowest; null if sealed.")
    comments: list[HealthCheckCommentOut]


class HealthCheckOut(Schema):
    id: int
    network: str = Field(description="The network's slug.")
    initiative_id: int | None
    title: str
    deadline: datetime
    created_at: datetime
    unsealed: bool = Field(description="Every side answered, or the deadline passed.")
    unsealed_at: datetime | None
    sides: list[HealthCheckSideOut]

    # Lists are built from model rows (sides prefetched); details pass dicts through.
    @staticmethod
    def resolve_network(obj) -> str:
        return obj["network"] if isinstance(obj, dict) else obj.network.slug

    @staticmethod
    def resolve_unsealed(obj) -> bool:
        return obj["unsealed"] if isinstance(obj, dict) else obj.is_unsealed

    @staticmethod
    def resolve_sides(obj) -> list[dict]:
        if isinstance(obj, dict):
            return obj["sides"]
        return [
            {
                "organization_id": s.organization_id,
                "organization": s.organization.name,
                "answered": s.answered_at is not None,
            }
            for s in obj.sides.all()
        ]


class HealthCheckDetailOut(HealthCheckOut):
    dimensions: list[HealthCheckDimensionOut] = Field(
        description="Before unsealing: your own side's scores only."
    )
    may_answer: bool
    action_items: list["HealthCheckActionOut"]


class HealthCheckActionOut(Schema):
    id: int
    title: str
    to_organization: str | None
    request_id: int | None
    created_at: datetime


class HealthCheckRaterOut(Schema):
    id: int
    person_id: int
    person: str


HealthCheckDetailOut.model_rebuild()
