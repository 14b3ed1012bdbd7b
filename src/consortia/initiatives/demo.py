"""Demo helpers shared by the capabilities that build on an initiative (metrics, ledger,
reviews): the acting members' team leaders, and one active initiative with a leader."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from consortia.initiatives import permissions as initiative_permissions
from consortia.initiatives import services as initiative_services
from consortia.initiatives.models import Initiative, Participation
from consortia.networks.models import AgreementAcceptance, NetworkMembership, OrgMembership, Person


def fresh(person) -> Person:
    return Person.objects.select_related("org_membership__organization").get(pk=person.pk)


def acting_leaders(network) -> list[Person]:
    accepted = AgreementAcceptance.objects.filter(agreement__network=network).values(
        "organization_id"
    )
    active = NetworkMembership.objects.filter(NetworkMembership.active_q(), network=network).values(
        "organization_id"
    )
    found, orgs = [], set()
    for m in (
        OrgMembership.objects.filter(
            role=OrgMembership.Role.TEAM_LEADER, organization_id__in=active
        )
        .filter(organization_id__in=accepted)
        .select_related("person")
        .order_by("organization__name", "person_id")
    ):
        if m.organization_id not in orgs:
            orgs.add(m.organization_id)
            found.append(fresh(m.person))
    return found


def demo_initiative(network):
    """An active initiative with a current leader and two participants; without one, create
    "Shared supplier-risk dashboard" between the first two acting members (whichever demo runs
    first creates it, the others reuse it)."""
    for initiative in Initiative.objects.filter(
        network=network, status=Initiative.Status.ACTIVE
    ).order_by("created_at"):
        term = initiative_permissions.current_term(initiative)
        participants = Participation.objects.filter(
            initiative=initiative, status=Participation.Status.ACTIVE
        ).count()
        if term is not None and participants >= 2:
            return initiative, fresh(term.person)
    leaders = acting_leaders(network)
    if len(leaders) < 2:
        return None, None
    lead, partner = leaders[:2]
    today = timezone.localdate()
    initiative = initiative_services.initiative_propose(
        actor=lead,
        network=network,
        title="Shared supplier-risk dashboard",
        objective="One view of supplier risks across the partners, updated monthly.",
        scope="Tier-1 and tier-2 suppliers of the participating manufacturers.",
        boundaries="No prices or contract terms.",
        starts_on=today,
        ends_on=today + timedelta(days=365),
    )
    participation = initiative_services.participation_request(
        actor=fresh(partner), initiative=initiative
    )
    initiative_services.participation_accept(actor=fresh(lead), participation=participation)
    nomination = initiative_services.nominate(
        actor=fresh(lead), initiative=initiative, person=fresh(lead)
    )
    initiative_services.nomination_accept(actor=fresh(lead), nomination=nomination)
    initiative_services.leadership_term_grant(
        initiative=initiative, person=fresh(lead), source="consensus"
    )
    initiative_services.initiative_start(actor=fresh(lead), initiative=initiative)
    initiative.refresh_from_db()
    return initiative, fresh(lead)
