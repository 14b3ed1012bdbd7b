"""Measurements in a real browser: Max (a member of Acme) goes to the Metrics tab, uploads a
CSV file with a mistake and sees every error with its line and column, uploads the corrected
file, sees the preview, imports it with the progress bar, and sees the chart."""

import re

import pytest

from consortia.metrics.models import Measurement, Metric
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD = "metric,organization,period,value\n" + "".join(
    f"Deliveries,acme-labs,2026-{m:02d},{100 + 7 * m}\n" for m in range(1, 13)
)
BAD = "metric,organization,period,value\nDeliveries,acme-labs,2026-01,lots\n"


def test_it_uploads_previews_imports_and_charts(new_page, shoot, world, tmp_path):
    from consortia.metrics import services
    from tests.conftest import fresh

    metric = services.metric_create(
        actor=fresh(world.leader), network=world.network, name="Deliveries", unit="parcels"
    )
    Metric.objects.filter(pk=metric.pk).update(status="standard")
    bad, good = tmp_path / "bad.csv", tmp_path / "deliveries.csv"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")

    max_ = new_page()
    sign_in(max_, world.member)
    max_.goto("/n/northwind/")
    max_.locator("nav.tabs").get_by_role("link", name="Metrics").click()
    max_.wait_for_url(re.compile(r".*/metrics/$"))
    max_.get_by_role("link", name="Upload a CSV file").click()
    max_.set_input_files("input[name=file]", str(bad))
    max_.get_by_role("button", name="Check the file").click()
    errors = max_.locator("#import-errors")
    assert "not a number" in errors.inner_text()
    assert "(value)" in errors.inner_text() and "2" in errors.inner_text()
    shoot(max_, "errors")
    assert not Measurement.objects.exists()

    max_.set_input_files("input[name=file]", str(good))
    max_.get_by_role("button", name="Check the file").click()
    preview = max_.locator("#preview")
    assert "Deliveries" in preview.inner_text() and "2026-01" in preview.inner_text()
    shoot(max_, "preview")
    assert not Measurement.objects.exists()
    max_.get_by_role("button", name="Import 12 rows").click()
    max_.locator("#import-done").wait_for()
    assert max_.get_by_role("progressbar").get_attribute("value") == "100"
    shoot(max_, "imported")
    assert Measurement.objects.count() == 12

    max_.get_by_role("link", name="See the charts").click()
    max_.wait_for_url(re.compile(r".*/metrics/$"))
    assert max_.locator("svg.metric-chart__svg polyline").count() >= 1
    max_.get_by_role("link", name="Deliveries").first.click()
    max_.wait_for_url(re.compile(r".*/metrics/\d+/$"))
    chart = max_.locator("svg.metric-chart__svg").first
    assert chart.locator("circle").count() >= 12
    assert "Acme Labs" in max_.locator(".metric-chart__legend").first.inner_text()
    shoot(max_, "chart")
