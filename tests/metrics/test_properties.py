"""Properties: rollups always equal a fresh aggregate, and the network total is the sum of
its parts, whatever sequence of writes happened."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consortia.metrics import periods, selectors, services
from consortia.metrics.models import Measurement, MeasurementRollup
from tests.conftest import fresh

pytestmark = pytest.mark.django_db

writes = st.lists(
    st.tuples(
        st.sampled_from(["leader", "other_leader"]),
        st.integers(min_value=0, max_value=5),  # month
        st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False),
        st.sampled_from(["network", "organization"]),
        st.booleans(),  # delete instead
    ),
    min_size=1,
    max_size=12,
)


def fresh_aggregate(metric):
    rows = {}
    for visibility, group in (("network", ()),):
        for r in (
            Measurement.objects.filter(metric=metric, visibility=visibility)
            .values("period_start", *group)
            .annotate(t=Sum("value"), n=Count("id"))
        ):
            rows[(visibility, r["period_start"])] = (r["t"], r["n"])
    return rows


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=writes)
def test_rollups_equal_recomputation_after_random_writes(world, metric, steps):
    Measurement.objects.all().delete()
    MeasurementRollup.objects.all().delete()
    for who, month, value, visibility, delete in steps:
        person = getattr(world, who)
        period = date(2026, month + 1, 1)
        if delete:
            existing = Measurement.objects.filter(
                metric=metric, organization=person.organization, period_start=period
            ).first()
            if existing:
                services.measurement_delete(actor=fresh(person), measurement=existing)
            continue
        services.measurement_record(
            actor=fresh(person), metric=metric, period=period, value=value, visibility=visibility
        )
    rollups = {
        (r.visibility, r.period_start): (r.total, r.count)
        for r in MeasurementRollup.objects.filter(metric=metric)
    }
    assert rollups == fresh_aggregate(metric)
    # The network total a member of Acme sees is the sum of the parts it may see.
    totals = dict(
        selectors.network_totals(person=fresh(world.member), network=world.network).get(
            metric.pk, []
        )
    )
    visible = selectors.metric_series(person=fresh(world.member), metric=metric)
    parts: dict[date, Decimal] = {}
    for row in visible:
        parts[row["period"]] = parts.get(row["period"], Decimal(0)) + row["value"]
    assert totals == parts


@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_periods_normalize_into_their_period(day):
    for cadence in ("weekly", "monthly", "quarterly"):
        start = periods.period_start(day, cadence)
        assert start <= day <= periods.period_end(start, cadence)
        assert periods.period_start(start, cadence) == start
        assert periods.parse(day.isoformat(), cadence) == start
