"""The one place that decides who may see and do what with networks and organizations.

Views, API operations, the CLI and services all call these functions. Objects a person may not
know exist raise Http404; objects they can see but may not act on raise PermissionDenied with a
sentence saying why.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from consortia.core import waiting
from consortia.networks.models import (
    Agreement,
    AgreementAcceptance,
    Network,
    NetworkMembership,
    Organization,
    OrgMembership,
)

Status = NetworkMembership.Status

# Conditions on the person, not the organization, that other apps add (accounts: a verified
# e-mail address; two-factor authentication where a network requires it). Each check is
# `check(person, network_or_None, need) -> str | None`: None lets the person through, a sentence
# says why not. They run inside the funnel below, so no view can forget them.
_person_checks = []


def register_person_check(check) -> None:
    if check not in _person_checks:
        _person_checks.append(check)


class Refusal(str):
    """A check's reason that also names the page where the person can put it right (the 403
    page and the network header show it as a link)."""

    def __new__(cls, text: str, url: str = "", label: str = ""):
        refusal = super().__new__(cls, text)
        refusal.url, refusal.label = url, label
        return refusal


def require_person_may(person, network=None, need: str = "act") -> None:
    """Raise PermissionDenied when a registered check refuses the person: acting for their
    organization (need="act") or seeing a network's members-only pages (need="member")."""
    if not getattr(person, "is_authenticated", False):
        return
    for check in _person_checks:
        reason = check(person, network, need)
        if reason:
            denied = PermissionDenied(reason)
            denied.help_url = getattr(reason, "url", "")
            denied.help_label = getattr(reason, "label", "")
            raise denied


# Networks whose inside (shared items, events, notifications about them) a person may not see
# although their organization is a member (accounts: a network that requires two-factor
# authentication, for a person without it). Every list of such things is filtered in SQL by
# `viewer_lock_q`, so no list can forget it. A lock is an object with
#   reason(person, network) -> Refusal | None   why this person may not look inside now;
#   row_q(person, field) -> Q | None             keeps rows whose `field` (a network id) this
#                                                 person may see (Python facts on `person` allowed);
#   viewer_q(viewer, field) -> Q                 the same for a viewer known only in SQL
#                                                 (a `Viewer`: each row's person, e.g. the
#                                                 recipient of a notification);
#   people_q(network_id) -> Q                    over Person: who may see inside the network.
_network_locks = []


class Viewer:
    """A person known only in SQL: `path` names the field that holds their id ("person_id") and
    `org_path` their organization's id, on the rows of a query `depth` levels out (0: the rows
    being filtered; 1: the query this one is a subquery of, e.g. the notification it is about)."""

    def __init__(self, path: str, org_path: str, depth: int = 0):
        self.path, self.org_path, self.depth = path, org_path, depth

    def _ref(self, name: str, depth: int):
        from django.db.models import F

        if depth == 0:
            return F(name)
        ref = name
        for _ in range(depth):
            ref = OuterRef(ref)
        return ref

    def row(self, which: str = "person"):
        """The viewer's id ("person") or organization's id ("org"), on the rows filtered."""
        return self._ref(self.path if which == "person" else self.org_path, self.depth)

    def inner(self, which: str = "person"):
        """The same, from inside a subquery on the rows filtered."""
        return self._ref(self.path if which == "person" else self.org_path, self.depth + 1)


def register_network_lock(lock) -> None:
    if lock not in _network_locks:
        _network_locks.append(lock)


def lock_reason(person, network):
    """Why `person` may not see inside `network` now (a Refusal), or None."""
    if not getattr(person, "is_authenticated", False):
        return None
    for lock in _network_locks:
        reason = lock.reason(person, network)
        if reason:
            return reason
    return None


def viewer_lock_q(person=None, *, viewer: Viewer | None = None, field: str = "network_id") -> Q:
    """Q keeping the rows whose network (`field`) the viewer may see inside: for a Person object,
    or for a `Viewer` (each row's own person, in SQL)."""
    q = Q()
    for lock in _network_locks:
        part = lock.row_q(person, field) if viewer is None else lock.viewer_q(viewer, field)
        if part is not None:
            q &= part
    return q


def people_lock_q(network_id) -> Q:
    """Q over Person: who may see inside network `network_id` (for fan-outs: notifications)."""
    q = Q()
    for lock in _network_locks:
        q &= lock.people_q(network_id)
    return q


def org_id_of(person) -> int | None:
    if not getattr(person, "is_authenticated", False):
        return None
    membership = person.membership
    return membership.organization_id if membership else None


def membership_of(person, network) -> NetworkMembership | None:
    """The person's organization's membership row in `network`, cached on the person."""
    org_id = org_id_of(person)
    if org_id is None:
        return None
    cache = person.__dict__.setdefault("_network_memberships", {})
    if network.pk not in cache:
        cache[network.pk] = NetworkMembership.objects.filter(
            network=network, organization_id=org_id
        ).first()
    return cache[network.pk]


def forget_memberships(person) -> None:
    person.__dict__.pop("_network_memberships", None)


def current_charter(network) -> Agreement | None:
    cache = network.__dict__.setdefault("_current_charter", [])
    if not cache:
        cache.append(
            Agreement.objects.filter(network=network, kind=Agreement.Kind.CHARTER)
            .order_by("-version")
            .first()
        )
    return cache[0]


def has_accepted_charter(organization_id: int, network) -> bool:
    """Whether the organization accepted the current charter (cached on the network object,
    which lives for one request)."""
    cache = network.__dict__.setdefault("_charter_accepted", {})
    if organization_id not in cache:
        charter = current_charter(network)
        cache[organization_id] = (
            charter is None
            or AgreementAcceptance.objects.filter(
                agreement=charter, organization_id=organization_id
            ).exists()
        )
    return cache[organization_id]


ACTIVE_NETWORKS = "active_network_ids"


def active_network_ids(organization_id):
    """Subquery: the networks in which an organization is an active member (including one
    removed by a vote whose notice period is still running; see NetworkMembership.active_q).

    Inside core.waiting.sections_for() called with these ids already read (the dashboard reads
    the organization's memberships for "My networks": networks.waiting.active_networks_known),
    the list of those ids instead: every "Waiting for you" section filters on it, and a
    literal list is cheaper to build and to run than the same subquery in each section. Both
    serve as `network_id__in=`."""
    return waiting.known(
        (ACTIVE_NETWORKS, organization_id),
        lambda: NetworkMembership.objects.filter(
            NetworkMembership.active_q(), organization_id=organization_id
        ).values("network_id"),
    )


def get_network_for(person, slug: str, *, need: str = "view") -> Network:
    """Return the network `slug` if `person` may `need` it, else raise.

    need = "view": its name, description and charter (listed networks: any signed-in person;
    unlisted: organizations that have or had a membership row — members, applicants, former
    members). An invitee sees an unlisted network only through its invitation link: the token
    proves the address is theirs, a self-declared email does not. "member": the member list,
    activity and everything inside the network (active members only); "act": invite, approve,
    propose (active members whose organization accepted the current charter).

    Whoever is not an active member gets 404 for "member" and "act", as for a network that
    does not exist: what is inside a network is not theirs to know, not even that it is there
    (DESIGN.md, rule 3). An active member that may not act yet gets 403 with the reason.
    """
    network = Network.objects.filter(slug=slug).first()
    if network is None or not getattr(person, "is_authenticated", False):
        raise Http404("No such network")
    membership = membership_of(person, network)
    if membership is None and network.visibility != Network.Visibility.LISTED:
        raise Http404("No such network")
    if need == "view":
        return network
    if membership is None or not membership.is_active:
        raise Http404("No such network")
    require_person_may(person, network, need)
    if need == "act" and not has_accepted_charter(membership.organization_id, network):
        raise PermissionDenied(
            "Your organization has to accept the network's current charter "
            "before acting as a member."
        )
    return network


def require_team_leader(
    person, message: str = "Only a team leader can do this for the organization."
) -> OrgMembership:
    membership = person.membership if getattr(person, "is_authenticated", False) else None
    if membership is None:
        raise PermissionDenied("You need to belong to an organization first.")
    if membership.role != OrgMembership.Role.TEAM_LEADER:
        raise PermissionDenied(message)
    require_person_may(person)
    return membership


def require_organization_voter(
    person,
    message: str = "Only a team leader or a delegate the organization named can vote for it.",
) -> OrgMembership:
    """The person casts the organization's ballot: a team leader, or a colleague a team leader
    named with votes_for_organization."""
    membership = person.membership if getattr(person, "is_authenticated", False) else None
    if membership is None:
        raise PermissionDenied("You need to belong to an organization first.")
    if not membership.votes_in_polls:
        raise PermissionDenied(message)
    require_person_may(person)
    return membership


def require_acting_member(person, network) -> NetworkMembership:
    """The person's organization is an active member that accepted the current charter."""
    membership = membership_of(person, network)
    if membership is None or not membership.is_active:
        raise PermissionDenied("Your organization is not an active member of this network.")
    require_person_may(person, network, "act")
    if not has_accepted_charter(membership.organization_id, network):
        raise PermissionDenied(
            "Your organization has to accept the network's current charter "
            "before acting as a member."
        )
    return membership


def organizations_visible_to(person):
    """Queryset filter: your own organization, and organizations that are members of (or are
    applying to) a network in which your organization is an active member."""
    org_id = org_id_of(person)
    if org_id is None:
        return Organization.objects.none()
    partner_rows = NetworkMembership.objects.filter(
        NetworkMembership.active_q() | Q(status__in=NetworkMembership.PENDING),
        organization=OuterRef("pk"),
        network_id__in=active_network_ids(org_id),
    )
    return Organization.objects.filter(Q(pk=org_id) | Exists(partner_rows))


def get_organization_for(person, slug: str, *, write: bool = False) -> Organization:
    organization = organizations_visible_to(person).filter(slug=slug).first()
    if organization is None:
        raise Http404("No such organization")
    if write:
        if org_id_of(person) != organization.pk:
            raise PermissionDenied("Only the organization's own team leaders can change it.")
        require_team_leader(person)
    return organization


def get_pending_membership_for(person, network, membership_id: int) -> NetworkMembership:
    """A pending admission in `network` that the person's organization may decide on."""
    require_acting_member(person, network)
    membership = (
        NetworkMembership.objects.select_related("organization", "network")
        .filter(network=network, pk=membership_id)
        .first()
    )
    if membership is None:
        raise Http404("No such membership")
    return membership


def can_act(person, network) -> bool:
    try:
        require_acting_member(person, network)
    except PermissionDenied:
        return False
    return True
