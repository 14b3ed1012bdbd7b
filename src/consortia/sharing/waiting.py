"""NDAs waiting for the organization's answer (core.waiting): bilateral NDAs proposed to it
and the network NDA versions it has not accepted. Registered by SharingConfig.ready(). Two
queries, whatever the number of NDAs."""

from django.urls import reverse

from consortia.core import waiting
from consortia.networks import permissions as network_permissions
from consortia.networks.models import Agreement
from consortia.networks.waiting import agreements_to_accept, to_read_and_accept

from .models import Nda


def ndas_to_accept(person, now):
    org_id = network_permissions.org_id_of(person)
    if org_id is None:
        return [], 0
    leader, note = person.is_team_leader, "Your team leader answers"
    bilateral, bilateral_count = waiting.capped(
        Nda.objects.filter(
            counterparty_id=org_id,
            status=Nda.Status.PROPOSED,
            network_id__in=network_permissions.active_network_ids(org_id),
        )
        .filter(network_permissions.viewer_lock_q(person))
        .select_related("network", "proposer")
        .order_by("created_at", "pk")
    )
    network_ndas, network_count = agreements_to_accept(
        org_id, now, Agreement.Kind.NDA, lock=network_permissions.viewer_lock_q(person)
    )
    items = [
        to_read_and_accept(
            leader,
            key=f"network-nda-{m.network_id}",
            title=f"The network NDA of {m.network}",
            url=reverse("sharing_ndas", args=[m.network.slug]),
            detail="Accept it to see confidential items shared with the whole network",
            network=m.network.name,
            note=note,
        )
        for m in network_ndas
    ]
    items += [
        to_read_and_accept(
            leader,
            key=f"nda-{nda.pk}",
            title=f"“{nda.title}” (version {nda.version})",
            url=reverse("sharing_ndas", args=[nda.network.slug]),
            detail=f"Proposed by {nda.proposer}",
            network=nda.network.name,
            note=note,
            verb="answer",
        )
        for nda in bilateral
    ]
    return items[: waiting.LIMIT], bilateral_count + network_count


def register() -> None:
    waiting.register("ndas", "NDAs to accept", ndas_to_accept, order=65)
