"""The benchmark's synthetic data is valid, and its report says plainly what failed."""

from collections import Counter

import pytest

from bench import run, synthetic
from consortia.core.models import Event
from consortia.networks.models import Network, NetworkMembership, Organization, Person

SMALL = synthetic.Size(organizations=12, people=40, events=100)


@pytest.mark.django_db
def test_it_generates_the_requested_size_and_recognises_it():
    assert synthetic.is_disposable()  # an empty database
    synthetic.generate(SMALL, say=lambda message: None)
    assert Organization.objects.count() == 12
    assert Person.objects.count() == 40
    assert Event.objects.count() == 100
    assert all(person.org_membership for person in Person.objects.select_related("org_membership"))
    main = Network.objects.get(slug=synthetic.SLUG)
    assert NetworkMembership.objects.filter(network=main, status="active").count() >= 10
    assert synthetic.is_ready(SMALL)
    assert not synthetic.is_ready(synthetic.Size(organizations=12, people=40, events=101))
    assert synthetic.is_disposable()


@pytest.mark.django_db
def test_its_rows_pass_the_models_validation():
    synthetic.generate(SMALL, say=lambda message: None)
    for model in (Organization, Person, NetworkMembership, Network, Event):
        for row in model.objects.all()[:25]:
            row.full_clean()


@pytest.mark.django_db
def test_it_never_offers_to_wipe_a_database_with_real_data(world):
    assert not synthetic.is_disposable()


def test_the_report_marks_missed_targets_and_failed_requests():
    fast = run.Result(run.SCENARIOS[2], queries=(3, 3), latencies=[0.010] * 20, seconds=0.5)
    broken = run.Result(
        run.SCENARIOS[0],
        queries=(None, None),
        failures=Counter({"HTTP 404": 20}),
        seconds=0.5,
        query_errors=["/n/bench/members/ answered HTTP 404"],
    )
    table, all_met, any_failed = run.report([fast, broken])
    assert not all_met
    assert any_failed
    assert "20 x HTTP 404" in table
    assert "10.0" in table  # p50 of the fast endpoint, in milliseconds
