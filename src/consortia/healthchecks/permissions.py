"""Who may see and do what with health checks: only the organizations taking part.

A health check is visible to the people of its sides' organizations while those organizations
are active members of its network; everyone else — other members of the network included —
gets 404, as for a health check that does not exist. Inside, answers are sealed: before the
health check is unsealed a side reads only its own answers (selectors.visible_ratings).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404

from consortia.networks import permissions as network_permissions
from consortia.networks.models import OrgMembership

from .models import HealthCheck, Rater, Side


def checks_visible_to(person, network=None):
    """Queryset: the health checks one of whose sides is the person's organization, in networks
    where that organization is an active member."""
    org_id = network_permissions.org_id_of(person)
    if org_id is None:
        return HealthCheck.objects.none()
    checks = HealthCheck.objects.filter(
        Exists(Side.objects.filter(health_check=OuterRef("pk"), organization_id=org_id)),
        network_id__in=network_permissions.active_network_ids(org_id),
    ).filter(network_permissions.viewer_lock_q(person))  # e.g. two-factor the network requires
    if network is not None:
        checks = checks.filter(network=network)
    return checks


def get_check_for(person, pk: int, *, network=None) -> HealthCheck:
    """The health check `pk` if the person's organization takes part, else 404."""
    check = (
        checks_visible_to(person, network)
        .select_related("network", "initiative", "opened_by", "opened_by_organization")
        .filter(pk=pk)
        .first()
    )
    if check is None:
        raise Http404("No such health check")
    network_permissions.require_person_may(person, check.network, "member")
    return check


def side_of(person, check) -> Side | None:
    """The person's organization's side (cached on the health check object)."""
    org_id = network_permissions.org_id_of(person)
    cache = check.__dict__.setdefault("_sides", {})
    if org_id not in cache:
        cache[org_id] = (
            Side.objects.select_related("organization")
            .filter(health_check=check, organization_id=org_id)
            .first()
            if org_id
            else None
        )
    return cache[org_id]


def may_answer(person, side) -> bool:
    """A team leader of the side's organization, or a colleague one of them invited."""
    membership = person.membership if getattr(person, "is_authenticated", False) else None
    if side is None or membership is None or membership.organization_id != side.organization_id:
        return False
    if membership.role == OrgMembership.Role.TEAM_LEADER:
        return True
    return Rater.objects.filter(side=side, person=person).exists()


def require_side(person, check) -> Side:
    """The person acts for an organization taking part (active member of the network)."""
    network_permissions.require_acting_member(person, check.network)
    side = side_of(person, check)
    if side is None:  # pragma: no cover - get_check_for already answered 404
        raise Http404("No such health check")
    return side


def require_answerer(person, check) -> Side:
    side = require_side(person, check)
    if not may_answer(person, side):
        raise PermissionDenied(
            "Only a team leader of your organization, or a colleague one of them invited, can "
            "answer this health check."
        )
    return side
