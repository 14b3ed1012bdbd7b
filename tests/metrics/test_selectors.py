"""Totals, series, comparisons and goal progress, with hand-computed figures."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from consortia.metrics import selectors, services
from consortia.metrics.models import Goal, Measurement
from tests.conftest import fresh

from .conftest import months_ago, record

pytestmark = pytest.mark.django_db


def test_it_sums_the_partners_values_per_period(world, metric):
    record(world.leader, metric, date(2026, 1, 15), 10)
    record(world.other_leader, metric, date(2026, 1, 2), "2.5")
    record(world.leader, metric, date(2026, 2, 1), 7)
    totals = selectors.network_totals(person=fresh(world.member), network=world.network)
    assert totals[metric.pk] == [
        (date(2026, 1, 1), Decimal("12.5")),
        (date(2026, 2, 1), Decimal("7")),
    ]


def test_it_averages_a_mean_metric(world, lead_time):
    record(world.leader, lead_time, "2026-03", 4)
    record(world.other_leader, lead_time, "2026-03", 7)
    totals = selectors.network_totals(person=fresh(world.member), network=world.network)
    assert totals[lead_time.pk] == [(date(2026, 3, 1), Decimal("5.5"))]


def test_private_values_count_only_for_their_organization(world, metric):
    record(world.leader, metric, "2026-01", 10)
    record(world.other_leader, metric, "2026-01", 5, visibility="organization")
    as_acme = selectors.network_totals(person=fresh(world.member), network=world.network)
    as_beta = selectors.network_totals(person=fresh(world.other_member), network=world.network)
    assert as_acme[metric.pk] == [(date(2026, 1, 1), Decimal("10"))]
    assert as_beta[metric.pk] == [(date(2026, 1, 1), Decimal("15"))]


def test_metric_series_shows_only_what_the_viewer_may_see(world, metric):
    record(world.leader, metric, "2026-01", 10, visibility="organization")
    record(world.other_leader, metric, "2026-01", 5)
    rows = selectors.metric_series(person=fresh(world.other_member), metric=metric)
    assert rows == [
        {"period": date(2026, 1, 1), "value": Decimal("5"), "organization": "Beta Works"}
    ]
    rows = selectors.metric_series(person=fresh(world.member), metric=metric)
    assert [r["organization"] for r in rows] == ["Acme Labs", "Beta Works"]
    assert selectors.metric_series(person=fresh(world.outsider), metric=metric) == []


def test_initiative_visibility_is_for_participants(world, metric, initiative):
    record(world.other_leader, metric, "2026-01", 3, initiative=initiative, visibility="initiative")
    seen = selectors.metric_series(person=fresh(world.member), metric=metric, initiative=initiative)
    assert [r["value"] for r in seen] == [Decimal("3")]
    from consortia.initiatives import services as initiative_services

    initiative_services.participation_leave(actor=fresh(world.leader), initiative=initiative)
    assert selectors.metric_series(person=fresh(world.member), metric=metric) == []


def test_comparison_ranks_partners_and_marks_mine(world, metric):
    record(world.leader, metric, "2026-01", 10)
    record(world.other_leader, metric, "2026-01", 30)
    result = selectors.comparison(person=fresh(world.member), metric=metric)
    assert result["period"] == date(2026, 1, 1)
    assert [(r["label"], r["value"], r["mine"]) for r in result["rows"]] == [
        ("Beta Works", Decimal("30"), False),
        ("Acme Labs", Decimal("10"), True),
    ]


def test_goal_progress_is_the_share_of_the_way_to_the_target(world, metric, initiative):
    deadline = timezone.localdate() + timedelta(days=100)
    services.goal_set(
        actor=fresh(world.leader),
        initiative=initiative,
        metric=metric,
        baseline=100,
        target=200,
        deadline=deadline,
    )
    [empty] = selectors.goal_progress(initiative=initiative)
    assert empty["current"] is None and empty["progress"] is None and empty["on_track"] is None
    record(world.leader, metric, months_ago(1), 60)
    record(world.other_leader, metric, months_ago(1), 65)
    [goal] = selectors.goal_progress(initiative=initiative)
    assert goal["current"] == Decimal("125")
    assert goal["progress"] == pytest.approx(0.25)
    assert goal["on_track"] is True  # created today: no time has passed yet
    assert set(goal) >= {
        "goal_id", "metric", "unit", "direction", "baseline", "target", "deadline",
        "current", "progress", "on_track",
    }  # fmt: skip
    later = timezone.localdate() + timedelta(days=50)
    [goal] = selectors.goal_progress(initiative=initiative, today=later)
    assert goal["on_track"] is False  # half the time gone, a quarter of the way


def test_goal_progress_for_lower_is_better_and_clamped(world, lead_time, initiative):
    services.goal_set(
        actor=fresh(world.leader),
        initiative=initiative,
        metric=lead_time,
        baseline=10,
        target=5,
        deadline=timezone.localdate() + timedelta(days=30),
    )
    record(world.leader, lead_time, months_ago(0), 8, initiative=initiative)
    [goal] = selectors.goal_progress(initiative=initiative)
    assert goal["progress"] == pytest.approx(0.4)  # 10 → 8 is 2 of 5
    record(world.leader, lead_time, months_ago(0), 1, initiative=initiative)
    [goal] = selectors.goal_progress(initiative=initiative)
    assert goal["progress"] == 1.0
    assert Goal.objects.count() == 1 and Measurement.objects.count() == 1
