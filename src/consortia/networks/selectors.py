"""Reads about networks and organizations; each selector owns its joins."""

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least

from consortia.core.models import Audience, Event
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


def event_visible_to_organization_q(org_id: int) -> Q:
    """THE event audience rule, for an organization: network-wide events of networks where it is
    an active member now, and its own private events (used by the activity page, the API and
    webhook deliveries alike)."""
    return Q(audience=Audience.NETWORK, network_id__in=permissions.active_network_ids(org_id)) | Q(
        audience=Audience.ORGANIZATION, audience_organization_id=org_id
    )


def events_visible_to(*, person, network=None) -> QuerySet[Event]:
    """Events `person` may see: network-wide events of networks where their organization is an
    active member, and their own organization's private events. One query, no Python loop.

    The event log lives in core; who may read it is a rule about network membership, so it is
    answered here (core knows no domain app)."""
    org_id = permissions.org_id_of(person)
    if org_id is None:
        return Event.objects.none()
    events = Event.objects.filter(
        event_visible_to_organization_q(org_id), permissions.viewer_lock_q(person)
    )
    if network is not None:
        events = events.filter(network=network)
    return events.select_related("actor", "organization").order_by("-created_at", "-id")


# Each notification's recipient, in SQL (networks.permissions.Viewer).
RECIPIENT = permissions.Viewer("person_id", "person__org_membership__organization_id")


def notifications_inside_reach(notifications, now):
    """A notification filter (core.selectors): nothing about a network the recipient may not see
    inside now (a network lock: two-factor authentication it requires) reaches the inbox, the
    digest or the unread count; it comes back once the lock opens."""
    return notifications.filter(
        permissions.viewer_lock_q(viewer=RECIPIENT, field="event__network_id")
    )


def _charter_accepted(network_ref="network_id", org_ref="organization_id"):
    """Exists(): the organization accepted the network's latest charter version."""
    latest = (
        Agreement.objects.filter(
            network_id=OuterRef(OuterRef(network_ref)), kind=Agreement.Kind.CHARTER
        )
        .order_by("-version")
        .values("pk")[:1]
    )
    return Exists(
        AgreementAcceptance.objects.filter(
            organization_id=OuterRef(org_ref), agreement_id=Subquery(latest)
        )
    )


def _approvals_needed(network: Network | None = None):
    """Expression: approvals a pending membership needs (mirrors services.admission_threshold:
    the network's setting, capped at its number of active members, at least one). Given the
    network, the member count is an uncorrelated subquery the database computes once.

    The count is two counts, one per half of NetworkMembership.active_q(): the active members
    come from the (network, status) index without reading a row, where the single OR read every
    member row of the network once per pending membership (11 ms of SQLite for the benchmark's
    40 pending admissions on the dashboard, 2 ms split)."""
    network_id = network.pk if network is not None else OuterRef("network_id")

    def counted(part):
        # COUNT(*) without GROUP BY (one row, 0 when none): SQLite answers it from the index
        # alone; COUNT("id") grouped by network read 4x slower on the benchmark's network.
        return Subquery(
            NetworkMembership.objects.filter(part, network_id=network_id)
            .order_by()  # the default ordering would join every member's organization
            .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
            .values("n"),
            output_field=IntegerField(),
        )

    still, in_notice = NetworkMembership.active_parts()
    voters = counted(still) + counted(in_notice)
    required = (
        Value(network.approvals_required)
        if network is not None
        else F("network__approvals_required")
    )
    return Greatest(
        Value(1),
        Least(required, voters),
        output_field=IntegerField(),
    )


def networks_of(person) -> QuerySet[NetworkMembership]:
    """The person's organization's current and pending memberships, with their networks."""
    org_id = permissions.org_id_of(person)
    if org_id is None:
        return NetworkMembership.objects.none()
    member_counts = (
        NetworkMembership.objects.filter(
            NetworkMembership.active_q(), network_id=OuterRef("network_id")
        )
        .order_by()  # no default ordering: it would join every member's organization
        .values("network_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        NetworkMembership.objects.filter(
            NetworkMembership.active_q() | Q(status__in=NetworkMembership.PENDING),
            organization_id=org_id,
        )
        .select_related("network")
        .annotate(member_count=Subquery(member_counts), charter_accepted=_charter_accepted())
        .order_by("network__name")
    )


def listed_networks_for(person) -> QuerySet[Network]:
    """Listed networks the person's organization is not (or no longer) part of."""
    org_id = permissions.org_id_of(person)
    mine = NetworkMembership.objects.filter(
        NetworkMembership.active_q() | Q(status__in=NetworkMembership.PENDING),
        organization_id=org_id,
    ).values("network_id")
    return (
        Network.objects.filter(visibility=Network.Visibility.LISTED)
        .exclude(pk__in=mine)
        .annotate(
            member_count=Count(
                "memberships", filter=NetworkMembership.active_q(prefix="memberships__")
            )
        )
        .order_by("name")
    )


def network_members(
    network: Network, *, status: str = Status.ACTIVE
) -> QuerySet[NetworkMembership]:
    """Member organizations with their people count and whether they accepted the charter."""
    people = (
        OrgMembership.objects.filter(organization_id=OuterRef("organization_id"))
        .order_by()  # the default ordering would join a table per row
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        NetworkMembership.objects.filter(NetworkMembership.active_q())
        if status == Status.ACTIVE
        else NetworkMembership.objects.filter(status=status)
    )
    return (
        rows.filter(network=network)
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
            approvals_needed=_approvals_needed(network),
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


def admissions_awaiting(person) -> QuerySet[NetworkMembership]:
    """Pending admissions, across the person's networks, on which their organization has not
    decided yet (for the dashboard). One query whatever the number of networks. Who asks to
    join is inside the network: hidden where the person may not look inside (e.g. a network
    that requires two-factor authentication, for a person without it)."""
    org_id = permissions.org_id_of(person)
    if org_id is None:
        return NetworkMembership.objects.none()
    return (
        NetworkMembership.objects.filter(
            network_id__in=permissions.active_network_ids(org_id),
            status__in=NetworkMembership.PENDING,
        )
        .exclude(organization_id=org_id)
        .filter(permissions.viewer_lock_q(person))
        .filter(
            ~Exists(AdmissionVote.objects.filter(membership=OuterRef("pk"), organization_id=org_id))
        )
        .select_related("network", "organization")
        .annotate(
            approvals=Count("admission_votes", filter=Q(admission_votes__decision="approve")),
            approvals_needed=_approvals_needed(),
        )
        .order_by("created_at", "pk")
    )


def admission_reasons(membership: NetworkMembership) -> QuerySet[AdmissionVote]:
    """The reasons member organizations gave when rejecting a membership (shown to the
    organization that was not admitted, without naming who voted)."""
    return AdmissionVote.objects.filter(
        membership=membership, decision=AdmissionVote.Decision.REJECT
    ).order_by("created_at", "pk")


def shared_networks(person, organization: Organization) -> QuerySet[Network]:
    """Networks in which both the person's organization and `organization` take part, the
    person's organization as an active member."""
    org_id = permissions.org_id_of(person)
    if org_id is None or org_id == organization.pk:
        return Network.objects.none()
    theirs = NetworkMembership.objects.filter(
        NetworkMembership.active_q() | Q(status__in=NetworkMembership.PENDING),
        organization=organization,
    ).values("network_id")
    return (
        Network.objects.filter(pk__in=permissions.active_network_ids(org_id))
        .filter(pk__in=theirs)
        .order_by("name", "pk")
    )


def open_network_invitations(network: Network) -> QuerySet[Invitation]:
    from django.utils import timezone

    return (
        Invitation.objects.filter(
            kind=Invitation.Kind.NETWORK,
            network=network,
            status=Invitation.Status.PENDING,
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
            email__iexact=person.email,
            status=Invitation.Status.PENDING,
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
            kind=Invitation.Kind.COLLEAGUE,
            organization=organization,
            status=Invitation.Status.PENDING,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def organizations_for(person) -> QuerySet[Organization]:
    """Organizations visible to the person, with their people count."""
    people = (
        OrgMembership.objects.filter(organization_id=OuterRef("pk"))
        .order_by()  # the default ordering would join a table per row
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        permissions.organizations_visible_to(person)
        .annotate(people_count=Subquery(people))
        .order_by("name", "pk")
    )


def charter_acceptances(network: Network) -> QuerySet[AgreementAcceptance]:
    charter = permissions.current_charter(network)
    return (
        AgreementAcceptance.objects.filter(agreement=charter)
        .select_related("organization", "person")
        .order_by("accepted_at")
    )


def person_by_email(email: str) -> Person | None:
    return Person.objects.filter(email__iexact=email).first()


def networks_for(person, *, scope: str | None = "all") -> QuerySet[Network]:
    """Networks for the API: the person's organization's (active or pending) and, unless scope
    is "mine", the listed directory; annotated with member_count, my_status and
    charter_accepted. One query whatever the number of networks. scope=None: no filter."""
    org_id = permissions.org_id_of(person)
    mine = NetworkMembership.objects.filter(
        NetworkMembership.active_q() | Q(status__in=NetworkMembership.PENDING),
        network_id=OuterRef("pk"),
        organization_id=org_id,
    )
    members = (
        NetworkMembership.objects.filter(NetworkMembership.active_q(), network_id=OuterRef("pk"))
        .order_by()  # the default ordering would join a table per row
        .values("network_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    latest_charter = (
        Agreement.objects.filter(network_id=OuterRef(OuterRef("pk")), kind=Agreement.Kind.CHARTER)
        .order_by("-version")
        .values("pk")[:1]
    )
    networks = Network.objects.annotate(
        my_status=Subquery(mine.values("status")[:1]),
        my_membership_ends_at=Subquery(mine.values("ended_at")[:1]),
        member_count=Coalesce(Subquery(members), Value(0)),
        charter_accepted=Exists(
            AgreementAcceptance.objects.filter(
                organization_id=org_id, agreement_id=Subquery(latest_charter)
            )
        ),
    )
    if scope is None:  # the caller has already decided access (permissions.get_network_for)
        return networks
    if scope == "mine":
        networks = networks.filter(my_status__isnull=False)
    elif scope == "directory":
        networks = networks.filter(visibility=Network.Visibility.LISTED, my_status__isnull=True)
    else:
        listed = Q(visibility=Network.Visibility.LISTED)
        networks = networks.filter(listed | Q(my_status__isnull=False))
    return networks.order_by("name", "pk")


def open_invitations_sent_by(person) -> QuerySet[Invitation]:
    """Unanswered, unexpired invitations the person's organization sent (colleagues and
    organizations), newest first: the ones it can still withdraw."""
    from django.utils import timezone

    org_id = permissions.org_id_of(person)
    if org_id is None:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            inviting_organization_id=org_id,
            status=Invitation.Status.PENDING,
            expires_at__gt=timezone.now(),
        )
        .select_related("network", "organization", "invited_by", "inviting_organization")
        .order_by("-created_at", "-pk")
    )
