"""A joint review's snapshot shows the initiative's unsealed health checks (core.hooks)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consortia.healthchecks import services
from consortia.reviews import export
from consortia.reviews import services as reviews
from tests.conftest import fresh, login
from tests.healthchecks.conftest import answer
from tests.initiatives.conftest import join, make_leader, propose


@pytest.fixture(name="led")
def led_fixture(world):
    """An active initiative led by Acme's team leader; Beta participates."""
    from consortia.initiatives import services as initiative_services

    project = propose(world)
    join(project, world.other_leader, world.leader)
    make_leader(project, world.leader)
    initiative_services.initiative_start(actor=fresh(world.leader), initiative=project)
    project.refresh_from_db()
    return project


def _check(world, initiative):
    return services.health_check_open(
        actor=fresh(world.leader),
        network=world.network,
        initiative=initiative,
        deadline=timezone.now() + timedelta(days=3),
    )


def test_an_unsealed_check_is_frozen_into_the_review(world, led):
    check = _check(world, led)
    answer(world.leader, check, 5)
    answer(world.other_leader, check, 2)
    review = reviews.review_add(
        actor=fresh(world.leader), initiative=led, scheduled_for=timezone.localdate()
    )
    review = reviews.review_hold(actor=fresh(world.leader), review=review)
    [frozen] = review.snapshot["health_checks"]
    assert frozen["sides"] == ["Acme Labs", "Beta Works"]
    assert frozen["dimensions"][0]["gap"] == 3.0
    page = login(world.other_leader).get(
        reverse("review_detail", args=[world.network.slug, led.pk, review.pk])
    )
    assert "Partnership health checks" in page.content.decode()
    assert "Health check:" in export.markdown(review)


def test_a_sealed_check_stays_out_of_the_review(world, led):
    check = _check(world, led)
    answer(world.leader, check, 5)
    review = reviews.review_add(
        actor=fresh(world.leader), initiative=led, scheduled_for=timezone.localdate()
    )
    review = reviews.review_hold(actor=fresh(world.leader), review=review)
    assert review.snapshot["health_checks"] == []
