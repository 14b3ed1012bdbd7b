"""Runs expire: an unfinished one after OVERLAP_RUN_HOURS (its relayed values deleted), the
results of a complete one after the days the pair set (the log line stays)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.overlap import services
from consortia.overlap.models import Blob, Run
from tests.conftest import fresh

from .conftest import domains, read, run_between

pytestmark = pytest.mark.django_db


def test_an_unfinished_run_expires_and_loses_its_values(pair):
    world = pair.world
    run = services.run_start(
        actor=fresh(world.leader), network=world.network, partner=world.beta,
        population_ids=[pair.acme_pop.pk],
    )  # fmt: skip
    from consortia.overlap.client import LocalSide

    LocalSide(person=fresh(world.leader), run=run).blind(
        {pair.acme_pop.pk: read(domains("a", range(25)))}
    )
    assert Blob.objects.filter(run=run).exists()
    services.purge_expired(now=timezone.now() + timedelta(hours=25))
    run.refresh_from_db()
    assert run.status == "expired"
    assert not Blob.objects.exists()


def test_results_expire_after_the_days_the_pair_set(pair):
    world = pair.world
    pair.partnership.__class__.objects.update(result_days=7)
    run, *_ = run_between(
        world, domains("a", range(30)), domains("a", range(10, 40)), pair.acme_pop, pair.beta_pop
    )
    services.purge_expired(now=timezone.now() + timedelta(days=6))
    run.refresh_from_db()
    assert run.matrix and run.results_purged_at is None
    services.purge_expired(now=timezone.now() + timedelta(days=8))
    run = Run.objects.get(pk=run.pk)
    assert run.matrix == [] and run.results_purged_at is not None
    assert all(side.sealed_result is None for side in run.sides.all())
    assert run.status == "complete"  # still in the log both sides see
