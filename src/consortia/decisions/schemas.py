"""Request and response shapes of the decisions API (C2)."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from ninja import Field, Schema
from pydantic import field_validator

from consortia.core.schemas import InputSchema, Text, aware_datetime

# One enum for one idea: the same name twice in the OpenAPI document would clash.
from consortia.networks.schemas import AdmissionRule


class PollKind(StrEnum):
    consensus = "consensus"
    yes_no = "yes_no"
    approval = "approval"
    ranked = "ranked"
    score = "score"


class RankedMethod(StrEnum):
    schulze = "schulze"
    ranked_pairs = "ranked_pairs"
    irv = "irv"


class PollAction(StrEnum):
    none = ""
    remove = "remove"
    amend_charter = "amend_charter"
    admission_rule = "admission_rule"


class PollCreateIn(InputSchema):
    title: Text(200, min_length=1, description="The question, e.g. “Admit Gamma Group?”")
    description: Text(10_000) = ""
    kind: PollKind
    method: RankedMethod | None = Field(None, description="Ranked polls only; default schulze.")
    options: list[Text(200)] = Field(
        default_factory=list,
        max_length=50,
        description="Approval, ranked and score polls: at least two distinct options.",
    )
    threshold: Text(20) = Field(
        "",
        description="yes_no: majority (default), two-thirds, unanimity or a share; "
        "consensus: a share of agreement (default 0.75).",
    )
    seats: int = Field(1, ge=1, le=49, description="Approval and score: number of winners.")
    quorum: Decimal = Field(
        Decimal("0"),
        ge=0,
        le=1,
        max_digits=4,
        decimal_places=3,
        description="Share of the electorate that must vote.",
    )
    opens_at: datetime | None = Field(None, description="Default: now.")
    closes_at: datetime
    secret: bool = Field(False, description="Secret ballot; cannot be undone.")
    hide_results_until_close: bool = False
    close_when_all_voted: bool | None = Field(
        None,
        description="Close as soon as every organization of the electorate has voted "
        "(closes_at is then the latest closing). Default: off for free-form polls, on for "
        "the actions that decide one thing (admissions, leader elections, recalls, extensions).",
    )
    action: PollAction = Field(PollAction.none, description="What passing the poll does.")
    membership_id: int | None = Field(
        None, ge=1, le=2**63 - 1, description="remove: the membership of the organization."
    )
    reason: Text(2_000) = Field("", description="remove: the reason, shown to the organization.")
    notice_days: int = Field(
        30,
        ge=0,
        le=90,
        description="remove: days the organization stays a member after the poll passes.",
    )
    charter_text: Text(100_000) = Field("", description="amend_charter: the new charter text.")
    admission_rule: AdmissionRule | None = Field(
        None, description="admission_rule: approvals (by team leaders) or vote (a poll)."
    )
    approvals_required: int | None = Field(
        None, ge=1, le=50, description="admission_rule with approvals: how many are needed."
    )

    @field_validator("opens_at", "closes_at")
    @classmethod
    def _in_range(cls, value: datetime | None) -> datetime | None:
        return aware_datetime(value)


class BallotIn(InputSchema):
    """Send the field of the poll's kind: `choice` (consensus: agree, abstain, disagree, block;
    yes_no: yes, no, abstain), `approve` (approval), `ranking` (ranked: best first, a nested
    list for equal ranks, truncated allowed) or `scores` (score: 0 to 5 per option)."""

    choice: Text(20) | None = None
    approve: list[Text(200)] | None = Field(None, max_length=50)
    ranking: list[Text(200) | list[Text(200)]] | None = Field(None, max_length=50)
    scores: dict[Text(200), int] | None = None


class BallotOut(Schema):
    poll: int
    receipt: str = Field(description="The hash of your ballot's log record: keep it.")
    changes: int = Field(description="How many times your organization changed its vote.")


class PollOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    method: str
    threshold: str
    seats: int
    quorum: str
    opens_at: datetime
    closes_at: datetime = Field(
        description="When voting ends (or ended: the last ballot, for a poll that closed early)."
    )
    close_when_all_voted: bool = Field(
        description="The poll closes as soon as every organization of the electorate has voted."
    )
    planned_closes_at: datetime | None = Field(
        description="For a poll that closed early, every voter having voted: the closing time "
        "first set."
    )
    state: str = Field(description="scheduled, open or closed, from the clock.")
    secret: bool
    hide_results_until_close: bool
    action: str
    action_payload: dict
    options: list[str]
    voters_count: int
    ballots_count: int
    settled_at: datetime | None = Field(description="When the result was stored and applied.")
    outcome_statement: str
    review_on: date | None

    @staticmethod
    def resolve_quorum(obj) -> str:
        return str(obj.quorum)

    @staticmethod
    def resolve_options(obj) -> list[str]:
        return [option.label for option in obj.options.all()]

    @staticmethod
    def resolve_settled_at(obj):
        return obj.outcome_applied_at


class ResultOut(Schema):
    poll: int
    state: str
    visible: bool = Field(description="False while results are hidden until the close.")
    result: dict | None = Field(
        description="winners, passed, quorum_met, turnout, electorate and the full tally."
    )
