"""API schemas of overlap discovery (every name starts with Overlap: names are global)."""

from datetime import datetime
from uuid import UUID

from ninja import Field, Schema

from consortia.core.schemas import InputSchema, OrganizationRef, Text


class OverlapPopulationOut(Schema):
    id: int
    name: str
    slug: str
    kind: str
    level: str = Field(description="Default level: hidden, counts or records.")
    fields: list[str]
    overrides: list[dict] = Field(description="[{partner: slug, level, fields}]")


class OverlapPartnershipOut(Schema):
    id: int
    proposer: OrganizationRef
    counterparty: OrganizationRef
    status: str
    result_days: int
    runs_per_day: int
    created_at: datetime
    answered_at: datetime | None


class OverlapRunPopulationOut(Schema):
    id: int
    name: str
    slug: str
    level: str = Field(description="The level toward the other side when the run started.")
    fields: list[str]
    size: int | None = Field(None, description="Distinct keys compared (after normalization).")
    rows: int | None = None
    duplicates: int | None = Field(None, description="Rows whose key was already in the list.")
    skipped: int | None = None
    restricted: int | None = None


class OverlapSideOut(Schema):
    organization: OrganizationRef
    is_you: bool
    state: str
    joined: bool
    blinded: bool
    doubled: bool
    opened: bool
    records_received: int | None
    populations: list[OverlapRunPopulationOut]


class OverlapMatrixOut(Schema):
    columns: list[str] = Field(description="The other side's populations.")
    rows: list[dict] = Field(description="[{name: your population, cells: [counts]}]")


PROTOCOL_HELP = (
    "The version of the private set intersection protocol your client speaks (2: X25519 on "
    "u = s² of the ristretto255 hash). A run is started in its starter's version and refuses "
    "any step from a client that speaks another (422, nothing changes)."
)


class OverlapRunOut(Schema):
    id: UUID
    status: str
    protocol: int | None = Field(
        description="The protocol version the run's clients speak; null for runs that ended "
        "before versions were recorded."
    )
    initiator: OrganizationRef
    created_at: datetime
    deadline: datetime
    results_expire_at: datetime
    results_expired: bool
    sides: list[OverlapSideOut]
    matrix: OverlapMatrixOut | None
    you_receive_records: bool
    you_share_records: bool
    has_sealed_result: bool
    min_set_size: int


class OverlapRestrictedOut(Schema):
    salt: str = Field(description="Hex key of the keyed BLAKE2b digests.")
    digests: list[str]


class OverlapRunIn(InputSchema):
    partner: Text(160, min_length=1, description="The partner organization's slug.")
    populations: list[Text(80, min_length=1)] = Field(
        description="Slugs of your populations to compare.", max_length=20
    )
    protocol: int | None = Field(None, description=PROTOCOL_HELP)


class OverlapJoinIn(InputSchema):
    populations: list[Text(80, min_length=1)] = Field(max_length=20)
    protocol: int | None = Field(None, description=PROTOCOL_HELP)
