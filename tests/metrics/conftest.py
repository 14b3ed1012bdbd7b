"""Metrics personas on top of the shared world: a standard monthly metric "Deliveries" (sum,
higher is better), a mean metric "Lead time" (lower is better), and the "Shared sensors"
initiative that Acme proposed, Beta joined and Ada leads."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from consortia.metrics import services
from consortia.metrics.models import Metric
from tests.conftest import fresh
from tests.initiatives.conftest import join, make_leader, propose


def standard_metric(world, name="Deliveries", unit="parcels", **fields) -> Metric:
    metric = services.metric_create(
        actor=fresh(world.leader), network=world.network, name=name, unit=unit, **fields
    )
    Metric.objects.filter(pk=metric.pk).update(status=Metric.Status.STANDARD)
    metric.refresh_from_db()
    return metric


@pytest.fixture
def metric(world):
    return standard_metric(world)


@pytest.fixture
def lead_time(world):
    return standard_metric(
        world, name="Lead time", unit="days", aggregation="mean", direction="lower"
    )


@pytest.fixture
def initiative(world):
    initiative = propose(world)
    join(initiative, world.other_leader, world.leader)
    make_leader(initiative, world.leader)
    return initiative


def csv_bytes(text: str, encoding="utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def record(person, metric, period, value, **fields):
    return services.measurement_record(
        actor=fresh(person), metric=metric, period=period, value=value, **fields
    )


def months_ago(n: int) -> date:
    day = timezone.localdate().replace(day=1)
    for _ in range(n):
        day = (day - timedelta(days=1)).replace(day=1)
    return day
