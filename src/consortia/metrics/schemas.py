"""Request and response shapes of the metrics API (C7)."""

from datetime import date
from decimal import Decimal
from enum import StrEnum

from ninja import Field, Schema

from consortia.core.schemas import MAX_ID, InputSchema, Text

MAX_BULK = 10_000
Number = float | int | Text(40)


class MetricDirection(StrEnum):
    higher = "higher"
    lower = "lower"


class Aggregation(StrEnum):
    sum = "sum"
    mean = "mean"
    last = "last"


class Cadence(StrEnum):
    weekly = "weekly"
    monthly = "monthly"
    quarterly = "quarterly"


class Scope(StrEnum):
    network = "network"
    organization = "organization"
    initiative = "initiative"


class MeasurementVisibility(StrEnum):
    organization = "organization"
    initiative = "initiative"
    network = "network"


class MetricIn(InputSchema):
    name: Text(120, min_length=1)
    unit: Text(30, min_length=1)
    description: Text(5000) = ""
    direction: MetricDirection = MetricDirection.higher
    aggregation: Aggregation = Aggregation.sum
    cadence: Cadence = Cadence.monthly
    scope: Scope = Field(
        Scope.network,
        description="network: proposed for the catalog (members adopt it by poll); "
        "organization or initiative: private.",
    )
    initiative_id: int | None = Field(None, ge=1, le=MAX_ID)
    non_negative: bool = Field(
        False, description="true: values below zero are refused (a count, an amount)."
    )


class MetricOut(Schema):
    id: int
    name: str
    description: str
    unit: str
    direction: str
    aggregation: str
    cadence: str
    scope: str
    non_negative: bool = Field(description="Values below zero are refused.")
    status: str = Field(description="proposed, standard, retired, or private.")
    owner_organization_id: int | None
    owner_initiative_id: int | None


class MetricPollIn(InputSchema):
    retire: bool = Field(False, description="true: retire a standard metric; false: adopt it.")


class PollRef(Schema):
    id: int
    title: str
    closes_at: str


class MeasurementIn(InputSchema):
    """One row, as in the CSV file: organization is your organization's slug."""

    metric: Text(120, min_length=1, description="The metric's name.")
    organization: Text(160, min_length=1, description="Your organization's slug.")
    period: Text(10, min_length=1, description="2026-03-15, 2026-03, 2026-Q1 or 2026-W11.")
    value: Number
    initiative: int | None = Field(None, ge=1, le=MAX_ID)
    visibility: MeasurementVisibility | None = None
    unit: Text(30) | None = Field(None, description="If given, must be the metric's unit.")


class BulkIn(InputSchema):
    items: list[MeasurementIn] = Field(..., min_length=1, max_length=MAX_BULK)


class BulkOut(Schema):
    created: int
    updated: int


class MeasurementOut(Schema):
    id: int
    metric_id: int
    organization_id: int
    initiative_id: int | None
    period_start: date
    value: Decimal
    visibility: str


class SeriesPoint(Schema):
    period: date
    value: Decimal
    organization: str


class TotalPoint(Schema):
    period: date
    value: Decimal | None


class GoalIn(InputSchema):
    metric_id: int = Field(..., ge=1, le=MAX_ID)
    baseline: Number
    target: Number
    deadline: date
    note: Text(300) = ""


class GoalOut(Schema):
    goal_id: int
    metric_id: int
    metric: str
    unit: str
    direction: str
    baseline: Decimal
    target: Decimal
    deadline: date
    current: Decimal | None
    period: date | None
    progress: float | None = Field(description="Share of the way from baseline to target, 0..1.")
    on_track: bool | None
