"""What waits for an organization in its networks (core.waiting): admissions to decide and
charter versions to accept. Registered by NetworksConfig.ready()."""

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse

from consortia.core import waiting
from consortia.core.waiting import Action, Item
from consortia.networks import permissions, selectors
from consortia.networks.models import Agreement, AgreementAcceptance, Network, NetworkMembership

HOME = "/"  # the dashboard, where one-click actions come back to


def active_networks_known(org_id, memberships, now) -> dict:
    """For waiting.sections_for(known=…): the organization's active networks, from its
    memberships as selectors.networks_of() reads them (the dashboard's "My networks")."""
    ids = [m.network_id for m in memberships if m.is_active_at(now)]
    return {(permissions.ACTIVE_NETWORKS, org_id): ids}


def _current(kind, network_id=None):
    """Subquery: the pk of the current (highest) version of the network's agreement of `kind`;
    the network is the outer row's unless `network_id` names it (an OuterRef)."""
    if network_id is None:
        network_id = OuterRef("network_id")
    return (
        Agreement.objects.filter(network_id=network_id, kind=kind)
        .order_by("-version")
        .values("pk")[:1]
    )


def _charter_accepted_by(org_id):
    """Exists(): `org_id` accepted the current charter of the row's network."""
    latest = _current(Agreement.Kind.CHARTER, OuterRef(OuterRef("network_id")))
    return Exists(
        AgreementAcceptance.objects.filter(organization_id=org_id, agreement_id=Subquery(latest))
    )


def agreements_to_accept(org_id, now, kind, lock: Q | None = None) -> tuple[list, int]:
    """The organization's active memberships in networks whose current agreement of `kind`
    (charter, network NDA) it has not accepted, by network name: one query (waiting.capped).
    `lock` (permissions.viewer_lock_q) keeps only networks the viewer may see inside."""
    return waiting.capped(
        NetworkMembership.objects.filter(NetworkMembership.active_q(now), organization_id=org_id)
        .filter(lock if lock is not None else Q())
        .annotate(current_id=Subquery(_current(kind)))
        .filter(current_id__isnull=False)
        .filter(
            ~Exists(
                AgreementAcceptance.objects.filter(
                    organization_id=org_id, agreement_id=OuterRef("current_id")
                )
            )
        )
        .select_related("network")
        .order_by("network__name", "pk")
    )


def to_read_and_accept(leader, *, key, title, url, detail, network, note, verb="accept") -> Item:
    """An agreement the organization has to answer: a team leader (`leader`) reads it on its
    page and answers there; anyone else is told `note`."""
    return Item(
        key=key,
        title=title,
        url=url,
        detail=detail,
        network=network,
        note="" if leader else note,
        actions=[Action(f"Read and {verb}", url, method="get")] if leader else [],
    )


def admissions(person, now):
    """Pending admissions (approval rule) on which the person's organization has not decided;
    admissions by poll wait in the polls section. Oldest first."""
    org_id = permissions.org_id_of(person)
    if org_id is None:
        return [], 0
    rows, count = waiting.capped(
        selectors.admissions_awaiting(person)
        .filter(network__admission_rule=Network.AdmissionRule.TEAM_LEADER_APPROVALS)
        # What the item shows: every column of the three tables was read and grouped by.
        .only("status", "created_at", "network__name", "network__slug", "organization__name")
        .annotate(
            charter_accepted=_charter_accepted_by(org_id),
            has_charter=Exists(
                Agreement.objects.filter(
                    network_id=OuterRef("network_id"), kind=Agreement.Kind.CHARTER
                )
            ),
        )
    )
    leader = person.is_team_leader
    items = []
    for m in rows:
        members_url = reverse("network_members", args=[m.network.slug])
        verb = "accepted an invitation to" if m.status == "invited" else "asks to join"
        actions = []
        note = "" if leader else "Your team leader decides"
        if leader and m.has_charter and not m.charter_accepted:
            # Deciding is acting as a member: the charter comes first (permissions.get_network_for).
            note = "Accept the current charter first"
            charter_url = reverse("network_charter", args=[m.network.slug])
            actions = [Action("Read the charter", charter_url, method="get")]
        elif leader:
            actions = [
                Action(
                    "Approve",
                    reverse("admission_decide", args=[m.network.slug, m.pk]),
                    fields={f"a{m.pk}-decision": "approve", "next": HOME},
                ),
                Action(
                    "Reject…",
                    f"{members_url}#admission-{m.pk}",
                    method="get",
                    primary=False,
                ),
            ]
        items.append(
            Item(
                key=f"admission-{m.pk}",
                title=f"{m.organization} {verb} {m.network}",
                url=f"{members_url}#admission-{m.pk}",
                detail=f"{m.approvals} of {m.approvals_needed} approval"
                f"{'' if m.approvals_needed == 1 else 's'}",
                network=m.network.name,
                due=None,
                note=note,
                actions=actions,
                obj=m,
            )
        )
    return items, count


def charters(person, now):
    """Networks where the organization is an active member and has not accepted the current
    charter version: until it does, it cannot act as a member. Not where the person may not
    look inside (accepting is acting there, which the lock refuses too)."""
    org_id = permissions.org_id_of(person)
    if org_id is None:
        return [], 0
    rows, count = agreements_to_accept(
        org_id, now, Agreement.Kind.CHARTER, lock=permissions.viewer_lock_q(person)
    )
    leader = person.is_team_leader
    items = [
        to_read_and_accept(
            leader,
            key=f"charter-{m.network_id}",
            title=f"The charter of {m.network}",
            url=reverse("network_charter", args=[m.network.slug]),
            detail="A new version to accept before acting as a member",
            network=m.network.name,
            note="Your team leader accepts it",
        )
        for m in rows
    ]
    return items, count


def register() -> None:
    waiting.register(
        "admissions",
        "Admissions to decide",
        admissions,
        order=10,
    )
    waiting.register("charters", "Charters to accept", charters, order=60)
