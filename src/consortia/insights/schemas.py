"""API shapes of trust, engagement and network health."""

from datetime import date

from ninja import Field, Schema

from consortia.core.pagination import MAX_LIMIT


class TrustOut(Schema):
    organization_id: int
    organization: str
    slug: str
    trust: float = Field(description="The trust index in [0, 1]; 0.5 with no evidence.")
    settled: int = Field(description="Settled commitments that count.")
    on_time: int = Field(description="Of which delivered on time.")


class NetworkTrustOut(TrustOut):
    network: str = Field(description="The network's slug.")


class EvidenceOut(Schema):
    commitment_id: int
    title: str
    initiative_id: int
    initiative: str
    due_on: date
    status: str
    outcome: str
    counted: bool
    on_time: bool
    settled_on: date | None
    age_days: int | None
    weight: float | None


class TrustEvidenceOut(Schema):
    organization_id: int
    organization: str
    trust: float
    on_time_weight: float
    total_weight: float
    settled: int
    on_time: int
    formula: str
    explanation: str
    count: int = Field(description="All commitments of the organization in the network.")
    evidence: list[EvidenceOut]


class EvidencePage(Schema):
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class EngagementOut(Schema):
    organization_id: int
    organization: str
    slug: str
    people: int = Field(description="People active in the last 90 days (breadth).")
    departments: int
    events: int
    depth: float = Field(description="Events per active person.")
    eligible: int = Field(description="Polls whose electorate included the organization.")
    ballots: int
    received: int = Field(description="Requests received (not withdrawn).")
    answered: int
    mean_answer_days: float | None


class FairnessFlag(Schema):
    organization: str
    sentence: str


class FairnessOut(Schema):
    threshold: str
    currency: str
    flagged_any: bool
    partners: int
    flagged: list[FairnessFlag]


class SharingPair(Schema):
    from_organization_id: int
    to_organization_id: int
    items: int


class SharingTotals(Schema):
    pairs: int = Field(description="Directed pairs of organizations that shared something.")
    mutual_pairs: int = Field(description="Pairs that shared both ways.")
    items_to_partners: int = Field(description="Items addressed to named partners.")
    items_to_network: int = Field(description="Items shared with the whole network.")
    organizations_sharing: int = Field(description="Organizations that shared anything.")


class HealthOut(Schema):
    computed_at: str
    members: int
    active_initiatives: int
    engaged_members: int
    people_active: int
    poll_participation: float | None
    request_response_rate: float | None
    trust_histogram: list[int] = Field(description="Members per trust band of 0.1, from 0.")
    fairness: FairnessOut | None
    sharing_pairs: list[SharingPair] = Field(
        description="The pairs your organization is part of: items it addressed to a partner, "
        "and items a partner addressed to it that you may see. Never other organizations' pairs."
    )
    sharing_pair_count: int = Field(description="All directed pairs in the network (a total).")
    sharing_totals: SharingTotals
