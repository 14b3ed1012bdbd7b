"""Reads about metrics: the catalog, series, network totals, comparisons and goal progress.

Every function filters by the viewer's audience in SQL (permissions.measurement_q). Totals
come from MeasurementRollup, so their cost depends on the number of periods, not on the
number of measurements or organizations.

How a metric's values combine across partners for one period: `sum` and `last` add the
partners' values (for `last`, each partner reports its latest value, e.g. a headcount),
`mean` averages them. Over time (a goal's current value), the latest period counts.
"""

from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Max, Sum, Value
from django.utils import timezone

from consortia.initiatives.models import Participation
from consortia.networks import permissions as network_permissions

from . import permissions
from .models import Goal, Measurement, Metric

V = Measurement.Visibility
FOUR = Decimal("0.0001")
SHOWN_PERIODS = 24
COMPARISON_LIMIT = 20


def combine(aggregation: str, total, count) -> Decimal | None:
    """The network figure of one period from the sum and count of the partners' values."""
    if not count:
        return None
    total = Decimal(total)
    if aggregation == Metric.Aggregation.MEAN:
        total = total / Decimal(count)
    # Measurements have 4 decimals; SQLite's sums come back with float noise beyond them.
    total = total.quantize(FOUR) + 0  # + 0 turns -0 into 0
    return total.quantize(Decimal(1)) if total == total.to_integral() else total.normalize()


def catalog(*, person, network):
    """The metrics the person may see: standard first, then proposed, private, retired."""
    order = {"standard": 0, "proposed": 1, "private": 2, "retired": 3}
    metrics = list(
        permissions.metrics_visible_to(person, network).select_related(
            "owner_organization", "owner_initiative"
        )
    )
    return sorted(metrics, key=lambda m: (order.get(m.status, 9), m.name.casefold()))


def network_totals(*, person, network, metrics=None, periods: int = SHOWN_PERIODS) -> dict:
    """{metric id: [(period_start, figure), ...]} over the last `periods` periods with data,
    combining every measurement the person may see: the network-wide rollups, the rollups of
    the initiatives the person's organization takes part in, and its own organization-only
    measurements. Three indexed queries whatever the data size."""
    from consortia.networks import permissions as network_permissions

    from .models import MeasurementRollup

    if metrics is None:
        metrics = list(permissions.metrics_visible_to(person, network))
    metric_ids = [m.pk for m in metrics]
    aggregation = {m.pk: m.aggregation for m in metrics}
    org_id = network_permissions.org_id_of(person)
    if not metric_ids or org_id is None or not permissions._is_active_member(person, network):
        return {}
    sums: dict[tuple, list] = {}

    def add(rows):
        for row in rows:
            key = (row["metric_id"], row["period_start"])
            acc = sums.setdefault(key, [Decimal(0), 0])
            acc[0] += row["total"] or 0
            acc[1] += row["n"] or 0

    add(
        MeasurementRollup.objects.filter(metric_id__in=metric_ids, visibility=V.NETWORK).values(
            "metric_id", "period_start", "total", n=F("count")
        )
    )
    add(
        MeasurementRollup.objects.filter(
            metric_id__in=metric_ids,
            visibility=V.INITIATIVE,
            initiative_id__in=permissions.participating_initiative_ids(org_id),
        )
        .values("metric_id", "period_start")
        .annotate(total=Sum("total"), n=Sum("count"))
        .order_by()
    )
    # Rows, not GROUP BY: a few per period, and without grouping SQLite picks the
    # (organization, metric, visibility) index instead of scanning the metric's periods.
    add(
        Measurement.objects.filter(
            organization_id=org_id, metric_id__in=metric_ids, visibility=V.ORGANIZATION
        )
        .values("metric_id", "period_start", total=F("value"), n=Value(1))
        .order_by()
    )
    result: dict[int, list] = {}
    for (metric_id, period), (total, n) in sorted(sums.items()):
        result.setdefault(metric_id, []).append((period, combine(aggregation[metric_id], total, n)))
    return {pk: points[-periods:] for pk, points in result.items()}


def own_measurements(*, person, metric, limit: int = 60) -> list[Measurement]:
    """The person's organization's latest measurements of `metric` (with or without an
    initiative), newest first: what it may correct or delete."""
    org_id = network_permissions.org_id_of(person)
    return list(
        Measurement.objects.filter(metric=metric, organization_id=org_id)
        .select_related("initiative")
        .order_by("-period_start", "initiative_id")[:limit]
    )


def metric_series(*, person, metric, initiative=None, organization=None) -> list[dict]:
    """[{"period": date, "value": Decimal, "organization": name}] of the measurements of
    `metric` the person may see, oldest first; narrowed to one initiative and/or one
    organization when given."""
    rows = permissions.measurements_visible_to(person, metric.network).filter(metric=metric)
    if initiative is not None:
        rows = rows.filter(initiative=initiative)
    if organization is not None:
        rows = rows.filter(organization=organization)
    return [
        {"period": period, "value": value, "organization": name}
        for period, value, name in rows.order_by("period_start", "organization__name").values_list(
            "period_start", "value", "organization__name"
        )
    ]


def comparison(*, person, metric, period=None, limit: int = COMPARISON_LIMIT) -> dict:
    """Partners' values for one period (the latest with visible data by default), highest
    first, only those the person may see; the viewer's own organization is always included."""
    visible = permissions.measurements_visible_to(person, metric.network).filter(
        metric=metric, initiative__isnull=True
    )
    if period is None:
        period = visible.aggregate(latest=Max("period_start"))["latest"]
    if period is None:
        return {"period": None, "rows": [], "more": 0}
    rows = visible.filter(period_start=period)
    descending = metric.direction == Metric.Direction.HIGHER
    ordered = rows.order_by("-value" if descending else "value", "organization__name")
    top = list(ordered.values("organization_id", "organization__name", "value")[: limit + 1])
    more = len(top) > limit
    top = top[:limit]
    org_id = network_permissions.org_id_of(person)
    if org_id and not any(r["organization_id"] == org_id for r in top):
        top += list(
            rows.filter(organization_id=org_id).values(
                "organization_id", "organization__name", "value"
            )
        )
    return {
        "period": period,
        "rows": [
            {
                "label": r["organization__name"],
                "value": r["value"],
                "mine": r["organization_id"] == org_id,
            }
            for r in top
        ],
        "more": more,
    }


def goals_of(initiative):
    return (
        Goal.objects.filter(initiative=initiative)
        .select_related("metric")
        .order_by("deadline", "id")
    )


def _progress(goal, current) -> tuple[float | None, bool | None]:
    if current is None:
        return None, None
    higher = goal.metric.direction == Metric.Direction.HIGHER
    distance = goal.target - goal.baseline
    if distance == 0:
        reached = current >= goal.target if higher else current <= goal.target
        progress = 1.0 if reached else 0.0
    else:
        progress = float((current - goal.baseline) / distance)
        progress = max(0.0, min(1.0, progress))
    return progress, None


def _goal_sums(initiative, metric_ids) -> dict[int, list[dict]]:
    """Per metric, the per-period sums behind its goal, oldest first: the measurements tagged
    with the initiative (visibility initiative or network) or, for a metric with none, the
    network-visible measurements of the active participants. One or two queries."""
    rows = (
        Measurement.objects.filter(
            initiative=initiative,
            metric_id__in=metric_ids,
            visibility__in=(V.INITIATIVE, V.NETWORK),
        )
        .values("metric_id", "period_start")
        .annotate(total=Sum("value"), n=Count("id"))
        .order_by("metric_id", "period_start")
    )
    result: dict[int, list[dict]] = {}
    for row in rows:
        result.setdefault(row["metric_id"], []).append(row)
    missing = set(metric_ids) - set(result)
    if missing:
        participants = Participation.objects.filter(
            initiative=initiative, status=Participation.Status.ACTIVE
        ).values("organization_id")
        for row in (
            Measurement.objects.filter(
                initiative__isnull=True,
                metric_id__in=missing,
                visibility=V.NETWORK,
                organization_id__in=participants,
            )
            .values("metric_id", "period_start")
            .annotate(total=Sum("value"), n=Count("id"))
            .order_by("metric_id", "period_start")
        ):
            result.setdefault(row["metric_id"], []).append(row)
    return result


def goal_series(*, initiative) -> dict[int, list[tuple[date, Decimal]]]:
    """{goal id: [(period, figure), ...]}: the series behind each goal's progress (the same
    measurements as goal_progress), for charts with the target line."""
    goals = list(goals_of(initiative))
    sums = _goal_sums(initiative, [g.metric_id for g in goals]) if goals else {}
    return {
        g.pk: [
            (r["period_start"], combine(g.metric.aggregation, r["total"], r["n"]))
            for r in sums.get(g.metric_id, [])
        ]
        for g in goals
    }


def goal_progress(*, initiative, today: date | None = None) -> list[dict]:
    """One dict per goal of the initiative, by deadline:
    {"goal_id", "metric", "unit", "direction", "baseline", "target", "deadline", "current",
    "progress", "on_track"}.

    current: the metric's figure for the latest period with data, from the measurements tagged
    with the initiative (visibility initiative or network); when there are none, from the
    network-visible measurements of the initiative's active participants. progress: the share
    of the way from baseline to target (0..1, clamped; None without data). on_track: whether
    progress keeps pace with the time elapsed between the goal's creation and its deadline
    (after the deadline: whether the target was reached). Two queries whatever the data size.
    """
    today = today or timezone.localdate()
    goals = list(goals_of(initiative))
    if not goals:
        return []
    sums = _goal_sums(initiative, [g.metric_id for g in goals])
    latest = {m: rows[-1] for m, rows in sums.items()}
    result = []
    for goal in goals:
        row = latest.get(goal.metric_id)
        current = combine(goal.metric.aggregation, row["total"], row["n"]) if row else None
        progress, _ = _progress(goal, current)
        on_track = None
        if progress is not None:
            start = timezone.localdate(goal.created_at)
            if today >= goal.deadline:
                on_track = progress >= 1.0
            else:
                span = max(1, (goal.deadline - start).days)
                expected = max(0.0, min(1.0, (today - start).days / span))
                on_track = progress + 1e-9 >= expected
        result.append(
            {
                "goal_id": goal.pk,
                "metric": goal.metric.name,
                "metric_id": goal.metric_id,
                "unit": goal.metric.unit,
                "direction": goal.metric.direction,
                "baseline": goal.baseline,
                "target": goal.target,
                "deadline": goal.deadline,
                "current": current,
                "period": row["period_start"] if row else None,
                "progress": progress,
                "on_track": on_track,
                "note": goal.note,
            }
        )
    return result
