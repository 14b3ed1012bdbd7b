"""Demo data: a year of investments and returns for the demo network's acting members, in the
network's ledger (EUR, 20-point threshold, 80 EUR an hour), made through the services.
Idempotent: does nothing when the network's ledger already has entries."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from consortia.core.clock import Story
from consortia.initiatives.demo import acting_leaders
from consortia.networks.models import NetworkMembership

from . import services
from .models import LedgerEntry


@transaction.atomic
def load(network) -> int:
    if LedgerEntry.objects.filter(network=network).exists():
        return 0
    leaders = acting_leaders(network)
    if not leaders:
        return 0
    story = Story(network.created_at)
    with story.at(300, hour=12):
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
    joined = dict(
        NetworkMembership.objects.filter(network=network).values_list(
            "organization_id", "created_at"
        )
    )
    for k, leader in enumerate(leaders):
        # The first partner invests a lot and gets little back: the balance flags it.
        weight = 3.0 if k == 0 else 1.0
        # Entries every few months since the organization joined (or over the last year).
        member_for = (story.now - joined.get(leader.organization.pk, story.now)).days
        for i in range(4):
            ago = 30 + 80 * i + rng.randint(0, 20)
            if member_for > 60:
                ago = 30 + (ago - 30) * (member_for - 50) // 290
            day = today - timedelta(days=ago)
            with story.at(max(ago - 10, 0), hour=15):  # booked with the return, ten days on
                services.entry_create(
                    actor=leader, network=network, direction="investment", kind="money",
                    amount=Decimal(round(5000 * weight * rng.uniform(0.5, 1.5))),
                    currency="EUR", date=day, note="Contribution to shared tooling",
                )  # fmt: skip
                services.entry_create(
                    actor=leader, network=network, direction="investment", kind="hours",
                    hours=Decimal(rng.randint(10, 60)), date=day, note="Engineers' time",
                )  # fmt: skip
                services.entry_create(
                    actor=leader, network=network, direction="return", kind="money",
                    amount=Decimal(round(6000 / weight * rng.uniform(0.5, 1.5))),
                    currency="EUR", date=day + timedelta(days=10),
                    note="Savings from pooled purchasing",
                )  # fmt: skip
            count += 3
    return count
