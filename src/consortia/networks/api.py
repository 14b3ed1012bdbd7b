"""REST operations for organizations, networks, memberships and invitations (C1).

Every operation follows the web views: parse → permissions.py → services.py or selectors.py.
Objects the caller may not know about are 404; visible objects the caller may not act on are
403 with a sentence saying why; a rule the input breaks is a 422 and nothing changes.
"""

from django.http import Http404
from ninja import Path, Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from consortia.core.pagination import Pagination
from consortia.core.schemas import BODY_ERRORS, ERRORS, MAX_ID, SLUG_PATTERN
from consortia.networks import permissions, selectors, services
from consortia.networks.models import Invitation, OrgMembership
from consortia.networks.schemas import (
    AdmissionDecisionIn,
    ApplicationIn,
    CharterAcceptanceOut,
    CharterOut,
    ColleagueInviteIn,
    EventOut,
    InvitationAnswerIn,
    InvitationDeclineIn,
    InvitationOut,
    MembershipOut,
    NetworkCreateIn,
    NetworkInviteIn,
    NetworkMemberOut,
    NetworkOut,
    NetworkScope,
    OrganizationCreateIn,
    OrganizationOut,
    OrganizationUpdateIn,
    OrgPersonOut,
    OrgPersonUpdateIn,
    PendingAdmissionOut,
)

organizations_router = Router(tags=["organizations"])
networks_router = Router(tags=["networks"])
invitations_router = Router(tags=["invitations"])

OrgSlug = Path(..., max_length=160, pattern=SLUG_PATTERN, description="The organization's slug.")
NetworkSlug = Path(..., max_length=60, pattern=SLUG_PATTERN, description="The network's slug.")
Scope = Query(NetworkScope.all, description="all (the default), mine or directory.")


def Id(description: str):
    return Path(..., ge=1, le=MAX_ID, description=description)


def _network_out(person, network):
    """The network with the same annotations as the list (one query)."""
    return selectors.networks_for(person, scope=None).get(pk=network.pk)


# Organizations ----------------------------------------------------------------------------


@organizations_router.get(
    "/organizations",
    response={200: list[OrganizationOut], **ERRORS},
    summary="List organizations",
)
@paginate(Pagination)
def list_organizations(request):
    """Your own organization and the organizations taking part in networks where yours is an
    active member, by name."""
    return selectors.organizations_for(request.auth)


@organizations_router.post(
    "/organizations",
    response={201: OrganizationOut, **BODY_ERRORS},
    summary="Create my organization",
)
def create_organization(request, payload: OrganizationCreateIn):
    """Create the organization you act for; you become its first team leader. A person acts for
    one organization, so this fails (422) if you already belong to one."""
    organization = services.organization_create(
        actor=request.auth, **payload.model_dump(mode="json")
    )
    return Status(201, selectors.organizations_for(request.auth).get(pk=organization.pk))


@organizations_router.get(
    "/organizations/{slug}",
    response={200: OrganizationOut, **ERRORS},
    summary="Get an organization",
)
def get_organization(request, slug: str = OrgSlug):
    """An organization's profile: what it offers, what it looks for, its values."""
    organization = permissions.get_organization_for(request.auth, slug)
    return selectors.organizations_for(request.auth).get(pk=organization.pk)


@organizations_router.patch(
    "/organizations/{slug}",
    response={200: OrganizationOut, **BODY_ERRORS},
    summary="Update my organization",
)
def update_organization(request, payload: OrganizationUpdateIn, slug: str = OrgSlug):
    """Change your organization's profile (team leaders only). Only the fields sent change."""
    organization = permissions.get_organization_for(request.auth, slug, write=True)
    fields = payload.model_dump(mode="json", exclude_unset=True)
    services.organization_update(actor=request.auth, organization=organization, **fields)
    return selectors.organizations_for(request.auth).get(pk=organization.pk)


@organizations_router.get(
    "/organizations/{slug}/people",
    response={200: list[OrgPersonOut], **ERRORS},
    summary="List an organization's people",
)
@paginate(Pagination)
def list_organization_people(request, slug: str = OrgSlug):
    """The people of an organization with their roles and departments, team leaders first.
    Email addresses are shown only to people of the same organization."""
    organization = permissions.get_organization_for(request.auth, slug)
    return selectors.organization_people(organization)


@organizations_router.patch(
    "/organizations/{slug}/people/{membership_id}",
    response={200: OrgPersonOut, **BODY_ERRORS},
    summary="Change a colleague's role or department",
)
def update_organization_person(
    request,
    payload: OrgPersonUpdateIn,
    slug: str = OrgSlug,
    membership_id: int = Id("The person's membership_id in the organization."),
):
    """Make a colleague team leader or member, or move them to another department (team
    leaders only). An organization always keeps at least one team leader."""
    organization = permissions.get_organization_for(request.auth, slug, write=True)
    membership = (
        OrgMembership.objects.select_related("person", "organization")
        .filter(organization=organization, pk=membership_id)
        .first()
    )
    if membership is None:
        raise Http404("No such person in this organization")
    fields = payload.model_dump(mode="json", exclude_unset=True)
    return services.org_member_update(actor=request.auth, membership=membership, **fields)


@organizations_router.post(
    "/organizations/{slug}/invitations",
    response={201: InvitationOut, **BODY_ERRORS},
    summary="Invite a colleague",
)
def invite_colleague(request, payload: ColleagueInviteIn, slug: str = OrgSlug):
    """Invite someone by email to join your organization (team leaders only). They join only by
    accepting; the link travels by email and is not part of the response."""
    permissions.get_organization_for(request.auth, slug, write=True)
    invitation, _raw = services.colleague_invite(
        actor=request.auth, **payload.model_dump(mode="json")
    )
    return Status(201, invitation)


# Networks ---------------------------------------------------------------------------------


@networks_router.get(
    "/networks", response={200: list[NetworkOut], **ERRORS}, summary="List networks"
)
@paginate(Pagination)
def list_networks(request, scope: NetworkScope = Scope):
    """Networks your organization belongs to or is waiting to join (`mine: true`) and the
    directory of listed networks you can ask to join, by name. `scope=mine` or
    `scope=directory` returns only one of the two."""
    return selectors.networks_for(request.auth, scope=scope.value)


@networks_router.post(
    "/networks", response={201: NetworkOut, **BODY_ERRORS}, summary="Found a network"
)
def create_network(request, payload: NetworkCreateIn):
    """Found a network with its charter (team leaders only). Your organization becomes its first
    member and accepts the charter; you get no lasting role — the members decide together."""
    network = services.network_found(actor=request.auth, **payload.model_dump(mode="json"))
    return Status(201, _network_out(request.auth, network))


@networks_router.get(
    "/networks/{slug}", response={200: NetworkOut, **ERRORS}, summary="Get a network"
)
def get_network(request, slug: str = NetworkSlug):
    """A network's description and your organization's relation to it. Listed networks are
    visible to everyone signed in; unlisted ones to members, applicants and invitees."""
    network = permissions.get_network_for(request.auth, slug)
    return _network_out(request.auth, network)


@networks_router.get(
    "/networks/{slug}/members",
    response={200: list[NetworkMemberOut], **ERRORS},
    summary="List a network's members",
)
@paginate(Pagination)
def list_network_members(request, slug: str = NetworkSlug):
    """The active member organizations, with their number of people and whether they accepted
    the current charter (active members only)."""
    network = permissions.get_network_for(request.auth, slug, need="member")
    return selectors.network_members(network)


@networks_router.get(
    "/networks/{slug}/pending",
    response={200: list[PendingAdmissionOut], **ERRORS},
    summary="List pending admissions",
)
@paginate(Pagination)
def list_pending_admissions(request, slug: str = NetworkSlug):
    """Organizations waiting for the members' decision, oldest first, with the votes so far and
    whether your organization has decided (active members only)."""
    network = permissions.get_network_for(request.auth, slug, need="member")
    return selectors.pending_admissions(network, viewer=request.auth)


@networks_router.get(
    "/networks/{slug}/activity",
    response={200: list[EventOut], **ERRORS},
    summary="List a network's activity",
)
@paginate(Pagination)
def list_network_activity(request, slug: str = NetworkSlug):
    """What happened in the network, newest first, limited to what your organization may see
    (active members only)."""
    network = permissions.get_network_for(request.auth, slug, need="member")
    return selectors.events_visible_to(person=request.auth, network=network)


@networks_router.get(
    "/networks/{slug}/charter",
    response={200: CharterOut, **ERRORS},
    summary="Get the network's charter",
)
def get_charter(request, slug: str = NetworkSlug):
    """The current version of the charter every member organization accepts."""
    network = permissions.get_network_for(request.auth, slug)
    charter = permissions.current_charter(network)
    if charter is None:
        raise Http404("This network has no charter")
    org_id = permissions.org_id_of(request.auth)
    return {
        "version": charter.version,
        "title": charter.title,
        "text": charter.text,
        "created_at": charter.created_at,
        "accepted_by_my_organization": org_id is not None
        and permissions.has_accepted_charter(org_id, network),
    }


@networks_router.post(
    "/networks/{slug}/charter/accept",
    response={200: CharterAcceptanceOut, **ERRORS},
    summary="Accept the charter",
)
def accept_charter(request, slug: str = NetworkSlug):
    """Accept the current charter for your organization (team leaders of members and of
    organizations waiting for admission). Members must accept it before acting."""
    network = permissions.get_network_for(request.auth, slug)
    acceptance = services.charter_accept(actor=request.auth, network=network)
    return {
        "organization": acceptance.organization,
        "version": acceptance.agreement.version,
        "accepted_at": acceptance.accepted_at,
    }


@networks_router.post(
    "/networks/{slug}/applications",
    response={201: MembershipOut, **BODY_ERRORS},
    summary="Ask to join a network",
)
def apply_to_network(request, payload: ApplicationIn, slug: str = NetworkSlug):
    """Ask for your organization to join (team leaders only); the member organizations decide
    under the network's admission rule."""
    network = permissions.get_network_for(request.auth, slug)
    membership = services.network_apply(actor=request.auth, network=network, **payload.model_dump())
    return Status(201, membership)


@networks_router.post(
    "/networks/{slug}/invitations",
    response={201: InvitationOut, **BODY_ERRORS},
    summary="Invite an organization",
)
def invite_organization(request, payload: NetworkInviteIn, slug: str = NetworkSlug):
    """Invite an organization by the email of the person who will answer for it (members whose
    organization accepted the charter). If they accept, the members still decide admission."""
    network = permissions.get_network_for(request.auth, slug, need="act")
    invitation, _raw = services.network_invite_organization(
        actor=request.auth, network=network, **payload.model_dump()
    )
    return Status(201, invitation)


@networks_router.post(
    "/networks/{slug}/admissions/{membership_id}",
    response={200: MembershipOut, **BODY_ERRORS},
    summary="Decide on an admission",
)
def decide_admission(
    request,
    payload: AdmissionDecisionIn,
    slug: str = NetworkSlug,
    membership_id: int = Id("The pending membership's membership_id."),
):
    """Approve or reject, for your organization, an organization waiting for admission (team
    leaders of members that accepted the charter). A rejection needs a reason. The admission
    is decided as soon as the network's rule is met."""
    network = permissions.get_network_for(request.auth, slug, need="member")
    membership = permissions.get_pending_membership_for(request.auth, network, membership_id)
    membership = services.admission_vote(
        actor=request.auth,
        membership=membership,
        decision=payload.decision.value,
        reason=payload.reason,
    )
    membership.refresh_from_db()
    return membership


@networks_router.post(
    "/networks/{slug}/leave",
    response={200: MembershipOut, **ERRORS},
    summary="Leave a network",
)
def leave_network(request, slug: str = NetworkSlug):
    """Take your organization out of the network, or withdraw its pending request (team leaders
    only). Nobody can stop an organization from leaving."""
    network = permissions.get_network_for(request.auth, slug)
    return services.network_leave(actor=request.auth, network=network)


# Invitations ------------------------------------------------------------------------------
#
# The invitee answers with the secret from the emailed link, as on the web: sign-up does not
# verify addresses, so being signed in with the invited address proves nothing by itself.


def _invitation_by_token(token: str) -> Invitation:
    """The invitation a link's secret points to; a wrong secret looks like a missing one."""
    return services.invitation_by_token(token)


@invitations_router.get(
    "/invitations",
    response={200: list[InvitationOut], **ERRORS},
    summary="List invitations my organization sent",
)
@paginate(Pagination)
def list_invitations(request):
    """Open invitations your organization sent — colleagues invited to join it, organizations
    invited into its networks — newest first; withdraw one with its id. Invitations addressed
    to you arrive by email: answer them with the secret from their link."""
    return selectors.open_invitations_sent_by(request.auth)


@invitations_router.post(
    "/invitations/accept",
    response={200: InvitationOut, **BODY_ERRORS},
    summary="Accept an invitation",
)
def accept_invitation(request, payload: InvitationAnswerIn):
    """Accept an invitation sent to your address, with the secret from its link. A colleague
    invitation makes you a member of the organization; a network invitation (team leaders
    only) puts your organization up for admission by the members."""
    invitation = _invitation_by_token(payload.token)
    return services.invitation_accept(actor=request.auth, invitation=invitation)


@invitations_router.post(
    "/invitations/decline",
    response={200: InvitationOut, **BODY_ERRORS},
    summary="Decline an invitation",
)
def decline_invitation(request, payload: InvitationDeclineIn):
    """Decline an invitation sent to your address, with the secret from its link, optionally
    saying why."""
    invitation = _invitation_by_token(payload.token)
    return services.invitation_decline(
        actor=request.auth, invitation=invitation, reason=payload.reason
    )


@invitations_router.delete(
    "/invitations/{invitation_id}",
    response={200: InvitationOut, **ERRORS},
    summary="Withdraw an invitation",
)
def revoke_invitation(request, invitation_id: int = Id("The invitation's id.")):
    """Withdraw an invitation your organization sent that nobody has answered yet. Colleague
    invitations can be withdrawn by team leaders only."""
    org_id = permissions.org_id_of(request.auth)
    invitation = (
        Invitation.objects.select_related(
            "network", "organization", "invited_by", "inviting_organization"
        )
        .filter(pk=invitation_id, inviting_organization_id=org_id)
        .first()
        if org_id is not None
        else None
    )
    if invitation is None:
        raise Http404("No such invitation")
    return services.invitation_revoke(actor=request.auth, invitation=invitation)
