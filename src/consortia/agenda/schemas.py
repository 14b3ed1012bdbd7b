"""API schemas of the partnering agenda (names start with Agenda: unique in the document).

Inputs are strict (InputSchema: unknown fields are a 422). Numbers and choices that have a rule
of their own — a weight must be positive, a score is on a 0-4 scale — are checked by the
services, so the 422 says it in the same words as the page, next to the field.
"""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from consortia.core.schemas import MAX_ID, InputSchema, Text

from .models import SECTIONS

StageName = Literal[
    "identified", "researching", "due_diligence", "approached", "partnering", "declined", "parked"
]
GroupName = Literal["strategic", "operational", "cultural", "risk"]
CheckStatus = Literal["open", "passed", "concern", "not_applicable"]


class AgendaPersonOut(Schema):
    id: int
    name: str
    email: str


class AgendaOut(Schema):
    """The organization's partnering agenda (version 0: not written yet)."""

    organization: str = Field(description="Your organization's slug.")
    version: int
    updated_by: AgendaPersonOut | None
    updated_at: datetime | None
    why_partner: str
    value_expected: str
    success_measures: str
    benefits: str
    what_we_bring: str
    gaps: str
    resources_needed: str
    risks: str
    partner_capacity: int | None
    gap_lines: list[str] = Field(description="Each gap, one per line: what matching can use.")
    capacity_warning: str | None = Field(
        description="Set when more prospects are partnering than the capacity."
    )


_section_help = {name: question for name, _label, question in SECTIONS}


class AgendaIn(InputSchema):
    """Save a new version. Sections you leave out (or send as null) keep their text, so `{}`
    changes nothing; `""` empties a section. `partner_capacity` left out keeps its number, null
    clears it."""

    why_partner: Text(20000, description=_section_help["why_partner"]) | None = None
    value_expected: Text(20000, description=_section_help["value_expected"]) | None = None
    success_measures: Text(20000, description=_section_help["success_measures"]) | None = None
    benefits: Text(20000, description=_section_help["benefits"]) | None = None
    what_we_bring: Text(20000, description=_section_help["what_we_bring"]) | None = None
    gaps: Text(20000, description=_section_help["gaps"]) | None = None
    resources_needed: Text(20000, description=_section_help["resources_needed"]) | None = None
    risks: Text(20000, description=_section_help["risks"]) | None = None
    partner_capacity: int | None = Field(
        None,
        strict=True,
        description="How many partners you can work with at a time (0 to 10,000).",
    )


class AgendaVersionOut(Schema):
    number: int
    saved_by: AgendaPersonOut | None
    saved_at: datetime
    changed: list[str] = Field(description="The fields this version changed.")
    content: dict


class AgendaExportOut(Schema):
    filename: str
    markdown: str


class AgendaCriterionOut(Schema):
    id: int
    name: str
    group: str
    weight: float
    scale: list[str] = Field(description="The words of steps 0 to 4.")
    created_at: datetime

    @staticmethod
    def resolve_scale(obj) -> list[str]:
        return obj.anchors


class AgendaCriterionIn(InputSchema):
    name: Text(100, min_length=1)
    group: GroupName = "strategic"
    weight: float = Field(strict=True, description="A positive number.")
    scale: list[Text(120)] = Field(description="Five phrases: what 0, 1, 2, 3 and 4 mean.")


class AgendaTemplateItemOut(Schema):
    id: int | None
    title: str
    description: str
    required: bool
    position: int


class AgendaTemplateItemIn(InputSchema):
    title: Text(150, min_length=1)
    description: Text(500) = ""
    required: bool = Field(True, strict=True)


class AgendaProspectOut(Schema):
    """A prospect on the prioritized list."""

    id: int
    name: str
    website: str
    partner: str | None = Field(description="Its slug when it is an organization of Consortia.")
    stage: str
    stage_reason: str
    owner: AgendaPersonOut | None
    next_step: str
    next_step_on: date | None
    total: float = Field(description="Weighted total out of 100 over all criteria.")
    scored: int = Field(description="How many criteria are scored.")
    criteria_count: int
    open_required: int = Field(description="Required due-diligence items still open.")
    created_at: datetime

    @staticmethod
    def resolve_partner(obj) -> str | None:
        if isinstance(obj, dict):  # a detail answer, built as a dict
            return obj.get("partner")
        return obj.partner.slug if obj.partner_id else None


class AgendaDocumentOut(Schema):
    id: int
    title: str


class AgendaScoreOut(Schema):
    criterion_id: int
    criterion: str
    weight: float
    value: int | None
    anchor: str
    note: str
    link: str
    document: AgendaDocumentOut | None
    scored_by: AgendaPersonOut | None
    scored_at: datetime | None


class AgendaCheckOut(Schema):
    id: int
    title: str
    description: str
    required: bool
    status: str
    evidence: str
    checked_by: AgendaPersonOut | None
    checked_at: datetime | None


class AgendaMemoOut(Schema):
    context: str
    options: str
    risks: list[str]
    recommendation: str
    updated_by: AgendaPersonOut | None
    updated_at: datetime | None


class AgendaStageChangeOut(Schema):
    from_stage: str
    to_stage: str
    reason: str
    override_reason: str
    changed_by: AgendaPersonOut | None
    changed_at: datetime


class AgendaPartnerFiguresOut(Schema):
    """Trust and engagement of a prospect that is already a partner, per shared network."""

    network: str
    trust: float
    settled: int
    on_time: int
    people: int
    departments: int
    events: int


class AgendaProspectDetailOut(AgendaProspectOut):
    scores: list[AgendaScoreOut]
    checks: list[AgendaCheckOut]
    memo: AgendaMemoOut
    stage_changes: list[AgendaStageChangeOut]
    partner_figures: list[AgendaPartnerFiguresOut]


class AgendaProspectIn(InputSchema):
    """An organization of one of your networks (`partner`, its slug), or an outside one by
    `name` and `website`."""

    partner: Text(160) | None = None
    name: Text(150) = ""
    website: Text(200) = ""
    owner: Text(254, description="The owner's email; you when left out.") | None = None
    next_step: Text(300) = ""
    next_step_on: date | None = None


class AgendaProspectPatch(InputSchema):
    owner: Text(254, description="The owner's email; null for nobody.") | None = None
    next_step: Text(300) | None = None
    next_step_on: date | None = None
    website: Text(200) | None = None


class AgendaStageIn(InputSchema):
    stage: StageName
    reason: Text(2000) = ""
    override_reason: Text(
        2000, description="A team leader moving on with required due diligence open."
    ) = ""


class AgendaScoreIn(InputSchema):
    value: int = Field(strict=True, description="0 to 4 on the criterion's scale.")
    note: Text(5000) = ""
    link: Text(500) = ""
    document: int | None = Field(
        None, strict=True, ge=1, le=MAX_ID, description="One of your organization's documents."
    )


class AgendaCheckIn(InputSchema):
    status: CheckStatus
    evidence: Text(5000) = ""


class AgendaMemoIn(InputSchema):
    context: Text(5000) = ""
    options: Text(5000) = ""
    risks: list[Text(300)] = Field(default_factory=list, description="At most three.")
    recommendation: Text(5000) = ""


class AgendaInviteIn(InputSchema):
    network: Text(60, min_length=1, description="One of your networks (its slug).")
    email: Text(254, min_length=1, description="Who answers for the organization.")
    message: Text(2000) = ""


class AgendaInviteOut(Schema):
    invitation_id: int
    email: str
    network: str


class AgendaProposeIn(InputSchema):
    network: Text(60, min_length=1, description="One of your networks (its slug).")
    title: Text(200, min_length=1)
    objective: Text(5000, min_length=1)
    starts_on: date
    ends_on: date


class AgendaProposeOut(Schema):
    initiative_id: int
    title: str
    network: str
