"""Who may see and write the ledger.

An initiative's ledger and balance are visible to the people of its active participants; the
network's ledger to the people of its active member organizations. Entries are entered (and
deleted) only by people of the organization they belong to. Others get 404.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from consortia.initiatives import permissions as initiative_permissions
from consortia.networks import permissions as network_permissions

from .models import LedgerEntry


def get_network_for(person, slug: str):
    network = network_permissions.get_network_for(person, slug)
    membership = network_permissions.membership_of(person, network)
    if membership is None or not membership.is_active:
        raise Http404("No such network")
    return network


def get_initiative_for(person, pk: int, *, slug: str | None = None):
    """The initiative's ledger: participants only (others do not learn the figures)."""
    initiative = initiative_permissions.get_initiative_for(person, pk, slug=slug)
    if not initiative_permissions.is_participant(person, initiative):
        raise Http404("No such ledger")
    return initiative


def require_writer(person, network, initiative=None) -> int:
    network_permissions.require_acting_member(person, network)
    if initiative is not None and not initiative_permissions.is_participant(person, initiative):
        raise PermissionDenied("Only participating organizations keep this initiative's ledger.")
    return network_permissions.org_id_of(person)


def entries_visible_to(person):
    """Entries of networks where the person's organization is an active member; initiative
    entries only for the initiatives it takes part in."""
    from django.db.models import Q

    from consortia.metrics.permissions import participating_initiative_ids

    org_id = network_permissions.org_id_of(person)
    if org_id is None:
        return LedgerEntry.objects.none()
    return LedgerEntry.objects.filter(
        Q(initiative__isnull=True) | Q(initiative_id__in=participating_initiative_ids(org_id)),
        network_id__in=network_permissions.active_network_ids(org_id),
    )


def get_entry_for(person, pk: int) -> LedgerEntry:
    entry = entries_visible_to(person).select_related("network", "initiative").filter(pk=pk).first()
    if entry is None:
        raise Http404("No such entry")
    return entry
