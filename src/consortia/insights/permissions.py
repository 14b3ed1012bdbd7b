"""Who may see trust, engagement and health: the active members of the network.

Like initiatives: everyone whose organization is not an active member now (outsiders,
applicants, organizations that left) gets 404.
"""

from django.http import Http404

from consortia.initiatives import permissions as initiative_permissions
from consortia.networks.models import NetworkMembership, Organization


def get_network_for(person, slug: str):
    return initiative_permissions.get_network_for(person, slug)


def get_member_organization(network, slug: str) -> Organization:
    """An organization that is (or was, while its notice runs) an active member, else 404."""
    organization = (
        Organization.objects.filter(
            slug=slug,
            network_memberships__in=NetworkMembership.objects.filter(
                NetworkMembership.active_q(), network=network
            ),
        )
        .distinct()
        .first()
    )
    if organization is None:
        raise Http404("No such member organization")
    return organization


MAX_SHARED_NETWORKS = 50


def shared_networks(person, org_slug: str):
    """The organization `org_slug` and the networks in which both it and the person's
    organization are active members (404 when there are none: outsiders learn nothing)."""
    from consortia.networks.models import Network
    from consortia.networks.permissions import active_network_ids, org_id_of

    org_id = org_id_of(person)
    organization = Organization.objects.filter(slug=org_slug).first()
    if org_id is None or organization is None:
        raise Http404("No such organization")
    networks = list(
        Network.objects.filter(pk__in=active_network_ids(org_id))
        .filter(pk__in=active_network_ids(organization.pk))
        .order_by("name")[:MAX_SHARED_NETWORKS]
    )
    if not networks:
        raise Http404("No such organization")
    return organization, networks
