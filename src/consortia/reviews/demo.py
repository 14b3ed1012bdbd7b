"""Demo data: one held joint review with entries on an initiative of the demo network.

`load(network)` reuses an active initiative that has a current leader and two participants;
without one, it creates "Shared supplier-risk dashboard" between the first two member
organizations that accepted the charter (through the services). Idempotent: does nothing when
the initiative already has a held review.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from consortia.initiatives import services as initiative_services
from consortia.initiatives.demo import demo_initiative, fresh
from consortia.initiatives.models import Participation
from consortia.networks.models import OrgMembership

from . import services
from .models import Review


def load(network) -> Review | None:
    initiative, leader = demo_initiative(network)
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
    partner = fresh(
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
    initiative_services.commitment_deliver(actor=fresh(partner), commitment=commitment)
    services.schedule_set(
        actor=fresh(leader),
        initiative=initiative,
        cadence="quarterly",
        first_on=today + timedelta(days=90),
    )
    review = Review.objects.filter(initiative=initiative, scheduled_for=today).first()
    if review is None:
        review = services.review_add(
            actor=fresh(leader), initiative=initiative, scheduled_for=today
        )
    review = services.review_hold(actor=fresh(leader), review=review)
    for author, kind, text, kudos in (
        (leader, "works", "Monthly supplier calls keep everyone's data fresh.", None),
        (partner, "does_not_work", "Two spreadsheets per partner: we should share one.", None),
        (partner, "lesson", "Agree the risk categories before collecting data.", None),
        (leader, "celebration", "The tier-2 map was delivered on time.", partner_org),
    ):
        services.entry_add(
            actor=fresh(author), review=review, kind=kind, text=text, kudos_organization=kudos
        )
    services.action_add(
        actor=fresh(leader),
        review=review,
        to_organization=partner_org,
        title="Propose one shared risk template",
        due_on=today + timedelta(days=30),
    )
    services.review_sign_off(actor=fresh(leader), review=review)
    return review
