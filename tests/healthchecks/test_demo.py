"""The demo: one finished health check between two members, with a visible perception gap."""

from consortia import demo as consortia_demo
from consortia.healthchecks import demo, selectors
from consortia.healthchecks.models import HealthCheck
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
