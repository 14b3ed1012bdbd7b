"""The demo: one finished health check between two members, with a visible perception gap,
opened and answered some weeks ago (core.clock.Story), loaded once."""

from datetime import timedelta

from django.utils import timezone

from consortia import demo as consortia_demo
from consortia.healthchecks import demo, selectors
from consortia.healthchecks.models import Answer, HealthCheck
from tests.conftest import fresh


def test_it_loads_one_finished_check_with_a_gap_once(world):
    check = demo.load(world.network, [fresh(world.leader), fresh(world.other_leader)])
    assert check.unsealed_because == "answered"
    result = selectors.results(fresh(world.other_leader), check)
    gaps = {d["key"]: d["gap"] for d in result["dimensions"]}
    assert gaps["communication"] == 2.0 and gaps["trust_delivery"] == 0.0
    assert demo.load(world.network, [fresh(world.leader), fresh(world.other_leader)]) == check
    assert HealthCheck.objects.count() == 1


def test_the_demo_network_has_it(db):
    network = consortia_demo.load().network
    check = HealthCheck.objects.get(network=network)
    assert check.is_unsealed and check.unsealed_because == "answered"
    # Back-dated like the other apps' stories: opened about six weeks ago, then answered.
    now = timezone.now()
    assert now - timedelta(days=43) < check.created_at < now - timedelta(days=41)
    answers = sorted(Answer.objects.filter(side__health_check=check).values_list("submitted_at"))
    assert check.created_at < answers[0][0] < answers[-1][0] <= check.unsealed_at
    assert check.unsealed_at < now - timedelta(days=32)
    assert check.unsealed_at < check.deadline < now  # answered in time, the deadline long gone
    # Loading the demo again adds nothing.
    consortia_demo.load()
    assert HealthCheck.objects.filter(network=network).count() == 1
