"""Adopting and retiring a metric by poll: the registered actions and their validators."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from consortia.decisions import outcomes as registry
from consortia.metrics import outcomes, services
from consortia.metrics.models import Metric
from tests.conftest import fresh

pytestmark = pytest.mark.django_db


def proposed(world, name="Jobs"):
    return services.metric_create(
        actor=fresh(world.leader), network=world.network, name=name, unit="people"
    )


def poll(world, metric, pk=3):
    return SimpleNamespace(pk=pk, network=world.network, action_payload={"metric": metric.pk})


def test_the_actions_are_registered_and_system_only():
    for name in (services.ADOPT_ACTION, services.RETIRE_ACTION):
        action = registry.get(name)
        assert action is not None and action.system_only


def test_a_passed_poll_adopts_then_retires(world):
    metric = proposed(world)
    outcomes.apply_adopt(poll(world, metric), {"passed": False})
    metric.refresh_from_db()
    assert metric.status == "proposed"
    outcomes.apply_adopt(poll(world, metric), {"passed": True})
    metric.refresh_from_db()
    assert metric.status == "standard" and metric.status_changed_at is not None
    outcomes.apply_retire(poll(world, metric), {"passed": True})
    metric.refresh_from_db()
    assert metric.status == "retired"


def test_validators_refuse_the_wrong_state_or_metric(world):
    metric = proposed(world)
    adopt = registry.get(services.ADOPT_ACTION).validate
    retire = registry.get(services.RETIRE_ACTION).validate
    assert adopt(world.network, {"metric": metric.pk})["name"] == "Jobs"
    with pytest.raises(ValidationError):
        retire(world.network, {"metric": metric.pk})
    with pytest.raises(ValidationError):
        adopt(world.network, {"metric": "1"})
    with pytest.raises(ValidationError):
        adopt(world.network, {})


def test_the_poll_opens_only_for_catalog_metrics_and_team_leaders(world):
    from django.core.exceptions import PermissionDenied

    metric = proposed(world)
    with pytest.raises(PermissionDenied):
        services.metric_poll_open(actor=fresh(world.member), metric=metric)
    private = services.metric_create(
        actor=fresh(world.leader), network=world.network, name="Mine", unit="x",
        scope="organization",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.metric_poll_open(actor=fresh(world.leader), metric=private)
    poll_ = services.metric_poll_open(actor=fresh(world.other_leader), metric=metric)
    assert poll_.created_by == world.other_leader and poll_.kind == "yes_no"
    with pytest.raises(ValidationError):
        services.metric_poll_open(actor=fresh(world.leader), metric=metric, retire=True)


def test_a_retired_metric_takes_no_measurements(world):
    from .conftest import record

    metric = proposed(world)
    Metric.objects.filter(pk=metric.pk).update(status="retired")
    metric.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        record(world.leader, metric, "2026-01", 1)
    assert "retired" in str(exc.value)


def test_names_are_unique_per_catalog(world):
    proposed(world)
    with pytest.raises(ValidationError):
        proposed(world, name="jobs")
    services.metric_create(
        actor=fresh(world.leader), network=world.network, name="Jobs", unit="x",
        scope="organization",
    )  # fmt: skip
