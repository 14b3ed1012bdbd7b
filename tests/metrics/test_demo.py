"""The demo loaders: metrics, measurements, a goal and ledger entries; idempotent."""

import pytest

from consortia import demo as consortia_demo
from consortia.ledger import demo as ledger_demo
from consortia.ledger import selectors as ledger_selectors
from consortia.ledger.models import LedgerEntry
from consortia.metrics import demo as metrics_demo
from consortia.metrics.models import Goal, Measurement, Metric
from consortia.metrics.selectors import goal_progress
from consortia.networks import demo as network_demo
from consortia.networks.models import Network

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once():
    consortia_demo.load()  # calls metrics_demo.load and ledger_demo.load (or not yet: below)
    network = Network.objects.get(slug=network_demo.NETWORK_SLUG)
    metrics = metrics_demo.load(network)
    ledger_demo.load(network)
    assert len(metrics) == 3 and all(m.status == "standard" for m in Metric.objects.all())
    measurements = Measurement.objects.count()
    entries = LedgerEntry.objects.count()
    assert measurements >= 3 * 12 * 2 and entries > 0
    assert ledger_selectors.balance(network=network)["rows"]
    goal = Goal.objects.get()
    [progress] = goal_progress(initiative=goal.initiative)
    assert progress["metric"] == "CO2 saved" and progress["current"] is not None
    metrics_demo.load(network)
    assert ledger_demo.load(network) == 0
    assert Measurement.objects.count() == measurements
    assert LedgerEntry.objects.count() == entries
