"""Reads about reviews; each selector owns its joins."""

import contextlib

from django.db.models import Count, Q

from consortia.initiatives.models import Participation

from .models import Review, ReviewEntry, ReviewSignoff

KIND_ORDER = [k for k, _ in ReviewEntry.Kind.choices]


def reviews_of(initiative):
    return (
        Review.objects.filter(initiative=initiative)
        .select_related("held_by")
        .annotate(
            entry_count=Count("entries", distinct=True),
            signoff_count=Count("signoffs", distinct=True),
        )
        .order_by("-scheduled_for", "-id")
    )


def entries_of(review):
    return ReviewEntry.objects.filter(review=review).select_related(
        "author", "organization", "kudos_person", "kudos_organization", "request"
    )


def grouped_entries(review) -> list[dict]:
    entries = list(entries_of(review))
    return [
        {
            "kind": kind,
            "label": label,
            "entries": [e for e in entries if e.kind == kind],
        }
        for kind, label in ReviewEntry.Kind.choices
    ]


def last_change_at(review: Review):
    """When the review's content last changed: its newest entry (action items included)."""
    return (
        ReviewEntry.objects.filter(review=review)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def signoff_is_current(signoff: ReviewSignoff, last_change) -> bool:
    """A sign-off covers what the review said when it was given: entries added later make it
    "signed before the last changes", to be renewed."""
    return last_change is None or signoff.signed_at >= last_change


def signoffs_of(review):
    """Each active participant with its sign-off (or None), by name, and whether the sign-off
    is current (False: given before later entries were added)."""
    signed = {
        s.organization_id: s
        for s in ReviewSignoff.objects.filter(review=review).select_related("person")
    }
    last_change = last_change_at(review) if signed else None
    participants = (
        Participation.objects.filter(
            Q(status=Participation.Status.ACTIVE) | Q(organization_id__in=list(signed)),
            initiative_id=review.initiative_id,
        )
        .select_related("organization")
        .order_by("organization__name")
    )
    return [
        {
            "organization": p.organization,
            "signoff": signed.get(p.organization_id),
            "current": p.organization_id in signed
            and signoff_is_current(signed[p.organization_id], last_change),
        }
        for p in participants
    ]


def metric_charts(snapshot: dict) -> list[dict]:
    """The frozen series drawn by the metrics app's line chart (a line per organization, the
    goal's target dashed); [] when that app offers no chart, and series_charts() draws them."""
    try:
        from consortia.metrics.charts import series_chart
    except ImportError:
        return []
    from decimal import Decimal, InvalidOperation

    from django.utils.dateparse import parse_date

    charts = []
    for s in (snapshot or {}).get("series", []):
        rows = []
        for p in s.get("points") or []:
            try:
                rows.append(
                    {
                        "period": parse_date(str(p["period"])),
                        "value": Decimal(str(p["value"])),
                        "organization": p.get("organization") or "",
                    }
                )
            except (KeyError, TypeError, ValueError, InvalidOperation):
                continue
        rows = [r for r in rows if r["period"] is not None]
        target = s.get("target")
        try:
            target = Decimal(str(target)) if target is not None else None
        except InvalidOperation:
            target = None
        charts.append(
            series_chart(rows, unit=s.get("unit") or "", target=target, title=s.get("metric"))
        )
    return charts


def series_charts(snapshot: dict) -> list[dict]:
    """SVG polylines (0-100 by 0-40 box) of the frozen metric series, one per goal metric."""
    charts = []
    for s in (snapshot or {}).get("series", []):
        points = s.get("points") or []
        values = []
        for p in points:
            try:
                values.append(float(p["value"]))
            except (TypeError, ValueError, KeyError):
                continue
        target = None
        with contextlib.suppress(TypeError, ValueError):
            target = float(s.get("target"))
        scale = [*values, *([target] if target is not None else [])]
        low, high = (min(scale), max(scale)) if scale else (0.0, 1.0)
        span = (high - low) or 1.0

        def y(v, low=low, span=span):
            return round(36 - 32 * (v - low) / span, 2)

        n = len(values)
        coords = [
            (round(4 + 92 * (i / (n - 1) if n > 1 else 0.5), 2), y(v)) for i, v in enumerate(values)
        ]
        charts.append(
            {
                "metric": s.get("metric"),
                "unit": s.get("unit"),
                "points": " ".join(f"{x},{yy}" for x, yy in coords),
                "dots": coords,
                "target_y": y(target) if target is not None else None,
                "target": s.get("target"),
                "rows": points,
            }
        )
    return charts
