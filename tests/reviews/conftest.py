"""Review personas: "Shared sensors" led by Acme's Ada, with Beta participating."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.reviews import services
from tests.conftest import fresh
from tests.initiatives.conftest import join, make_leader, propose


@pytest.fixture
def led(world):
    """An active initiative led by Acme's team leader; Beta participates."""
    from consortia.initiatives import services as initiative_services

    project = propose(world)
    join(project, world.other_leader, world.leader)
    make_leader(project, world.leader)
    initiative_services.initiative_start(actor=fresh(world.leader), initiative=project)
    project.refresh_from_db()
    return project


@pytest.fixture
def review(world, led):
    return services.review_add(
        actor=fresh(world.leader),
        initiative=led,
        scheduled_for=timezone.localdate() + timedelta(days=1),
    )


@pytest.fixture
def held(world, review):
    return services.review_hold(actor=fresh(world.leader), review=review)
