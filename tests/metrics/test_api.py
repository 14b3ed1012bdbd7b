"""The metrics API: catalog, bulk entry (all or nothing), series, totals, goals; outsiders 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.decisions.models import Poll
from consortia.metrics.models import Goal, Measurement
from tests.api.conftest import api_as

from .conftest import record

pytestmark = pytest.mark.django_db


def item(**fields):
    row = {"metric": "Deliveries", "organization": "acme-labs", "period": "2026-01", "value": 5}
    row.update(fields)
    return row


def test_it_lists_and_creates_metrics(world, metric):
    api = api_as(world.leader)
    response = api.get("/networks/northwind/metrics")
    assert response.status_code == 200
    assert [m["name"] for m in response.json()["items"]] == ["Deliveries"]
    response = api.post(
        "/networks/northwind/metrics", {"name": "Jobs", "unit": "people", "cadence": "quarterly"}
    )
    assert response.status_code == 201 and response.json()["status"] == "proposed"
    response = api.post(f"/metrics/{response.json()['id']}/polls", {})
    assert response.status_code == 201
    assert Poll.objects.get().action == "metrics.adopt_metric"


def test_bulk_is_all_or_nothing_with_per_item_errors(world, metric):
    api = api_as(world.member)
    response = api.post(
        "/networks/northwind/measurements/bulk",
        {"items": [item(), item(period="2026-02", value="x"), item(organization="beta-works")]},
    )
    assert response.status_code == 422
    locs = [(e["loc"], e["msg"]) for e in response.json()["detail"]]
    assert locs[0][0] == ["body", "payload", "items", 1, "value"]
    assert locs[1][0] == ["body", "payload", "items", 2, "organization"]
    assert not Measurement.objects.exists()
    response = api.post(
        "/networks/northwind/measurements/bulk", {"items": [item(), item(period="2026-02")]}
    )
    assert response.status_code == 200 and response.json() == {"created": 2, "updated": 0}


def test_duplicate_items_are_refused(world, metric):
    response = api_as(world.member).post(
        "/networks/northwind/measurements/bulk", {"items": [item(), item(period="2026-01-31")]}
    )
    assert response.status_code == 422
    assert "Duplicate" in response.json()["detail"][0]["msg"]


def test_one_measurement_series_and_totals(world, metric):
    api = api_as(world.member)
    response = api.post("/networks/northwind/measurements", item(value="12.5"))
    assert response.status_code == 201 and response.json()["period_start"] == "2026-01-01"
    record(world.other_leader, metric, "2026-01", 10, visibility="organization")
    series = api.get(f"/metrics/{metric.pk}/series").json()
    assert series["count"] == 1 and series["items"][0]["organization"] == "Acme Labs"
    totals = api.get(f"/metrics/{metric.pk}/totals").json()
    assert (
        totals == [{"period": "2026-01-01", "value": "12.5"}] or float(totals[0]["value"]) == 12.5
    )
    measurement_id = response.json()["id"]
    assert api_as(world.other_leader).delete(f"/measurements/{measurement_id}").status_code == 404
    assert api.delete(f"/measurements/{measurement_id}").status_code == 204


def test_outsiders_get_404(world, metric, initiative):
    api = api_as(world.outsider)
    assert api.get("/networks/northwind/metrics").status_code == 404
    assert api.get(f"/metrics/{metric.pk}").status_code == 404
    assert api.get(f"/metrics/{metric.pk}/series").status_code == 404
    assert api.post("/networks/northwind/measurements/bulk", {"items": [item()]}).status_code == 404
    assert api.get(f"/initiatives/{initiative.pk}/goals").status_code == 404


def test_goals_through_the_api(world, metric, initiative):
    deadline = (timezone.localdate() + timedelta(days=30)).isoformat()
    body = {"metric_id": metric.pk, "baseline": 10, "target": "20", "deadline": deadline}
    response = api_as(world.other_leader).post(f"/initiatives/{initiative.pk}/goals", body)
    assert response.status_code == 403
    response = api_as(world.leader).post(f"/initiatives/{initiative.pk}/goals", body)
    assert response.status_code == 201 and response.json()["progress"] is None
    goals = api_as(world.other_member).get(f"/initiatives/{initiative.pk}/goals").json()
    assert goals[0]["metric"] == "Deliveries"
    bad = dict(body, target=5)
    response = api_as(world.leader).post(f"/initiatives/{initiative.pk}/goals", bad)
    assert response.status_code == 422
    goal = Goal.objects.get()
    assert api_as(world.leader).delete(f"/goals/{goal.pk}").status_code == 204
