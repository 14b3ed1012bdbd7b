"""What a review freezes when it is held: one JSON document built from the other apps' selectors.

Goals against targets (metrics.goal_progress), the goals' metric series (metrics.metric_series,
as the person holding the review may see them), commitments delivered / late / missed /
overdue in the period, the balance of investment and return in the period (ledger.balance),
and each participant's engagement and trust (insights). Values are made JSON-safe (Decimals and
dates as strings) so the stored snapshot renders identically forever.
"""

from __future__ import annotations

import json
from datetime import date

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone

from consortia.core import hooks
from consortia.initiatives.models import Commitment, Participation

CStatus = Commitment.Status
SERIES_POINTS = 24  # per metric: the most recent periods
COMMITMENTS_SHOWN = 50  # per outcome


def _jsonable(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _goals(initiative, person):
    try:
        from consortia.metrics.models import Metric
        from consortia.metrics.selectors import goal_progress, metric_series
    except ImportError:
        return [], []
    goals = goal_progress(initiative=initiative)
    metrics = {m.pk: m for m in Metric.objects.filter(pk__in=[g["metric_id"] for g in goals])}
    series = []
    for goal in goals:
        metric = metrics.get(goal.get("metric_id"))
        if metric is None:
            continue
        points = metric_series(person=person, metric=metric, initiative=initiative)
        series.append(
            {
                "metric": metric.name,
                "unit": metric.unit,
                "target": goal["target"],
                "points": points[-SERIES_POINTS:],
            }
        )
    return goals, series


def _balance(initiative, since, until):
    try:
        from consortia.ledger.selectors import balance
    except ImportError:
        return None
    result = balance(initiative=initiative, since=since, until=until)
    return {
        "currency": result.get("currency"),
        "threshold": result.get("threshold"),
        "flagged_any": result.get("flagged_any"),
        "period": result.get("period", ""),
        "rows": [
            {
                k: r.get(k)
                for k in (
                    "organization",
                    "invested",
                    "returned",
                    "invested_share",
                    "returned_share",
                    "ratio",
                    "flagged",
                    "sentence",
                )
            }
            for r in result.get("rows", [])
        ],
    }


def _commitments(initiative, since: date, until: date):
    """Commitments that settled (or fell due) in the period, by outcome."""
    in_period = (
        Q(status=CStatus.DELIVERED, delivered_at__date__gte=since, delivered_at__date__lte=until)
        | Q(status=CStatus.MISSED, closed_at__date__gte=since, closed_at__date__lte=until)
        | Q(status=CStatus.OPEN, due_on__lte=until)
    )
    rows = (
        Commitment.objects.filter(initiative=initiative)
        .filter(in_period)
        .select_related("owner_organization")
        .order_by("due_on", "id")
    )
    out = {"on_time": [], "late": [], "missed": [], "overdue": [], "open": 0}
    for c in rows[:1000]:
        item = {
            "title": c.title,
            "organization": c.owner_organization.name,
            "due_on": c.due_on.isoformat(),
        }
        if c.status == CStatus.DELIVERED:
            key = "on_time" if c.timeliness == "on time" else "late"
            item["delivered_on"] = timezone.localdate(c.delivered_at).isoformat()
        elif c.status == CStatus.MISSED:
            key = "missed"
        elif c.due_on < until:
            key = "overdue"
        else:
            out["open"] += 1
            continue
        if len(out[key]) < COMMITMENTS_SHOWN:
            out[key].append(item)
    return out


def _engagement(initiative, participants):
    from consortia.insights import selectors as insights

    data = {str(o["id"]): o for o in insights.health_orgs(initiative.network)}
    rows = []
    for p in participants:
        o = data.get(str(p.organization_id))
        if o is None:
            continue
        rows.append(
            {
                "organization": o["name"],
                "people": o["people"],
                "departments": o["departments"],
                "depth": o["depth"],
                "trust": o["trust"],
                "answered": o["answered"],
                "received": o["received"],
            }
        )
    return rows


def build(review, *, person, now=None) -> dict:
    """The snapshot of `review` as of `now`, seen by `person` (who holds it)."""
    now = now or timezone.now()
    initiative = review.initiative
    until = timezone.localdate(now)
    since = review.period_start or initiative.starts_on
    participants = list(
        Participation.objects.filter(initiative=initiative, status=Participation.Status.ACTIVE)
        .select_related("organization")
        .order_by("organization__name")
    )
    goals, series = _goals(initiative, person)
    # What other apps add (core.hooks.REVIEW_SNAPSHOT): e.g. the initiative's health checks.
    sections: dict = {}
    hooks.call(
        hooks.REVIEW_SNAPSHOT, initiative=initiative, person=person, until=now, sections=sections
    )
    return _jsonable(
        {
            **sections,
            "taken_at": now,
            "period": {"start": since, "end": until},
            "initiative": {
                "id": initiative.pk,
                "title": initiative.title,
                "objective": initiative.objective,
                "network": initiative.network.name,
            },
            "participants": [p.organization.name for p in participants],
            "goals": goals,
            "series": series,
            "commitments": _commitments(initiative, since, until),
            "balance": _balance(initiative, since, until),
            "engagement": _engagement(initiative, participants),
        }
    )
