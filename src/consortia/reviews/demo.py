"""Demo data: the joint reviews of the demo network, told over its year through the services.

- "Shared supplier-risk dashboard" (active; reused when an active initiative with a current
  leader and two participants exists, created otherwise): tasks delivered on time and late, a
  quarterly review held two months ago with entries, an action item and sign-offs, and a task
  due in a few days.
- "Energy audit exchange" between two other members (completed a month and a half ago): two
  held and signed-off reviews and its tasks, one of them delivered late.

Idempotent: does nothing when the active initiative already has a held review.
"""

from __future__ import annotations

from django.utils import timezone

from consortia.core.clock import Story
from consortia.initiatives import services as initiative_services
from consortia.initiatives.demo import (
    Task,
    acting_leaders,
    day,
    demo_initiative,
    fresh,
    led_initiative,
    tasks,
)
from consortia.initiatives.models import Participation
from consortia.networks.models import OrgMembership

from . import services
from .models import Review


def _partner(initiative, leader):
    """The other participating organization and its team leader."""
    row = (
        Participation.objects.filter(initiative=initiative, status=Participation.Status.ACTIVE)
        .exclude(organization_id=leader.organization.pk)
        .select_related("organization")
        .first()
    )
    person = (
        OrgMembership.objects.filter(
            organization=row.organization, role=OrgMembership.Role.TEAM_LEADER
        )
        .order_by("pk")
        .first()
        .person
    )
    return row.organization, fresh(person)


def _hold(story, initiative, leader, partner, held: float, entries, action=None) -> Review:
    """Hold the review scheduled `held` days ago (or add one that day), write its entries over
    the next days, add the action item and let both organizations sign it off."""
    with story.at(held + 1, hour=8):
        services.ensure_scheduled(initiative)
    with story.at(held, hour=10):
        review = Review.objects.filter(
            initiative=initiative, scheduled_for=day(story, held), held_at__isnull=True
        ).first() or services.review_add(
            actor=fresh(leader), initiative=initiative, scheduled_for=timezone.localdate()
        )
        review = services.review_hold(actor=fresh(leader), review=review)
    for k, (author, kind, text, kudos) in enumerate(entries):
        with story.at(max(held - 0.1 - 0.2 * k, 0)):
            services.entry_add(
                actor=fresh(author), review=review, kind=kind, text=text, kudos_organization=kudos
            )
    if action is not None:
        title, organization, due_after = action
        with story.at(max(held - 1, 0), hour=11):
            services.action_add(
                actor=fresh(leader),
                review=review,
                to_organization=organization,
                title=title,
                due_on=day(story, held - due_after),
            )
    for k, person in enumerate((leader, partner)):
        with story.at(max(held - 2 - k, 0), hour=17):
            services.review_sign_off(actor=fresh(person), review=review)
    return review


def load(network) -> Review | None:
    initiative, leader = demo_initiative(network)
    if initiative is None:
        return None
    existing = Review.objects.filter(initiative=initiative, held_at__isnull=False).first()
    if existing is not None:
        return existing
    story = Story(network.created_at)
    partner_org, partner = _partner(initiative, leader)
    tasks(
        story,
        initiative,
        leader,
        partner_org,
        [
            Task("Map the tier-2 suppliers of the pilot line", sent=140, due=110, delivered=112),
            Task("Collect risk scores from grantees' suppliers", sent=120, due=95, delivered=88),
            Task("Co-fund the dashboard pilot", sent=110, due=80, delivered=71),
            Task("List the public grants open to suppliers", sent=70, due=45, missed=40),
        ],
    )
    # The partner asks the leader's organization too: it delivers, on time.
    tasks(
        story,
        initiative,
        partner,
        leader.organization,
        [
            Task("Share the carriers' delay records", sent=130, due=100, delivered=101),
            Task("Host the supplier workshop", sent=90, due=62, delivered=62),
        ],
    )
    with story.at(139, hour=15):
        services.schedule_set(
            actor=fresh(leader),
            initiative=initiative,
            cadence="quarterly",
            first_on=day(story, 60),
        )
    review = _hold(
        story,
        initiative,
        leader,
        partner,
        60,
        [
            (leader, "works", "Monthly supplier calls keep everyone's data fresh.", None),
            (partner, "does_not_work", "Two spreadsheets per partner: we should share one.", None),
            (partner, "lesson", "Agree the risk categories before collecting data.", None),
            (leader, "celebration", "The tier-2 map was delivered on time.", partner_org),
        ],
        action=("Propose one shared risk template", partner_org, 30),
    )
    _deliver_actions(story, review, partner, delivered=33)
    tasks(
        story,
        initiative,
        leader,
        partner_org,
        [Task("Add the rail carriers to the risk map", sent=20, due=-5)],
    )
    with story.at(0):
        services.ensure_scheduled(initiative)
    if story.scale == 1.0:  # a network younger than the story has no completed initiative yet
        _completed_initiative(story, network, initiative)
    return review


def _deliver_actions(story, review, person, *, delivered: float) -> None:
    """The receiver accepts the review's action items the next day and delivers them."""
    for entry in review.entries.filter(request__isnull=False).select_related("request"):
        with story.at(max(story_days(story, review.held_at) - 1, 0), hour=9):
            commitment = initiative_services.request_accept(
                actor=fresh(person), request=entry.request
            )
        with story.at(delivered, hour=16):
            initiative_services.commitment_deliver(actor=fresh(person), commitment=commitment)


def story_days(story, moment) -> float:
    """How many (scaled) story days before now `moment` is."""
    if story.scale == 0:
        return 0
    return (story.now - moment).total_seconds() / 86400 / story.scale


def _completed_initiative(story, network, active) -> None:
    """An initiative between two members that did not take part in `active`: run for five
    months with two quarterly reviews, then completed."""
    taken = set(
        Participation.objects.filter(initiative=active).values_list("organization_id", flat=True)
    )
    others = [p for p in acting_leaders(network) if p.organization.pk not in taken]
    lead, partner = (others[-1], others[-2]) if len(others) >= 2 else acting_leaders(network)[:2]
    initiative = led_initiative(
        story,
        network,
        lead,
        partner,
        title="Energy audit exchange",
        objective="Each partner audits another's plant for energy losses and shares the fixes.",
        scope="Compressed air, heat treatment and moulding lines.",
        boundaries="No production volumes or customer names.",
        proposed=210,
        days=170,
    )
    partner_org, partner = _partner(initiative, lead)
    tasks(
        story,
        initiative,
        lead,
        partner_org,
        [
            Task("Audit the compressed-air network of the mill", sent=195, due=170, delivered=172),
            Task("Write up the moulding line's heat losses", sent=150, due=120, delivered=112),
            Task("Share the before-and-after meter readings", sent=100, due=60, delivered=61),
        ],
    )
    tasks(
        story,
        initiative,
        partner,
        lead.organization,
        [
            Task("Lend the thermal camera for a week", sent=190, due=175, delivered=178),
            Task("Audit the moulding hall's chillers", sent=160, due=130, delivered=131),
            Task("Present the results to the members", sent=75, due=55, delivered=56),
        ],
    )
    with story.at(204, hour=15):
        services.schedule_set(
            actor=fresh(lead), initiative=initiative, cadence="quarterly", first_on=day(story, 140)
        )
    _hold(
        story,
        initiative,
        lead,
        partner,
        140,
        [
            (lead, "works", "Auditing each other's plant finds what we no longer see.", None),
            (partner, "lesson", "Meter before fixing, or the savings cannot be shown.", None),
        ],
    )
    _hold(
        story,
        initiative,
        lead,
        partner,
        50,
        [
            (lead, "works", "Compressed-air losses down by 30 % at the mill.", None),
            (partner, "does_not_work", "The heat-loss report came a week late.", None),
            (lead, "celebration", "Both plants cut their energy bill.", partner_org),
        ],
    )
    with story.at(45, hour=12):
        initiative_services.initiative_complete(actor=fresh(lead), initiative=initiative)
