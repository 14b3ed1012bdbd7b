"""Health check personas: Acme and Beta, partners in Northwind; Epsilon, a third member."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.healthchecks import services
from consortia.healthchecks.models import DIMENSION_KEYS
from tests.conftest import admit, fresh, make_org_leader


def scores(value=4, **overrides):
    return {key: overrides.get(key, value) for key in DIMENSION_KEYS}


def comments(text):
    return {key: f"{text} {key}" for key in DIMENSION_KEYS}


@pytest.fixture
def third(world):
    """Team leader of Epsilon Energy, a third active member of Northwind."""
    leader = make_org_leader("eve@epsilon.test", "Eve Third", "Epsilon Energy")
    admit(world.network, leader, world.leader)
    return fresh(leader)


@pytest.fixture
def check(world):
    return services.health_check_open(
        actor=fresh(world.leader),
        network=world.network,
        partner=world.beta,
        deadline=timezone.now() + timedelta(days=7),
    )


def answer(person, check, value=4, text="fine", **overrides):
    return services.answer_submit(
        actor=fresh(person),
        health_check=check,
        scores=scores(value, **overrides),
        comments=comments(text),
    )
