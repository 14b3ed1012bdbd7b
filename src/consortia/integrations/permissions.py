"""Who may manage webhook endpoints: the team leaders of the organization that owns them.

An endpoint of another organization does not exist for you (404). People of the owning
organization who are not team leaders see why they may not (403).

The network's lock (networks.permissions.register_network_lock: a network that requires
two-factor authentication, for a person without it) applies to endpoints as to the network's
own pages and the API: a locked team leader may not see, create, change, test, rotate, resend or
remove an endpoint of that network (403 with the network's reason). An endpoint delivers on the
authority of the person who created it, as an API token acts for its owner: while that person is
locked in the endpoint's network, or no longer belongs to the organization, the endpoint is
*paused* — no message is queued for it and none already queued is sent (`delivering_q`, in SQL)
— until they are in good standing again or a team leader who may act in the network resumes it
(and becomes the person it delivers for).
"""

from django.db.models import F, Q
from django.http import Http404

from consortia.networks.models import Network, NetworkMembership
from consortia.networks.permissions import (
    Viewer,
    lock_reason,
    org_id_of,
    require_person_may,
    require_team_leader,
    viewer_lock_q,
)

from .models import Endpoint, Message

LEADERS_ONLY = "Only a team leader of your organization manages its integrations."

# The person an endpoint delivers for, on Endpoint rows (for the network locks' SQL rules).
CREATOR = Viewer("created_by_id", "organization_id")


def require_integrations_manager(person):
    return require_team_leader(person, LEADERS_ONLY)


def require_endpoint_manager(person, network):
    """A team leader who may act in `network` now (the network's lock gives a 403 with its
    reason, as on the network's own pages)."""
    membership = require_integrations_manager(person)
    require_person_may(person, network, "act")
    return membership


def delivering_q() -> Q:
    """Q over Endpoint: endpoints whose creator still belongs to the organization and may see
    inside the endpoint's network now. The others are paused."""
    return Q(
        created_by__is_active=True,
        created_by__org_membership__organization_id=F("organization_id"),
    ) & viewer_lock_q(viewer=CREATOR, field="network_id")


def delivering_ids():
    """Subquery of the ids of the endpoints that are not paused."""
    return Endpoint.objects.filter(delivering_q()).values("pk")


def is_paused(endpoint) -> bool:
    known = getattr(endpoint, "delivering", None)  # annotated by the selectors
    if known is None:
        known = Endpoint.objects.filter(delivering_q(), pk=endpoint.pk).exists()
        endpoint.delivering = known
    return not known


RESUME = "a team leader who may act in {network} can resume it"


def pause_reason(endpoint) -> str:
    """Why the endpoint is paused, as a sentence (empty when it is not)."""
    if not is_paused(endpoint):
        return ""
    network = endpoint.network
    resume = RESUME.format(network=network)
    creator = endpoint.created_by
    if creator is None:
        return f"Paused: the person who created it no longer has an account; {resume}."
    if not creator.is_active or org_id_of(creator) != endpoint.organization_id:
        return (
            f"Paused: created by {creator}, who no longer belongs to "
            f"{endpoint.organization}; {resume}."
        )
    if lock_reason(creator, network):
        if network.requires_two_factor:
            return (
                f"Paused: created by {creator}, who has no two-factor authentication, which "
                f"{network} requires; a team leader with two-factor authentication can "
                "resume it."
            )
        return f"Paused: created by {creator}, who may not see inside {network} now; {resume}."
    return f"Paused: {resume}."


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
        Endpoint.objects.select_related("network", "organization", "created_by")
        .filter(pk=pk, organization_id=org_id)
        .first()
        if org_id is not None
        else None
    )
    if endpoint is None:
        raise Http404("No such endpoint")
    require_endpoint_manager(person, endpoint.network)
    return endpoint


def get_message_for(person, endpoint: Endpoint, pk: int) -> Message:
    message = Message.objects.filter(pk=pk, endpoint=endpoint).first()
    if message is None:
        raise Http404("No such message")
    return message
