"""A metric can declare that it is never negative: values below zero are then refused in the
form, the CSV import and the API, and nothing is recorded (issue 11)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consortia.metrics.models import Measurement, Metric
from consortia.metrics.templatetags.metrics_numbers import in_unit
from tests.api.conftest import api_as

from .conftest import record, standard_metric
from .test_import import HEADER, only_error, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcels(world):
    return standard_metric(world, name="Deliveries", unit="parcels", non_negative=True)


def test_the_service_refuses_a_negative_value(world, parcels):
    with pytest.raises(ValidationError) as caught:
        record(world.leader, parcels, "2026-01", "-3")
    assert "never negative" in str(caught.value.message_dict["value"])
    assert record(world.leader, parcels, "2026-01", "0").value == 0
    assert Measurement.objects.count() == 1


def test_a_metric_that_may_be_negative_takes_negative_values(world):
    balance = standard_metric(world, name="Balance", unit="EUR")
    assert record(world.leader, balance, "2026-01", "-3").value == -3


def test_the_csv_import_says_which_line_is_negative(world, parcels):
    parsed = parse(
        world, HEADER + "Deliveries,acme-labs,2026-01,5\nDeliveries,acme-labs,2026-02,-1\n"
    )
    error = only_error(parsed)
    assert (error.line, error.column) == (3, "value") and "never negative" in error.message


def test_the_api_declares_and_enforces_it(world):
    api = api_as(world.leader)
    response = api.post(
        "/networks/northwind/metrics", {"name": "Jobs", "unit": "people", "non_negative": True}
    )
    assert response.status_code == 201 and response.json()["non_negative"] is True
    Metric.objects.filter(name="Jobs").update(status=Metric.Status.STANDARD)
    row = {"metric": "Jobs", "organization": "acme-labs", "period": "2026-01", "value": -2}
    response = api.post("/networks/northwind/measurements", row)
    assert response.status_code == 422 and "never negative" in response.content.decode()
    assert not Measurement.objects.exists()
    bad = api.post(
        "/networks/northwind/metrics", {"name": "X", "unit": "n", "non_negative": "maybe"}
    )
    assert bad.status_code == 422


def test_the_form_declares_it_and_the_record_form_refuses_a_negative_value(world, as_leader):
    response = as_leader.post(
        reverse("metric_new", args=["northwind"]),
        {"name": "Trees", "unit": "trees", "direction": "higher", "aggregation": "sum",
         "cadence": "monthly", "scope": "network", "non_negative": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    trees = Metric.objects.get(name="Trees")
    assert trees.non_negative
    Metric.objects.filter(pk=trees.pk).update(status=Metric.Status.STANDARD)
    response = as_leader.post(
        reverse("measurement_new", args=["northwind"]),
        {"metric": trees.pk, "period": "2026-01", "value": "-4", "visibility": "network"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "never negative" in body and 'value="-4"' in body
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    "value, unit, shown",
    [
        ("1234.5", "EUR", "1,234.50"),
        ("3.0", "parcels", "3"),
        ("2.25", "people", "2.3"),
        ("12.345", "%", "12.3"),
        ("0.12345", "t CO2e", "0.12"),
        ("7", "hours", "7"),
    ],
)
def test_numbers_are_shown_with_the_precision_of_their_unit(value, unit, shown):
    assert in_unit(value, unit) == shown
