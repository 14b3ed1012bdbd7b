"""Who may see and do what with an initiative. Authority comes from the clock.

`current_leader` reads the leadership term that covers now; nothing stores "is leader", so a
term ends by itself at its `ends_at`. Initiatives are visible to the active members of their
network; everyone else gets 404.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from consortia.networks import permissions as network_permissions
from consortia.networks.models import OrgMembership

from .models import Initiative, LeadershipTerm, Participation

ACTIVE = Participation.Status.ACTIVE


def current_term(initiative, now=None) -> LeadershipTerm | None:
    """The leadership term covering `now`, or None. Cached per initiative object and instant,
    so one page asks the database once."""
    now = now or timezone.now()
    cache = initiative.__dict__.setdefault("_terms", {})
    if now not in cache:
        cache[now] = (
            LeadershipTerm.objects.select_related("person", "organization")
            .filter(initiative=initiative, starts_at__lte=now, ends_at__gt=now)
            .order_by("-starts_at", "-id")
            .first()
        )
    return cache[now]


def current_leader(initiative, now=None):
    """The current term (its `person` leads), or None when nobody leads now."""
    return current_term(initiative, now)


def is_leader(person, initiative, now=None) -> bool:
    term = current_term(initiative, now)
    return term is not None and getattr(person, "pk", None) == term.person_id


def participation_of(person, initiative) -> Participation | None:
    """The person's organization's participation row, cached on the initiative object."""
    org_id = network_permissions.org_id_of(person)
    if org_id is None:
        return None
    cache = initiative.__dict__.setdefault("_participations", {})
    if org_id not in cache:
        cache[org_id] = Participation.objects.filter(
            initiative=initiative, organization_id=org_id
        ).first()
    return cache[org_id]


def forget(initiative) -> None:
    for key in ("_terms", "_participations"):
        initiative.__dict__.pop(key, None)


def is_participant(person, initiative) -> bool:
    participation = participation_of(person, initiative)
    return participation is not None and participation.status == ACTIVE


def is_participating_team_leader(person, initiative) -> bool:
    return person.is_team_leader and is_participant(person, initiative)


def require_participant(person, initiative) -> Participation:
    network_permissions.require_acting_member(person, initiative.network)
    if not is_participant(person, initiative):
        raise PermissionDenied("Only people of participating organizations can do this.")
    return participation_of(person, initiative)


def require_open(initiative) -> None:
    if initiative.status in (Initiative.Status.COMPLETED, Initiative.Status.CANCELLED):
        raise PermissionDenied(f"This initiative is {initiative.get_status_display().lower()}.")


def may_steer(person, initiative, now=None) -> bool:
    """The participants' rule: the leader if there is one now, otherwise any participating
    team leader (accept participants, revise the plan)."""
    if current_term(initiative, now) is not None:
        return is_leader(person, initiative, now)
    return is_participating_team_leader(person, initiative)


def require_steer(person, initiative, now=None, *, what: str) -> None:
    network_permissions.require_acting_member(person, initiative.network)
    term = current_term(initiative, now)
    if term is not None:
        if term.person_id != getattr(person, "pk", None):
            raise PermissionDenied(f"Only the initiative's leader, {term.person}, can {what}.")
        return
    if not is_participating_team_leader(person, initiative):
        raise PermissionDenied(
            f"The initiative has no leader now, so a team leader of a participating "
            f"organization can {what}."
        )


def require_leader(person, initiative, now=None, *, what: str) -> LeadershipTerm:
    term = current_term(initiative, now)
    if term is None or term.person_id != getattr(person, "pk", None):
        raise PermissionDenied(
            f"Only the initiative's current leader can {what}; "
            + ("nobody leads it now." if term is None else f"that is {term.person}.")
        )
    return term


def initiatives_visible_to(person, network=None):
    """Initiatives of networks in which the person's organization is an active member."""
    org_id = network_permissions.org_id_of(person)
    if org_id is None:
        return Initiative.objects.none()
    initiatives = Initiative.objects.filter(
        network_id__in=network_permissions.active_network_ids(org_id)
    ).filter(network_permissions.viewer_lock_q(person))  # e.g. two-factor the network requires
    if network is not None:
        initiatives = initiatives.filter(network=network)
    return initiatives


def get_network_for(person, slug: str):
    """The network whose initiatives the person may see (active members), else 404/403."""
    network = network_permissions.get_network_for(person, slug)
    membership = network_permissions.membership_of(person, network)
    if membership is None or not membership.is_active:
        raise Http404("No such network")
    return network


def get_initiative_for(person, pk: int, *, slug: str | None = None) -> Initiative:
    """The initiative `pk` if the person may see it, else 404 (outsiders never learn it exists).
    A member the network locks out (e.g. it requires two-factor authentication) gets 403 with
    the reason and the page that puts it right, as on the network's own pages."""
    initiatives = initiatives_visible_to(person).select_related("network", "proposed_by")
    if slug is not None:
        initiatives = initiatives.filter(network__slug=slug)
    initiative = initiatives.filter(pk=pk).first()
    if initiative is None:
        _refuse_if_locked_out(person, pk, slug)
        raise Http404("No such initiative")
    return initiative


def _refuse_if_locked_out(person, pk: int, slug: str | None) -> None:
    """Raise the network funnel's 403 when initiative `pk` is hidden only by a network lock: it
    is in a network where the person's organization is an active member. (Only on the way to a
    404: one query, never on a page that is shown.)"""
    org_id = network_permissions.org_id_of(person)
    if org_id is None:
        return
    hidden = Initiative.objects.select_related("network").filter(
        pk=pk, network_id__in=network_permissions.active_network_ids(org_id)
    )
    if slug is not None:
        hidden = hidden.filter(network__slug=slug)
    initiative = hidden.first()
    if initiative is not None:
        network_permissions.require_person_may(person, initiative.network, "member")


def team_leader_of(organization_id: int):
    return [
        m.person
        for m in OrgMembership.objects.filter(
            organization_id=organization_id, role=OrgMembership.Role.TEAM_LEADER
        ).select_related("person")
    ]
