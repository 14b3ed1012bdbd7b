"""NDAs waiting for the organization's answer (core.waiting): bilateral NDAs proposed to it
and the network NDA versions it has not accepted. Registered by SharingConfig.ready(). Two
queries, whatever the number of NDAs."""

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse

from consortia.core import waiting
from consortia.core.waiting import Action, Item
from consortia.networks import permissions as network_permissions
from consortia.networks.models import Agreement, AgreementAcceptance, NetworkMembership

from .models import Nda


def ndas_to_accept(person, now):
    org_id = network_permissions.org_id_of(person)
    if org_id is None:
        return [], 0
    leader = person.is_team_leader
    note = "" if leader else "Your team leader answers"
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
    latest = (
        Agreement.objects.filter(network_id=OuterRef("network_id"), kind=Agreement.Kind.NDA)
        .order_by("-version")
        .values("pk")[:1]
    )
    network_ndas, network_count = waiting.capped(
        NetworkMembership.objects.filter(NetworkMembership.active_q(now), organization_id=org_id)
        .annotate(nda_id=Subquery(latest))
        .filter(nda_id__isnull=False)
        .filter(network_permissions.viewer_lock_q(person))
        .filter(
            ~Exists(
                AgreementAcceptance.objects.filter(
                    organization_id=org_id, agreement_id=OuterRef("nda_id")
                )
            )
        )
        .select_related("network")
        .order_by("network__name", "pk")
    )
    items = []
    for m in network_ndas:
        url = reverse("sharing_ndas", args=[m.network.slug])
        items.append(
            Item(
                key=f"network-nda-{m.network_id}",
                title=f"The network NDA of {m.network}",
                url=url,
                detail="Accept it to see confidential items shared with the whole network",
                network=m.network.name,
                note=note,
                actions=[Action("Read and accept", url, method="get")] if leader else [],
            )
        )
    for nda in bilateral:
        url = reverse("sharing_ndas", args=[nda.network.slug])
        items.append(
            Item(
                key=f"nda-{nda.pk}",
                title=f"“{nda.title}” (version {nda.version})",
                url=url,
                detail=f"Proposed by {nda.proposer}",
                network=nda.network.name,
                note=note,
                actions=[Action("Read and answer", url, method="get")] if leader else [],
            )
        )
    return items[: waiting.LIMIT], bilateral_count + network_count


def register() -> None:
    waiting.register("ndas", "NDAs to accept", ndas_to_accept, order=65)
