"""Initiative personas on top of the shared world: Acme proposed "Shared sensors"; Beta joined."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.initiatives import services
from tests.conftest import fresh


def today():
    return timezone.localdate()


def propose(world, **fields):
    data = dict(
        title="Shared sensors",
        objective="Pool sensor data to predict supply shortages.",
        scope="Regional suppliers",
        boundaries="No pricing data",
        starts_on=today(),
        ends_on=today() + timedelta(days=90),
    )
    data.update(fields)
    return services.initiative_propose(actor=fresh(world.leader), network=world.network, **data)


def join(initiative, applicant, approver):
    participation = services.participation_request(actor=fresh(applicant), initiative=initiative)
    return services.participation_accept(actor=fresh(approver), participation=participation)


def make_leader(initiative, person, *, source="consensus", **times):
    nomination = services.nominate(actor=fresh(person), initiative=initiative, person=fresh(person))
    services.nomination_accept(actor=fresh(person), nomination=nomination)
    return services.leadership_term_grant(
        initiative=initiative, person=fresh(person), source=source, **times
    )


@pytest.fixture
def initiative(world):
    """Acme proposed it; Beta asked to join and Acme's team leader accepted."""
    initiative = propose(world)
    join(initiative, world.other_leader, world.leader)
    return initiative
