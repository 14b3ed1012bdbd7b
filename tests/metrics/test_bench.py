"""The metrics benchmark's data and import run on a small synthetic network."""

import pytest

from consortia.bench import metrics_bench, synthetic
from consortia.metrics.models import Measurement, MeasurementRollup

pytestmark = pytest.mark.django_db


def test_it_writes_a_valid_file_and_imports_it(tmp_path):
    synthetic.generate(
        synthetic.Size(organizations=12, people=40, events=10), say=lambda message: None
    )
    metrics = metrics_bench._add_catalog(lambda message: None)
    assert len(metrics) == metrics_bench.METRICS
    assert metrics_bench._add_catalog(lambda message: None) == metrics  # once
    from consortia.networks.models import Network, Organization

    main = Network.objects.get(slug=synthetic.SLUG)
    slugs = list(
        Organization.objects.filter(pk__in=synthetic._active_orgs(main)).values_list(
            "slug", flat=True
        )
    )
    path = tmp_path / "m.csv"
    written = metrics_bench._write_csv(path, metrics, slugs, 700)
    assert written == 700
    _validated, _total, created, _cpu = metrics_bench._import(path, metrics, lambda m: None)
    assert created == 700 and Measurement.objects.count() == 700
    assert MeasurementRollup.objects.filter(visibility="network").exists()
    # A second run replaces the previous measurements.
    metrics_bench._import(path, metrics, lambda m: None)
    assert Measurement.objects.count() == 700
