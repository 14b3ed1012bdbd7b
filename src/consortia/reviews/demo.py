"""Demo data: one held joint review with entries on an initiative of the demo network.

`load(network)` reuses an active initiative that has a current leader and two participants;
without one, it creates "Shared supplier-risk dashboard" between the first two member
organizations that accepted the charter (through the services). Idempotent: does nothing when
the initiative already has a held review.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from consortia.initiatives import permissions as initiative_permissions
from consortia.initiatives import services as initiative_services
from consortia.initiatives.models import Initiative, Participation
from consortia.networks.models import AgreementAcceptance, NetworkMembership, OrgMembership, Person

from . import services
from .models import Review


def _fresh(person) -> Person:
    return Person.objects.select_related("org_membership__organization").get(pk=person.pk)


def _leaders(network, count: int = 2) -> list[Person]:
    accepted = AgreementAcceptance.objects.filter(agreement__network=network).values(
        "organization_id"
    )
    active = NetworkMembership.objects.filter(NetworkMembership.active_q(), network=network).values(
        "organization_id"
    )
    rows = (
        OrgMembership.objects.filter(
            role=OrgMembership.Role.TEAM_LEADER,
            organization_id__in=active,
        )
        .filter(organization_id__in=accepted)
        .order_by("organization__name", "person_id")
    )
    found, orgs = [], set()
    for m in rows:
        if m.organization_id not in orgs:
            orgs.add(m.organization_id)
            found.append(_fresh(m.person))
        if len(found) == count:
            break
    return found


def _initiative(network):
    for initiative in Initiative.objects.filter(
        network=network, status=Initiative.Status.ACTIVE
    ).order_by("created_at"):
        term = initiative_permissions.current_term(initiative)
        participants = Participation.objects.filter(
            initiative=initiative, status=Participation.Status.ACTIVE
        ).count()
        if term is not None and participants >= 2:
            return initiative, _fresh(term.person)
    leaders = _leaders(network)
    if len(leaders) < 2:
        return None, None
    lead, partner = leaders
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
        actor=_fresh(partner), initiative=initiative
    )
    initiative_services.participation_accept(actor=_fresh(lead), participation=participation)
    nomination = initiative_services.nominate(
        actor=_fresh(lead), initiative=initiative, person=_fresh(lead)
    )
    initiative_services.nomination_accept(actor=_fresh(lead), nomination=nomination)
    initiative_services.leadership_term_grant(
        initiative=initiative, person=_fresh(lead), source="consensus"
    )
    initiative_services.initiative_start(actor=_fresh(lead), initiative=initiative)
    initiative.refresh_from_db()
    return initiative, _fresh(lead)


def load(network) -> Review | None:
    initiative, leader = _initiative(network)
    if initiative is None:
        return None
    existing = Review.objects.filter(initiative=initiative, held_at__isnull=False).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    partner_row = (
        Participation.objects.filter(initiative=initiative, status=Participation.Status.ACTIVE)
        .exclude(organization_id=leader.organization.pk)
        .select_related("organization")
        .first()
    )
    partner_org = partner_row.organization
    partner = _fresh(
        OrgMembership.objects.filter(organization=partner_org, role=OrgMembership.Role.TEAM_LEADER)
        .first()
        .person
    )
    request = initiative_services.request_send(
        actor=leader,
        initiative=initiative,
        to_organization=partner_org,
        title="Map the tier-2 suppliers of the pilot line",
        due_on=today,
    )
    commitment = initiative_services.request_accept(actor=partner, request=request)
    initiative_services.commitment_deliver(actor=_fresh(partner), commitment=commitment)
    services.schedule_set(
        actor=_fresh(leader),
        initiative=initiative,
        cadence="quarterly",
        first_on=today + timedelta(days=90),
    )
    review = Review.objects.filter(initiative=initiative, scheduled_for=today).first()
    if review is None:
        review = services.review_add(
            actor=_fresh(leader), initiative=initiative, scheduled_for=today
        )
    review = services.review_hold(actor=_fresh(leader), review=review)
    for author, kind, text, kudos in (
        (leader, "works", "Monthly supplier calls keep everyone's data fresh.", None),
        (partner, "does_not_work", "Two spreadsheets per partner: we should share one.", None),
        (partner, "lesson", "Agree the risk categories before collecting data.", None),
        (leader, "celebration", "The tier-2 map was delivered on time.", partner_org),
    ):
        services.entry_add(
            actor=_fresh(author), review=review, kind=kind, text=text, kudos_organization=kudos
        )
    services.action_add(
        actor=_fresh(leader),
        review=review,
        to_organization=partner_org,
        title="Propose one shared risk template",
        due_on=today + timedelta(days=30),
    )
    services.review_sign_off(actor=_fresh(leader), review=review)
    return review
