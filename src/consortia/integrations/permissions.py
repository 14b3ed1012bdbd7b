"""Who may manage webhook endpoints: the team leaders of the organization that owns them.

An endpoint of another organization does not exist for you (404). People of the owning
organization who are not team leaders see why they may not (403).
"""

from django.http import Http404

from consortia.networks.models import Network, NetworkMembership
from consortia.networks.permissions import org_id_of, require_team_leader

from .models import Endpoint, Message

LEADERS_ONLY = "Only a team leader of your organization manages its integrations."


def require_integrations_manager(person):
    return require_team_leader(person, LEADERS_ONLY)


def networks_for_endpoints(person):
    """Networks where the person's organization is an active member: where it may register."""
    org_id = org_id_of(person)
    if org_id is None:
        return Network.objects.none()
    return Network.objects.filter(
        pk__in=NetworkMembership.objects.filter(
            NetworkMembership.active_q(), organization_id=org_id
        ).values("network_id")
    ).order_by("name")


def get_network_for_endpoints(person, slug: str) -> Network:
    network = networks_for_endpoints(person).filter(slug=slug).first()
    if network is None:
        raise Http404("No such network")
    return network


def get_endpoint_for(person, pk: int) -> Endpoint:
    org_id = org_id_of(person)
    endpoint = (
        Endpoint.objects.select_related("network", "organization")
        .filter(pk=pk, organization_id=org_id)
        .first()
        if org_id is not None
        else None
    )
    if endpoint is None:
        raise Http404("No such endpoint")
    require_integrations_manager(person)
    return endpoint


def get_message_for(person, endpoint: Endpoint, pk: int) -> Message:
    message = Message.objects.filter(pk=pk, endpoint=endpoint).first()
    if message is None:
        raise Http404("No such message")
    return message
