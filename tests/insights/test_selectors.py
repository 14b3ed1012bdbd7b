"""Trust and engagement computed in SQL agree with hand-computed values."""

import pytest

from consortia.initiatives import services
from consortia.insights import selectors
from consortia.insights.models import HealthSnapshot
from consortia.insights.trust import Outcome, trust_index
from tests.conftest import fresh

from .conftest import commitment


def test_sql_trust_matches_the_pure_function(world, beta_history):
    sums = selectors.trust_sums(world.network)
    beta = sums[world.beta.pk]
    # Counted: on time, late, missed, overdue. Not: renegotiated, withdrawn in time, open.
    assert beta["settled"] == 4 and beta["on_time"] == 1
    expected = trust_index(
        [Outcome(0, True), Outcome(180, False), Outcome(360, False), Outcome(10, False)]
    )
    assert beta["trust"] == pytest.approx(expected, abs=1e-6)
    assert world.acme.pk not in sums


def test_an_organization_without_commitments_has_the_prior(world):
    assert selectors.trust_of(world.network, world.acme)["trust"] == 0.5


def test_a_withdrawal_after_the_due_date_counts_as_a_failure(world, initiative):
    from .conftest import settle

    c = commitment(world, initiative)
    settle(c, status="withdrawn", due_days_ago=30, settled_days_ago=0)
    assert selectors.trust_of(world.network, world.beta)["settled"] == 1
    assert selectors.trust_of(world.network, world.beta)["trust"] == pytest.approx(0.4)


def test_evidence_explains_each_commitment(world, beta_history):
    from django.utils import timezone

    rows = selectors.describe_evidence(
        selectors.evidence(world.network, world.beta), timezone.localdate()
    )
    outcomes = sorted(r["outcome"] for r in rows)
    assert outcomes == sorted(
        ["on time", "late", "missed", "overdue", "renegotiated", "withdrawn in time", "open"]
    )
    assert sum(r["counted"] for r in rows) == 4


def test_engagement_counts_people_departments_and_requests(world, initiative):
    c = commitment(world, initiative)  # Acme's leader sent, Beta's leader accepted
    services.commitment_deliver(actor=fresh(world.other_leader), commitment=c)
    data = selectors.engagement_sums(world.network)
    beta = data[world.beta.pk]
    assert beta["received"] == 1 and beta["answered"] == 1
    assert beta["mean_answer_days"] is not None and beta["mean_answer_days"] >= 0
    acme = data[world.acme.pk]
    assert acme["people"] >= 1 and acme["events"] >= acme["people"]
    assert acme["depth"] == pytest.approx(acme["events"] / acme["people"], abs=0.01)


def test_health_is_cached_until_something_happens(world, initiative, django_assert_num_queries):
    first = selectors.health(world.network)
    assert HealthSnapshot.objects.filter(network=world.network).count() == 1
    # key (last event) + the snapshot
    with django_assert_num_queries(2):
        assert selectors.health(world.network) == first
    commitment(world, initiative)  # emits events: the key moves on
    second = {o["id"]: o for o in selectors.health_orgs(world.network)}
    assert second[world.beta.pk]["received"] == 1


def test_the_worker_job_refreshes_stale_snapshots(world, initiative):
    selectors.health(world.network)
    assert selectors.refresh_stale_snapshots() == 0
    commitment(world, initiative)
    assert selectors.refresh_stale_snapshots() == 1


def test_health_counts_members_and_initiatives(world, initiative):
    data = selectors.health(world.network)
    assert data["members"] == 2  # Acme and Beta; Gamma is only applying
    assert sum(data["histogram"]) == 2
    assert data["histogram"][5] == 2  # both at the prior 0.5


def test_fairness_comes_from_the_ledger(world, initiative):
    from decimal import Decimal

    from django.utils import timezone

    from consortia.ledger import services as ledger

    ledger.entry_create(
        actor=fresh(world.leader),
        network=world.network,
        direction="investment",
        kind="money",
        date=timezone.localdate(),
        amount=Decimal("900"),
        currency="EUR",
    )
    ledger.entry_create(
        actor=fresh(world.other_leader),
        network=world.network,
        direction="return",
        kind="money",
        date=timezone.localdate(),
        amount=Decimal("500"),
        currency="EUR",
    )
    fair = selectors.health(world.network)["fairness"]
    assert fair["flagged_any"] and fair["partners"] == 2
    assert any("Acme Labs has put in 100" in f["sentence"] for f in fair["flagged"])


def test_sharing_counts_are_counts_only(world):
    from consortia.sharing.models import Item, ItemPartner

    item = Item.objects.create(
        network=world.network,
        kind="post",
        organization=world.acme,
        title="Secret title",
        audience="partners",
        status="published",
    )
    ItemPartner.objects.create(item=item, organization=world.beta)
    Item.objects.create(
        network=world.network,
        kind="post",
        organization=world.beta,
        title="For all",
        audience="network",
        status="published",
    )
    data = selectors.health(world.network)
    assert data["sharing_totals"] == {
        "pairs": 1,
        "mutual_pairs": 0,
        "items_to_partners": 1,
        "items_to_network": 1,
        "organizations_sharing": 2,
    }
    assert "Secret title" not in str(data)


def test_the_worker_jobs_are_registered():
    from consortia.core.worker import _jobs

    assert "insights.refresh_health" in _jobs and "reviews.schedule_upcoming" in _jobs
