"""Demo data: three standard metrics, a year of monthly measurements for the demo network's
acting members, and a goal (CO2 saved) on an active initiative that has a leader (created as
the reviews demo does when there is none).

`load(network)` is idempotent (it does nothing when the first demo metric exists) and fast
(measurements are written in one batch through services.write_rows, which keeps the rollups
right). The metrics are adopted through metric_set_status, as a passed poll would.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from consortia.core.clock import Story
from consortia.initiatives.demo import acting_leaders, demo_initiative
from consortia.initiatives.models import Participation

from . import periods, services
from .models import Metric

METRICS = [
    # name, unit, aggregation, direction, description, base value per organization
    ("Jobs created", "people", "sum", "higher", "New jobs created with partners' help.", 6),
    ("CO2 saved", "t CO2e", "sum", "higher", "Emissions avoided by joint work.", 40),
    (
        "Supplier lead time",
        "days",
        "mean",
        "lower",
        "Average days from order to delivery from shared suppliers.",
        21,
    ),
]


@transaction.atomic
def load(network) -> list[Metric]:
    existing = list(Metric.objects.filter(network=network, name__in=[m[0] for m in METRICS]))
    if existing:
        return existing
    leaders = acting_leaders(network)
    if not leaders:
        return []
    rng = random.Random(4)
    story = Story(network.created_at)
    metrics = []
    for k, (name, unit, aggregation, direction, description, _) in enumerate(METRICS):
        with story.at(300 - k, hour=11):
            metric = services.metric_create(
                actor=leaders[0],
                network=network,
                name=name,
                unit=unit,
                aggregation=aggregation,
                direction=direction,
                description=description,
            )
        with story.at(292 - k, hour=18):
            services.metric_set_status(metric.pk, Metric.Status.STANDARD, source="demo")
        metrics.append(metric)
    this_month = periods.period_start(timezone.localdate(), "monthly")
    months = []
    day = this_month
    for _ in range(12):
        day = (day - timedelta(days=1)).replace(day=1)
        months.append(day)
    months.reverse()
    initiative, leader_of_initiative = demo_initiative(network)
    participants = set(
        Participation.objects.filter(
            initiative=initiative, status=Participation.Status.ACTIVE
        ).values_list("organization_id", flat=True)
        if initiative is not None
        else []
    )
    rows = []
    for k, ((_, _, _, direction, _, base), metric) in enumerate(zip(METRICS, metrics, strict=True)):
        for leader in leaders:
            org_id = leader.organization.pk
            level = base * rng.uniform(0.6, 1.6)
            # The goal's metric (CO2 saved): the participants report it for the initiative.
            tagged = initiative.pk if k == 1 and org_id in participants else None
            for i, month in enumerate(months):
                trend = 1 + (0.03 if direction == "higher" else -0.02) * i
                value = Decimal(str(round(level * trend * rng.uniform(0.9, 1.1), 1)))
                visibility = "organization" if leader is leaders[-1] and i % 4 == 0 else "network"
                rows.append((metric.pk, org_id, tagged, month, value, visibility))
    # Each month's values are reported in the first days of the next month.
    for month in months:
        reported = month + timedelta(days=35)
        with story.at(max((story.now.date() - reported).days, 0), hour=9):
            services.write_rows([r for r in rows if r[3] == month], actor=leaders[0])
    # The goal starts from the participants' first month, rounded down, and doubles it.
    first = sum(r[4] for r in rows if r[0] == metrics[1].pk and r[2] and r[3] == months[0])
    baseline = Decimal(int(first // 10 * 10))
    if initiative is not None and baseline > 0 and initiative.ends_on > timezone.localdate():
        with story.at(145, hour=10):  # set at the initiative's start, for its first year
            services.goal_set(
                actor=leader_of_initiative,
                initiative=initiative,
                metric=metrics[1],
                baseline=baseline,
                target=baseline * 2,
                deadline=min(initiative.ends_on, timezone.localdate() + timedelta(days=180)),
                note="Double the emissions the partners avoid together.",
            )
    return metrics
