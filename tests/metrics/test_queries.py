"""Query budgets: the dashboard and the metric page do not grow with the data."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consortia.metrics import services
from tests.conftest import admit, make_org_leader

from .conftest import standard_metric

pytestmark = pytest.mark.django_db


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def grow(world, metrics, orgs: int, months: int, start: int = 0):
    """More member organizations, each with `months` of measurements of every metric."""
    rows = []
    for k in range(start, start + orgs):
        leader = make_org_leader(f"l{k}@org{k}.test", f"L{k}", f"Org {k}")
        admit(world.network, leader, world.leader)
        for metric in metrics:
            for m in range(months):
                rows.append(
                    (metric.pk, leader.organization.pk, None, date(2020 + m // 12, m % 12 + 1, 1),
                     k + m, "network")
                )  # fmt: skip
    services.write_rows(rows)


def test_the_dashboard_is_flat(world, as_member, django_assert_max_num_queries):
    metrics = [standard_metric(world, name=f"M{i}", unit="u") for i in range(3)]
    url = reverse("metrics_dashboard", args=["northwind"])
    grow(world, metrics, orgs=2, months=3)
    small = count(as_member, url)
    grow(world, metrics, orgs=6, months=24, start=2)
    # session, person+membership, network, membership, charter, acceptance, metrics, rollups…
    assert count(as_member, url) == small
    with django_assert_max_num_queries(12):
        as_member.get(url)


def test_the_metric_page_is_flat(world, as_member, django_assert_max_num_queries):
    metric = standard_metric(world)
    url = reverse("metric_detail", args=["northwind", metric.pk])
    grow(world, [metric], orgs=2, months=3)
    small = count(as_member, url)
    grow(world, [metric], orgs=6, months=24, start=2)
    assert count(as_member, url) == small
    with django_assert_max_num_queries(20):
        as_member.get(url)


def test_goal_progress_is_two_queries(world, django_assert_max_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    from consortia.metrics import selectors
    from tests.conftest import fresh
    from tests.initiatives.conftest import join, make_leader, propose

    initiative = propose(world)
    join(initiative, world.other_leader, world.leader)
    make_leader(initiative, world.leader)
    for i in range(4):
        metric = standard_metric(world, name=f"G{i}", unit="u")
        services.goal_set(
            actor=fresh(world.leader), initiative=initiative, metric=metric, baseline=0,
            target=10, deadline=timezone.localdate() + timedelta(days=9),
        )  # fmt: skip
    with django_assert_max_num_queries(3):  # goals + tagged sums + untagged sums
        assert len(selectors.goal_progress(initiative=initiative)) == 4
