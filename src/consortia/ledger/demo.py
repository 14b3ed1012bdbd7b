"""Demo data: a year of investments and returns for the demo network's acting members, in the
network's ledger (EUR, 20-point threshold, 80 EUR an hour), made through the services.
Idempotent: does nothing when the network's ledger already has entries."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from consortia.initiatives.demo import acting_leaders

from . import services
from .models import LedgerEntry


@transaction.atomic
def load(network) -> int:
    if LedgerEntry.objects.filter(network=network).exists():
        return 0
    leaders = acting_leaders(network)
    if not leaders:
        return 0
    services.settings_update(
        actor=leaders[0],
        network=network,
        currency="EUR",
        threshold_pct="20",
        hour_rate="80",
    )
    rng = random.Random(8)
    today = timezone.localdate()
    count = 0
    for k, leader in enumerate(leaders):
        # The first partner invests a lot and gets little back: the balance flags it.
        weight = 3.0 if k == 0 else 1.0
        for i in range(4):
            day = today - timedelta(days=30 + 80 * i + rng.randint(0, 20))
            services.entry_create(
                actor=leader, network=network, direction="investment", kind="money",
                amount=Decimal(round(5000 * weight * rng.uniform(0.5, 1.5))), currency="EUR",
                date=day, note="Contribution to shared tooling",
            )  # fmt: skip
            services.entry_create(
                actor=leader, network=network, direction="investment", kind="hours",
                hours=Decimal(rng.randint(10, 60)), date=day, note="Engineers' time",
            )  # fmt: skip
            services.entry_create(
                actor=leader, network=network, direction="return", kind="money",
                amount=Decimal(round(6000 / weight * rng.uniform(0.5, 1.5))), currency="EUR",
                date=day + timedelta(days=10), note="Savings from pooled purchasing",
            )  # fmt: skip
            count += 3
    return count
