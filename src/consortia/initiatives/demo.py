"""Demo helpers shared by the capabilities that build on an initiative (metrics, ledger,
reviews): the acting members' team leaders, and one active initiative with a leader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from consortia.core.clock import Story
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
    # Chosen by the members' ranked poll (decisions demo) half a year ago, started days later.
    story = Story(network.created_at)
    initiative = led_initiative(
        story,
        network,
        lead,
        partner,
        title="Shared supplier-risk dashboard",
        objective="One view of supplier risks across the partners, updated monthly.",
        scope="Tier-1 and tier-2 suppliers of the participating manufacturers.",
        boundaries="No prices or contract terms.",
        proposed=155,
        days=365,
    )
    return initiative, fresh(lead)


def day(story: Story, days_ago: float) -> date:
    """The local date `days_ago` days before now (after now when negative), in the story's
    scale."""
    if days_ago < 0:
        return timezone.localdate(story.now) + timedelta(days=round(-days_ago * story.scale))
    return timezone.localdate(story.ago(days_ago))


def led_initiative(
    story: Story, network, lead, partner, *, proposed: float, days: int, **fields
) -> Initiative:
    """`lead` proposes an initiative `proposed` days ago, `partner`'s organization asks to join
    and is accepted, `lead` is nominated, accepts and is given the lead by consensus, and the
    initiative starts five days after it was proposed, for `days` days."""
    with story.at(proposed):
        starts_on = day(story, proposed - 5)
        initiative = initiative_services.initiative_propose(
            actor=fresh(lead),
            network=network,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=days),
            **fields,
        )
    with story.at(proposed - 1, hour=11):
        participation = initiative_services.participation_request(
            actor=fresh(partner), initiative=initiative
        )
    with story.at(proposed - 2, hour=9):
        initiative_services.participation_accept(actor=fresh(lead), participation=participation)
        nomination = initiative_services.nominate(
            actor=fresh(lead), initiative=initiative, person=fresh(lead)
        )
    with story.at(proposed - 3, hour=15):
        initiative_services.nomination_accept(actor=fresh(lead), nomination=nomination)
        initiative_services.leadership_term_grant(
            initiative=initiative, person=fresh(lead), source="consensus"
        )
    with story.at(proposed - 5, hour=9):
        initiative_services.initiative_start(actor=fresh(lead), initiative=initiative)
    initiative.refresh_from_db()
    return initiative


@dataclass(frozen=True)
class Task:
    """A request the initiative's leader sends `sent` days ago, due `due` days ago (negative:
    in the future), accepted the next day and delivered `delivered` days ago, or marked missed
    by the sender `missed` days ago (neither: still open)."""

    title: str
    sent: float
    due: float
    delivered: float | None = None
    missed: float | None = None


def tasks(story: Story, initiative, leader, organization, plan: list[Task]) -> list:
    """Requests to `organization`, accepted by its team leader and delivered on time or late
    as the plan says. Returns the commitments."""
    receiver = fresh(
        OrgMembership.objects.filter(organization=organization, role=OrgMembership.Role.TEAM_LEADER)
        .order_by("pk")
        .first()
        .person
    )
    made = []
    for task in plan:
        with story.at(task.sent):
            request = initiative_services.request_send(
                actor=fresh(leader),
                initiative=initiative,
                to_organization=organization,
                title=task.title,
                due_on=max(day(story, task.due), day(story, task.sent)),
            )
        with story.at(max(task.sent - 1, 0), hour=14):
            commitment = initiative_services.request_accept(actor=fresh(receiver), request=request)
        if task.delivered is not None:
            with story.at(task.delivered, hour=16):
                commitment = initiative_services.commitment_deliver(
                    actor=fresh(receiver), commitment=commitment
                )
        elif task.missed is not None:
            with story.at(task.missed, hour=12):
                commitment = initiative_services.commitment_miss(
                    actor=fresh(leader), commitment=commitment
                )
        made.append(commitment)
    return made
