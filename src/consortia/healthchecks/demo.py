"""Demo data: one finished health check between two member organizations of the demo network,
with a visible perception gap (the first side finds the partnership fairer and clearer than the
second does). Told like the other apps' demos (core.clock.Story): opened about six weeks ago,
answered by one side two days later and by the other a week after that, which unsealed it.
Idempotent: does nothing when the pair already has a health check.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from consortia.core.clock import Story
from consortia.networks.models import Person

from . import services
from .models import HealthCheck, Side

# (first side's score, second side's score, first's comment, second's comment) per dimension.
ANSWERS = {
    "strategic_fit": (5, 4, "Our roadmaps point the same way.", "Mostly aligned on the goals."),
    "communication": (4, 2, "Monthly calls work well.", "We learn of changes late, by e-mail."),
    "trust_delivery": (4, 4, "They deliver what they promise.", "Deliveries have been on time."),
    "fairness": (4, 2, "Costs are shared evenly.", "We carry most of the pilot's hours."),
    "leadership_roles": (5, 3, "Clear who leads what.", "Who decides on scope is unclear."),
    "value_so_far": (4, 3, "The supplier map already paid off.", "Value is coming, slowly."),
}

# Story days before now: opened, then each side's answer (the last one unseals it).
OPENED = 42
ANSWERED = (40, 33)


def _fresh(person):
    return Person.objects.select_related("org_membership__organization").get(pk=person.pk)


def load(network, voters: list) -> HealthCheck | None:
    """`voters`: team leaders of member organizations that accepted the charter."""
    leaders = []
    for person in voters:
        if person.organization and all(
            p.organization.pk != person.organization.pk for p in leaders
        ):
            leaders.append(person)
    if len(leaders) < 2:
        return None
    first, second = leaders[0], leaders[1]
    existing = (
        HealthCheck.objects.filter(network=network, initiative__isnull=True)
        .filter(pk__in=Side.objects.filter(organization=first.organization).values("health_check"))
        .filter(pk__in=Side.objects.filter(organization=second.organization).values("health_check"))
        .first()
    )
    if existing is not None:
        return existing
    # Shrunk to the network's life when it is younger than the story (a test's network).
    story = Story(network.created_at)
    with story.at(OPENED, hour=9):
        check = services.health_check_open(
            actor=_fresh(first),
            network=network,
            partner=second.organization,
            deadline=timezone.now() + timedelta(days=14),  # the clock of the act
            title=f"Half-year check: {first.organization} and {second.organization}",
        )
    for index, person in enumerate((first, second)):
        with story.at(ANSWERED[index], hour=11 + 4 * index):
            services.answer_submit(
                actor=_fresh(person),
                health_check=check,
                scores={key: values[index] for key, values in ANSWERS.items()},
                comments={key: values[2 + index] for key, values in ANSWERS.items()},
            )
    check.refresh_from_db()
    return check
