"""Request and response shapes of the networks API (C1)."""

from datetime import datetime
from enum import StrEnum

from ninja import Field, Schema

from consortia.core.schemas import InputSchema, OrganizationRef, Text
from consortia.networks.permissions import org_id_of


def _caller_org_id(context) -> int | None:
    request = (context or {}).get("request")
    return org_id_of(getattr(request, "auth", None)) if request is not None else None


def _name(person) -> str | None:
    return person.name if person is not None else None


LONG_TEXT = 10_000
MESSAGE = 2_000


class OrganizationKind(StrEnum):
    company = "company"
    startup = "startup"
    university = "university"
    public = "public"
    nonprofit = "nonprofit"
    other = "other"


class Role(StrEnum):
    team_leader = "team_leader"
    member = "member"


class Visibility(StrEnum):
    listed = "listed"
    unlisted = "unlisted"


class AdmissionRule(StrEnum):
    approvals = "approvals"
    vote = "vote"


class Decision(StrEnum):
    approve = "approve"
    reject = "reject"


class NetworkScope(StrEnum):
    all = "all"
    mine = "mine"
    directory = "directory"


# Organizations ----------------------------------------------------------------------------


class OrganizationOut(Schema):
    """A member organization's public profile, as partners see it."""

    slug: str
    name: str
    kind: OrganizationKind
    description: str
    website: str
    offerings: str = Field(description="What it can offer partners: capabilities.")
    needs: str = Field(description="What it lacks and looks for: gaps.")
    values: str
    created_at: datetime
    people_count: int
    is_mine: bool = Field(description="Whether this is the caller's own organization.")

    @staticmethod
    def resolve_people_count(obj) -> int:
        return getattr(obj, "people_count", None) or 0

    @staticmethod
    def resolve_is_mine(obj, context) -> bool:
        return obj.pk == _caller_org_id(context)


class OrganizationCreateIn(InputSchema):
    name: Text(150, min_length=1)
    kind: OrganizationKind = OrganizationKind.company
    description: Text(LONG_TEXT) = ""
    website: Text(200, description="An http(s) address.") = ""
    offerings: Text(LONG_TEXT) = ""
    needs: Text(LONG_TEXT) = ""
    values: Text(LONG_TEXT) = ""
    department: Text(100, description="Your own department in the organization.") = ""


class OrganizationUpdateIn(InputSchema):
    """Only the fields present change."""

    name: Text(150, min_length=1) | None = None
    kind: OrganizationKind | None = None
    description: Text(LONG_TEXT) | None = None
    website: Text(200) | None = None
    offerings: Text(LONG_TEXT) | None = None
    needs: Text(LONG_TEXT) | None = None
    values: Text(LONG_TEXT) | None = None


class PersonRef(Schema):
    id: int
    name: str


class OrgPersonOut(Schema):
    """A person's place in an organization."""

    membership_id: int = Field(description="Use it to change the role or department.")
    person: PersonRef
    email: str | None = Field(description="Shown only to people of the same organization.")
    role: Role
    department: str
    votes_for_organization: bool = Field(
        description="A delegate who casts the organization's ballot in polls."
    )
    joined_at: datetime

    @staticmethod
    def resolve_membership_id(obj) -> int:
        return obj.pk

    @staticmethod
    def resolve_email(obj, context) -> str | None:
        return obj.person.email if obj.organization_id == _caller_org_id(context) else None


class OrgPersonUpdateIn(InputSchema):
    role: Role | None = None
    department: Text(100) | None = None
    votes_for_organization: bool | None = Field(
        default=None, description="Name this person a delegate who votes for the organization."
    )


class ColleagueInviteIn(InputSchema):
    email: Text(254, min_length=3, description="Where the invitation link is sent.")
    role: Role = Role.member
    department: Text(100) = ""
    message: Text(MESSAGE) = ""


# Invitations ------------------------------------------------------------------------------


class NetworkRef(Schema):
    slug: str
    name: str


class InvitationOut(Schema):
    """An invitation into a network (kind `network`) or an organization (kind `colleague`).

    The link that answers it travels only by email; through the API the invitee answers by id.
    """

    id: int
    kind: str = Field(description="network or colleague")
    email: str
    status: str = Field(description="pending, accepted, declined or revoked")
    network: NetworkRef | None
    organization: OrganizationRef | None = Field(
        description="For a colleague invitation: the organization to join. For a network "
        "invitation: the organization that accepted it, once accepted."
    )
    inviting_organization: OrganizationRef | None
    invited_by: str | None = Field(description="The name of the person who invited.")
    role: str
    department: str
    message: str
    created_at: datetime
    expires_at: datetime

    @staticmethod
    def resolve_invited_by(obj) -> str | None:
        return _name(obj.invited_by)


INVITATION_LINK_HELP = (
    "The secret at the end of the link in the invitation email "
    "(…/invitations/<token>/). It proves the address is yours: sign-up does not verify emails."
)


class InvitationAnswerIn(InputSchema):
    token: Text(100, min_length=1, description=INVITATION_LINK_HELP)


class InvitationDeclineIn(InputSchema):
    token: Text(100, min_length=1, description=INVITATION_LINK_HELP)
    reason: Text(MESSAGE) = ""


# Networks ---------------------------------------------------------------------------------


class NetworkOut(Schema):
    """A partnership network as the caller sees it."""

    slug: str
    name: str
    description: str
    visibility: Visibility
    admission_rule: AdmissionRule = Field(
        description="approvals: team leaders of member organizations approve; vote: a yes/no "
        "poll of the member organizations decides each admission."
    )
    approvals_required: int
    created_at: datetime
    member_count: int
    mine: bool = Field(
        description="The caller's organization is a member or waiting for admission."
    )
    my_status: str | None = Field(
        description="The caller's organization's membership status (active, applied, invited, "
        "or removed while a removal's notice period runs — it is still an active member until "
        "my_membership_ends_at), or null."
    )
    my_membership_ends_at: datetime | None = Field(
        None, description="When a removal by vote takes effect (end of the notice period)."
    )
    charter_accepted: bool = Field(
        description="The caller's organization accepted the current charter."
    )

    @staticmethod
    def resolve_mine(obj) -> bool:
        return obj.my_status is not None

    @staticmethod
    def resolve_member_count(obj) -> int:
        return obj.member_count or 0


class NetworkCreateIn(InputSchema):
    name: Text(150, min_length=1)
    slug: Text(
        60, description="The web address; made from the name when empty. Letters, digits, hyphens."
    ) = ""
    description: Text(LONG_TEXT) = ""
    charter_title: Text(200) = ""
    charter_text: Text(
        50_000, min_length=1, description="Why the members partner and how: they all accept it."
    )
    visibility: Visibility = Visibility.listed
    approvals_required: int = Field(
        1, ge=1, le=50, description="How many member organizations must approve an admission."
    )
    admission_rule: AdmissionRule = AdmissionRule.approvals


class MembershipOut(Schema):
    """An organization's relation to a network."""

    membership_id: int
    network: NetworkRef
    organization: OrganizationRef
    status: str = Field(description="applied, invited, active, rejected, left or removed")
    created_at: datetime
    joined_at: datetime | None
    ended_at: datetime | None

    @staticmethod
    def resolve_membership_id(obj) -> int:
        return obj.pk


class NetworkMemberOut(Schema):
    membership_id: int
    organization: OrganizationRef
    kind: OrganizationKind
    joined_at: datetime | None
    people_count: int
    charter_accepted: bool

    @staticmethod
    def resolve_membership_id(obj) -> int:
        return obj.pk

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.organization.kind

    @staticmethod
    def resolve_people_count(obj) -> int:
        return obj.people_count or 0


class PendingAdmissionOut(Schema):
    """An organization waiting for the members' decision."""

    membership_id: int
    organization: OrganizationRef
    status: str = Field(description="applied (asked to join) or invited (accepted an invitation)")
    message: str
    requested_by: str | None
    invited_by: str | None
    created_at: datetime
    approvals: int
    rejections: int
    approvals_needed: int
    my_organization_decided: bool

    @staticmethod
    def resolve_membership_id(obj) -> int:
        return obj.pk

    @staticmethod
    def resolve_requested_by(obj) -> str | None:
        return _name(obj.requested_by)

    @staticmethod
    def resolve_invited_by(obj) -> str | None:
        return _name(obj.invited_by)

    @staticmethod
    def resolve_my_organization_decided(obj) -> bool:
        return bool(getattr(obj, "viewer_decided", False))


class EventOut(Schema):
    """Something that happened, visible to the caller."""

    id: int
    verb: str
    summary: str
    actor: str | None
    organization: OrganizationRef | None
    object_type: str
    object_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return _name(obj.actor)


class CharterOut(Schema):
    """The network's current charter."""

    version: int
    title: str
    text: str
    created_at: datetime
    accepted_by_my_organization: bool


class CharterAcceptanceOut(Schema):
    organization: OrganizationRef
    version: int
    accepted_at: datetime


class ApplicationIn(InputSchema):
    message: Text(MESSAGE, description="Why your organization wants to join.") = ""


class NetworkInviteIn(InputSchema):
    email: Text(
        254, min_length=3, description="The person who will answer for the invited organization."
    )
    message: Text(MESSAGE) = ""


class AdmissionDecisionIn(InputSchema):
    decision: Decision
    reason: Text(MESSAGE, description="Required when rejecting.") = ""
