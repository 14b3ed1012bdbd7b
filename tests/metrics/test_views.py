"""The metrics pages: dashboard, metric detail, recording, polls, goals; outsiders get 404."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consortia.decisions.models import Poll
from consortia.metrics.models import Goal, Measurement, Metric
from tests.conftest import login

from .conftest import record

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_the_catalog_and_charts(world, metric, as_member):
    record(world.leader, metric, "2026-01", 10)
    record(world.other_leader, metric, "2026-02", 12)
    response = as_member.get(reverse("metrics_dashboard", args=["northwind"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Deliveries" in html and "<polyline" in html and "Standard" in html


def test_outsiders_and_applicants_get_404(world, metric, as_outsider, as_applicant):
    for client in (as_outsider, as_applicant):
        for url in (
            reverse("metrics_dashboard", args=["northwind"]),
            reverse("metric_detail", args=["northwind", metric.pk]),
            reverse("measurement_import", args=["northwind"]),
        ):
            assert client.get(url).status_code == 404


def test_another_organizations_private_metric_is_404(world, as_other):
    from consortia.metrics import services
    from tests.conftest import fresh

    private = services.metric_create(
        actor=fresh(world.leader), network=world.network, name="Secret", unit="x",
        scope="organization",
    )  # fmt: skip
    url = reverse("metric_detail", args=["northwind", private.pk])
    assert as_other.get(url).status_code == 404
    assert login(world.member).get(url).status_code == 200


def test_the_detail_page_compares_partners(world, metric, as_member):
    record(world.leader, metric, "2026-01", 10)
    record(world.other_leader, metric, "2026-01", 30)
    html = as_member.get(reverse("metric_detail", args=["northwind", metric.pk])).content.decode()
    assert "Beta Works" in html and "Acme Labs" in html and "Partners compared" in html


def test_proposing_a_metric_and_putting_it_to_a_vote(world, as_leader):
    response = as_leader.post(
        reverse("metric_new", args=["northwind"]),
        {
            "name": "CO2 saved",
            "unit": "t",
            "direction": "higher",
            "aggregation": "sum",
            "cadence": "quarterly",
            "scope": "network",
        },
    )
    metric = Metric.objects.get(name="CO2 saved")
    assert response.status_code == 302 and metric.status == "proposed"
    response = as_leader.post(reverse("metric_poll", args=["northwind", metric.pk]))
    poll = Poll.objects.get(action="metrics.adopt_metric")
    assert response.status_code == 302 and poll.action_payload["metric"] == metric.pk
    # A second poll about the same metric is refused with a message.
    as_leader.post(reverse("metric_poll", args=["northwind", metric.pk]))
    assert Poll.objects.filter(action="metrics.adopt_metric").count() == 1


def test_a_member_cannot_open_the_poll(world, as_member):
    from consortia.metrics import services
    from tests.conftest import fresh

    metric = services.metric_create(
        actor=fresh(world.leader), network=world.network, name="M", unit="x"
    )
    response = as_member.post(reverse("metric_poll", args=["northwind", metric.pk]))
    assert response.status_code == 403
    assert not Poll.objects.exists()


def test_recording_a_value_by_form(world, metric, as_member):
    response = as_member.post(
        reverse("measurement_new", args=["northwind"]),
        {"metric": metric.pk, "period": "2026-03-17", "value": "12.5", "visibility": "network"},
    )
    assert response.status_code == 302
    m = Measurement.objects.get()
    assert str(m.period_start) == "2026-03-01" and m.organization == world.acme


def test_bad_values_come_back_as_form_errors(world, metric, as_member):
    response = as_member.post(
        reverse("measurement_new", args=["northwind"]),
        {"metric": metric.pk, "period": "March", "value": "lots", "visibility": "network"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "is not a number" in html and "is not a period" in html
    assert not Measurement.objects.exists()


def test_the_leader_sets_goals_and_others_see_progress(world, metric, initiative, as_leader):
    url = reverse("initiative_goals", args=["northwind", initiative.pk])
    deadline = (timezone.localdate() + timedelta(days=60)).isoformat()
    response = as_leader.post(
        url, {"metric": metric.pk, "baseline": "100", "target": "150", "deadline": deadline}
    )
    assert response.status_code == 302
    assert Goal.objects.get().target == 150
    html = login(world.other_member).get(url).content.decode()
    assert "Deliveries" in html and "No data yet" in html and "Save the goal" not in html
    # Not the leader: refused, nothing changes.
    response = login(world.other_leader).post(
        url, {"metric": metric.pk, "baseline": "1", "target": "2", "deadline": deadline}
    )
    assert response.status_code == 422
    assert Goal.objects.get().baseline == 100
    record(world.leader, metric, "2026-01", 110, initiative=initiative)
    html = login(world.other_member).get(url).content.decode()
    assert "target 150" in html and "20 %" in html


def test_goal_pages_are_404_for_outsiders(world, initiative, as_outsider):
    url = reverse("initiative_goals", args=["northwind", initiative.pk])
    assert as_outsider.get(url).status_code == 404


def test_the_initiative_page_links_to_goals(world, initiative, as_member):
    url = reverse("initiative_detail", args=["northwind", initiative.pk])
    html = as_member.get(url).content.decode()
    assert reverse("initiative_goals", args=["northwind", initiative.pk]) in html


def test_the_forms_render(world, metric, initiative, as_leader):
    for url in (
        reverse("metric_new", args=["northwind"]),
        reverse("measurement_new", args=["northwind"]) + f"?metric={metric.pk}",
        reverse("measurement_import", args=["northwind"]),
        reverse("initiative_goals", args=["northwind", initiative.pk]),
    ):
        response = as_leader.get(url)
        assert response.status_code == 200, url
        assert "<form" in response.content.decode()


def test_a_private_initiative_metric_through_the_form(world, initiative, as_leader):
    response = as_leader.post(
        reverse("metric_new", args=["northwind"]),
        {"name": "Sensors online", "unit": "sensors", "direction": "higher",
         "aggregation": "last", "cadence": "weekly", "scope": "initiative",
         "initiative": initiative.pk},
    )  # fmt: skip
    assert response.status_code == 302
    metric = Metric.objects.get(name="Sensors online")
    assert metric.status == "private" and metric.owner_initiative == initiative
    # Participants see it; a partner outside the initiative does not.
    url = reverse("metric_detail", args=["northwind", metric.pk])
    assert login(world.other_member).get(url).status_code == 200
    response = as_leader.post(
        reverse("metric_new", args=["northwind"]),
        {"name": "X", "unit": "x", "direction": "higher", "aggregation": "sum",
         "cadence": "weekly", "scope": "initiative"},
    )  # fmt: skip
    assert response.status_code == 422


def test_own_values_are_listed_and_deleted(world, metric, as_member):
    mine = record(world.leader, metric, "2026-01", 10)
    theirs = record(world.other_leader, metric, "2026-01", 20)
    html = as_member.get(reverse("metric_detail", args=["northwind", metric.pk])).content.decode()
    assert "Acme Labs's values" in html
    delete = reverse("measurement_delete", args=["northwind", theirs.pk])
    assert as_member.post(delete).status_code == 403
    assert (
        as_member.post(reverse("measurement_delete", args=["northwind", mine.pk])).status_code
        == 302
    )
    assert list(Measurement.objects.values_list("pk", flat=True)) == [theirs.pk]
    outsider = login(world.outsider)
    assert outsider.post(delete).status_code == 404
