"""Request and response shapes of the sharing API (C5, C6)."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from ninja import Field, Schema

from consortia.core.schemas import MAX_ID, InputSchema, OrganizationRef, Text

Id = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]


class ItemKind(StrEnum):
    challenge = "challenge"
    post = "post"
    document = "document"


class TextKind(StrEnum):
    challenge = "challenge"
    post = "post"


class AudienceName(StrEnum):
    organization = "organization"
    partners = "partners"
    initiative = "initiative"
    network = "network"


class LevelName(StrEnum):
    open = "open"
    confidential = "confidential"
    restricted = "restricted"


class ItemFilter(StrEnum):
    all = "all"
    open = "open"
    mine = "mine"
    offered = "offered"


class OfferAnswer(StrEnum):
    accept = "accept"
    decline = "decline"


class NdaAction(StrEnum):
    accept = "accept"
    decline = "decline"
    withdraw = "withdraw"


class SharingPersonRef(Schema):
    id: int
    name: str


class AudienceIn(InputSchema):
    audience: AudienceName
    level: LevelName = LevelName.open
    partners: list[Id] = Field([], max_length=200, description="Organization ids (partners).")
    initiative: Id | None = Field(None, description="Initiative id (audience initiative).")
    readers: list[Id] = Field([], max_length=500, description="Person ids (restricted).")


class ItemIn(AudienceIn):
    kind: TextKind
    title: Text(200, min_length=1)
    body: Text(100_000) = ""
    tags: list[Text(40)] = Field([], max_length=20)


class DocumentForm(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field("", max_length=100_000)
    tags: str = Field("", max_length=500, description="Comma-separated.")
    audience: AudienceName = AudienceName.organization
    level: LevelName = LevelName.open
    partners: str = Field("", max_length=5000, description="Organization ids, comma-separated.")
    initiative: int | None = Field(None, ge=1, le=MAX_ID)
    readers: str = Field("", max_length=5000, description="Person ids, comma-separated.")


class ItemUpdateIn(InputSchema):
    title: Text(200, min_length=1) | None = None
    body: Text(100_000) | None = None
    tags: list[Text(40)] | None = Field(None, max_length=20)


class ItemOut(Schema):
    id: int
    kind: str
    title: str
    organization: OrganizationRef
    author: SharingPersonRef | None
    tags: list[str]
    audience: str
    level: str
    initiative_id: int | None
    status: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return obj["tags"] if isinstance(obj, dict) else obj.tag_list


class ItemDetailOut(ItemOut):
    body: str
    body_html: str = Field(description="Sanitized HTML of the Markdown body.")
    outcome: str
    converted_initiative_id: int | None
    partners: list[int] | None = Field(description="Named partner organizations (owners only).")
    readers: list[int] | None = Field(description="Named readers (owners only).")


class CommentIn(InputSchema):
    body: Text(20_000, min_length=1)


class CommentOut(Schema):
    id: int
    author: SharingPersonRef | None
    organization: OrganizationRef | None
    body: str
    body_html: str
    created_at: datetime


class OfferIn(InputSchema):
    offer: Text(5000, min_length=1)
    message: Text(5000) = ""


class OfferOut(Schema):
    id: int
    organization: OrganizationRef
    person: SharingPersonRef | None
    offer: str
    message: str
    status: str
    created_at: datetime
    answered_at: datetime | None


class ResolveIn(InputSchema):
    outcome: Text(10_000, min_length=1)


class ConvertIn(InputSchema):
    starts_on: date
    ends_on: date
    title: Text(200) = ""
    objective: Text(10_000) = ""


class ConvertOut(Schema):
    initiative_id: int


class VersionOut(Schema):
    number: int
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime
    uploaded_by: SharingPersonRef | None


class NdaIn(InputSchema):
    counterparty: Id = Field(description="The partner organization's id.")
    title: Text(200, min_length=1)
    text: Text(100_000, min_length=1)


class NdaOut(Schema):
    id: int
    proposer: OrganizationRef
    counterparty: OrganizationRef
    title: str
    text: str
    version: int
    status: str
    created_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None


class NetworkNdaOut(Schema):
    version: int | None
    title: str | None
    text: str | None
    accepted: bool = Field(description="Whether your organization accepted this version.")


class AccessLogOut(Schema):
    id: int
    item_id: int
    item_title: str
    person: SharingPersonRef | None
    organization: OrganizationRef | None
    action: str
    version: int | None
    at: datetime

    @staticmethod
    def resolve_item_title(obj) -> str:
        return obj.item.title

    @staticmethod
    def resolve_version(obj) -> int | None:
        return obj.version.number if obj.version_id else None
