"""Who may see and change shared items: the one funnel for views, the API and services.

An item someone may not see is a 404 — the same answer for a missing id, an invisible item or
an item of another network — so ids cannot be probed.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from consortia.networks import permissions as network_permissions
from consortia.networks.models import OrgMembership
from consortia.networks.permissions import org_id_of

from .audience import visible_items
from .models import Item


def get_readable_network_for(person, slug: str):
    """The network whose shared items (lists, feed, search, access log, export) the person may
    read: its organization is an active member, or was admitted once (it left or was removed),
    or owns items there (an organization always keeps its own items, also after leaving and
    asking to join again). Everyone else — outsiders, applicants, organizations never admitted
    — gets 404."""
    network = network_permissions.get_network_for(person, slug)
    membership = network_permissions.membership_of(person, network)
    if membership is not None and (membership.is_active or membership.joined_at is not None):
        return network
    org_id = org_id_of(person)
    if org_id is not None and Item.objects.filter(network=network, organization_id=org_id).exists():
        return network
    raise Http404("No such network")


def get_item_for(person, network_slug: str, item_id, *, kind: str | None = None, now=None) -> Item:
    """The item if `person` may see it, else Http404."""
    try:
        item_id = int(item_id)
    except (TypeError, ValueError):
        raise Http404("No such item") from None
    if not (0 < item_id < 2**63):
        raise Http404("No such item")
    queryset = visible_items(person, now=now).filter(pk=item_id, network__slug=network_slug)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    item = queryset.select_related("network", "organization", "author", "initiative").first()
    if item is None:
        raise Http404("No such item")
    return item


def is_item_owner(person, item) -> bool:
    """The item's author, or a team leader of its organization (while they belong to it)."""
    org_id = org_id_of(person)
    if org_id is None or org_id != item.organization_id:
        return False
    if item.author_id == person.pk:
        return True
    return person.membership.role == OrgMembership.Role.TEAM_LEADER


def require_item_owner(person, item, *, what: str = "change this item") -> None:
    if not is_item_owner(person, item):
        raise PermissionDenied(
            f"Only the author or a team leader of {item.organization} can {what}."
        )


def in_owner_org(person, item) -> bool:
    return org_id_of(person) == item.organization_id
