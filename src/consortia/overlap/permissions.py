"""The one place that decides who may see and do what in overlap discovery.

- The network's Overlap section: people of active member organizations (others: 404).
- A partnership: people of its two organizations (others, members included: 404).
- A run, its blinded values and its results: people of its two organizations while they are
  active members of the network (others, members included: 404).
- Populations, the restricted list and consent (propose, accept, decline, stop): team leaders
  of the organization (403 with a sentence for colleagues).
- Running a comparison: any person of an organization whose partnership is accepted.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from consortia.networks import permissions as network_permissions

from .models import Partnership, Population, Run


def get_network_for(person, slug: str):
    """The network, if the person's organization is an active member of it; else 404."""
    network = network_permissions.get_network_for(person, slug) if slug else None
    membership = network_permissions.membership_of(person, network) if network else None
    if membership is None or not membership.is_active:
        raise Http404("No such network")
    return network


def own_org_id(person) -> int:
    org_id = network_permissions.org_id_of(person)
    if org_id is None:
        raise Http404("No such network")
    return org_id


def partnerships_of(person, network):
    """SQL filter: the partnerships the person's organization is one side of."""
    org_id = network_permissions.org_id_of(person)
    return Partnership.objects.filter(
        Q(proposer_id=org_id) | Q(counterparty_id=org_id), network=network
    )


def get_partnership_for(person, network, pk) -> Partnership:
    partnership = (
        partnerships_of(person, network)
        .select_related("network", "proposer", "counterparty")
        .filter(pk=pk)
        .first()
    )
    if partnership is None:
        raise Http404("No such partnership")
    return partnership


def runs_of(person, network):
    """SQL filter: the runs of the partnerships the person's organization is one side of."""
    return Run.objects.filter(partnership__in=partnerships_of(person, network).values("pk"))


def get_run_for(person, network, run_uuid, *, lock: bool = False) -> Run:
    queryset = runs_of(person, network)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    run = (
        queryset.select_related(
            "network", "partnership__proposer", "partnership__counterparty", "initiator"
        )
        .filter(uuid=run_uuid)
        .first()
    )
    if run is None:
        raise Http404("No such run")
    return run


def require_team_leader(person, what: str = "do this") -> None:
    network_permissions.require_team_leader(
        person, f"Only a team leader can {what} for the organization."
    )


def get_population_for(person, pk) -> Population:
    """One of the person's organization's populations (another's: 404)."""
    population = (
        Population.objects.filter(organization_id=network_permissions.org_id_of(person), pk=pk)
        .prefetch_related("overrides")
        .first()
    )
    if population is None:
        raise Http404("No such population")
    return population


def require_runner(person, network, partnership: Partnership) -> int:
    """The person may run comparisons with the partnership's other side: its organization is
    an acting member and the partnership is accepted. Returns the organization's id."""
    network_permissions.require_acting_member(person, network)
    org_id = network_permissions.org_id_of(person)
    if org_id not in (partnership.proposer_id, partnership.counterparty_id):
        raise PermissionDenied("Only the two organizations of a partnership can compare lists.")
    if partnership.status != Partnership.Status.ACCEPTED:
        other = partnership.other(org_id)
        raise PermissionDenied(
            f"{other} has not accepted overlap discovery with your organization"
            + (" yet." if partnership.status == Partnership.Status.PROPOSED else ".")
        )
    return org_id
