"""Reads about networks and organizations; each selector owns its joins."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from consortia.networks import permissions
from consortia.networks.models import (
    AdmissionVote,
    Agreement,
    AgreementAcceptance,
    Invitation,
    Network,
    NetworkMembership,
    Organization,
    OrgMembership,
    Person,
)

Status = NetworkMembership.Status


def _charter_accepted(network_ref="network_id", org_ref="organization_id"):
    """Exists(): the organization accepted the network's latest charter version."""
    latest = (
        Agreement.objects.filter(network_id=OuterRef(OuterRef(network_ref)), kind=Agreement.Kind.CHARTER)
        .order_by("-version")
        .values("pk")[:1]
    )
    return Exists(
        AgreementAcceptance.objects.filter(
            organization_id=OuterRef(org_ref), agreement_id=Subquery(latest)
        )
    )


def networks_of(person) -> QuerySet[NetworkMembership]:
    """The person's organization's current and pending memberships, with their networks."""
    org_id = permissions.org_id_of(person)
    if org_id is None:
        return NetworkMembership.objects.none()
    member_counts = (
        NetworkMembership.objects.filter(network_id=OuterRef("network_id"), status=Status.ACTIVE)
        .values("network_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        NetworkMembership.objects.filter(
            organization_id=org_id, status__in=(Status.ACTIVE, *NetworkMembership.PENDING)
        )
        .select_related("network")
        .annotate(member_count=Subquery(member_counts), charter_accepted=_charter_accepted())
        .order_by("network__name")
    )


def listed_networks_for(person) -> QuerySet[Network]:
    """Listed networks the person's organization is not (or no longer) part of."""
    org_id = permissions.org_id_of(person)
    mine = NetworkMembership.objects.filter(
        organization_id=org_id, status__in=(Status.ACTIVE, *NetworkMembership.PENDING)
    ).values("network_id")
    return (
        Network.objects.filter(visibility=Network.Visibility.LISTED)
        .exclude(pk__in=mine)
        .annotate(member_count=Count("memberships", filter=Q(memberships__status=Status.ACTIVE)))
        .order_by("name")
    )


def network_members(network: Network, *, status: str = Status.ACTIVE) -> QuerySet[NetworkMembership]:
    """Member organizations with their people count and whether they accepted the charter."""
    people = (
        OrgMembership.objects.filter(organization_id=OuterRef("organization_id"))
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        NetworkMembership.objects.filter(network=network, status=status)
        .select_related("organization")
        .annotate(people_count=Subquery(people), charter_accepted=_charter_accepted())
        .order_by("organization__name", "pk")
    )


def pending_admissions(network: Network, *, viewer=None) -> QuerySet[NetworkMembership]:
    """Pending memberships with their vote counts and whether the viewer's organization decided."""
    qs = (
        NetworkMembership.objects.filter(network=network, status__in=NetworkMembership.PENDING)
        .select_related("organization", "invited_by", "requested_by")
        .annotate(
            approvals=Count("admission_votes", filter=Q(admission_votes__decision="approve")),
            rejections=Count("admission_votes", filter=Q(admission_votes__decision="reject")),
        )
        .order_by("created_at", "pk")
    )
    org_id = permissions.org_id_of(viewer) if viewer is not None else None
    if org_id is not None:
        qs = qs.annotate(
            viewer_decided=Exists(
                AdmissionVote.objects.filter(membership=OuterRef("pk"), organization_id=org_id)
            )
        )
    return qs


def open_network_invitations(network: Network) -> QuerySet[Invitation]:
    from django.utils import timezone

    return (
        Invitation.objects.filter(
            kind=Invitation.Kind.NETWORK, network=network, status=Invitation.Status.PENDING,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by", "inviting_organization")
        .order_by("-created_at")
    )


def invitations_for(person) -> QuerySet[Invitation]:
    """Open invitations addressed to the person's email."""
    from django.utils import timezone

    return (
        Invitation.objects.filter(
            email__iexact=person.email, status=Invitation.Status.PENDING,
            expires_at__gt=timezone.now(),
        )
        .select_related("network", "organization", "invited_by", "inviting_organization")
        .order_by("-created_at")
    )


def organization_people(organization: Organization) -> QuerySet[OrgMembership]:
    return (
        OrgMembership.objects.filter(organization=organization)
        .select_related("person")
        .order_by("-role", "department", "person__name")
    )


def open_colleague_invitations(organization: Organization) -> QuerySet[Invitation]:
    from django.utils import timezone

    return (
        Invitation.objects.filter(
            kind=Invitation.Kind.COLLEAGUE, organization=organization,
            status=Invitation.Status.PENDING, expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def organizations_for(person) -> QuerySet[Organization]:
    """Organizations visible to the person, with their people count."""
    people = (
        OrgMembership.objects.filter(organization_id=OuterRef("pk"))
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return permissions.organizations_visible_to(person).annotate(people_count=Subquery(people)).order_by("name", "pk")


def charter_acceptances(network: Network) -> QuerySet[AgreementAcceptance]:
    charter = permissions.current_charter(network)
    return (
        AgreementAcceptance.objects.filter(agreement=charter)
        .select_related("organization", "person")
        .order_by("accepted_at")
    )


def person_by_email(email: str) -> Person | None:
    return Person.objects.filter(email__iexact=email).first()
