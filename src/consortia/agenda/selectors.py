"""Reads of the partnering agenda: always of the viewer's own organization, filtered in SQL.

The weighted total of a prospect is out of 100 over *all* the organization's criteria: an
unscored criterion counts as 0, so a half-scored prospect is never ranked as a full one, and
the list shows "scored N of M criteria" beside it.
"""

from __future__ import annotations

import difflib
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from consortia.networks.permissions import org_id_of

from .models import (
    CLOSED_STAGES,
    SECTION_FIELDS,
    SECTION_LABELS,
    AgendaVersion,
    Criterion,
    DiligenceCheck,
    Prospect,
    Score,
    Stage,
    StageChange,
)

DUE_WITHIN_DAYS = 7


def criteria_of(organization) -> list[Criterion]:
    return list(Criterion.objects.filter(organization=organization))


def total_weight(criteria) -> Decimal:
    return sum((c.weight for c in criteria), Decimal(0))


def weighted_total(weighted_sum, weight_sum) -> float:
    """Σ wᵢ·sᵢ / (4·Σ wᵢ) * 100, rounded to one decimal; 0 without criteria."""
    if not weight_sum:
        return 0.0
    return round(float(Decimal(weighted_sum or 0) * 100 / (Decimal(4) * Decimal(weight_sum))), 1)


def prospects_of(organization, *, stage: str | None = None):
    """The prospects with how many criteria are scored and how many required due-diligence
    items are open, in one query."""
    rows = Prospect.objects.filter(organization=organization).select_related("owner", "partner")
    if stage:
        rows = rows.filter(stage=stage)
    return rows.annotate(
        scored=Count("scores", distinct=True),
        open_required=Count(
            "checks",
            filter=Q(checks__required=True, checks__status=DiligenceCheck.Status.OPEN),
            distinct=True,
        ),
    ).order_by("name", "id")


def prioritized(organization, criteria=None, *, stage: str | None = None) -> list[Prospect]:
    """The prioritized list: every prospect with `total` (out of 100), `scored` and
    `criteria_count`; closed ones (declined, parked) after the open ones."""
    criteria = criteria_of(organization) if criteria is None else criteria
    weight = total_weight(criteria)
    # The counts join scores and checks; a sum over that join would be multiplied by the
    # checks, so the weighted sums come from their own grouped query.
    rows = list(prospects_of(organization, stage=stage))
    sums = dict(
        Score.objects.filter(prospect__organization=organization)
        .values("prospect_id")
        .annotate(
            s=Sum(
                ExpressionWrapper(
                    F("value") * F("criterion__weight"),
                    output_field=DecimalField(max_digits=12, decimal_places=2),
                )
            )
        )
        .values_list("prospect_id", "s")
    )
    for p in rows:
        p.total = weighted_total(sums.get(p.pk), weight)
        p.criteria_count = len(criteria)
    rows.sort(key=lambda p: (p.stage in CLOSED_STAGES, -p.total, -p.scored, p.name.lower()))
    return rows


def capacity_warning(agenda, organization) -> str | None:
    """A sentence when more prospects are partnering than the agenda says it can handle."""
    if agenda is None or agenda.partner_capacity is None:
        return None
    partnering = Prospect.objects.filter(organization=organization, stage=Stage.PARTNERING).count()
    if partnering > agenda.partner_capacity:
        return (
            f"{partnering} prospects are in the partnering stage, more than the "
            f"{agenda.partner_capacity} partners the agenda says you can work with."
        )
    return None


def scorecard(prospect, criteria=None) -> dict:
    """Each criterion with the prospect's score and evidence (None when unscored), the
    weighted total out of 100 and how many criteria are scored."""
    criteria = criteria_of(prospect.organization) if criteria is None else criteria
    scores = {
        s.criterion_id: s
        for s in Score.objects.filter(prospect=prospect).select_related(
            "document__network", "scored_by"
        )
    }
    rows = [{"criterion": c, "score": scores.get(c.pk)} for c in criteria]
    weighted = sum((c.weight * scores[c.pk].value for c in criteria if c.pk in scores), Decimal(0))
    return {
        "rows": rows,
        "total": weighted_total(weighted, total_weight(criteria)),
        "scored": sum(1 for c in criteria if c.pk in scores),
        "count": len(criteria),
    }


def checks_of(prospect) -> list[DiligenceCheck]:
    return list(DiligenceCheck.objects.filter(prospect=prospect).select_related("checked_by"))


def stage_changes_of(prospect) -> list[StageChange]:
    return list(StageChange.objects.filter(prospect=prospect).select_related("changed_by"))


def versions_of(agenda, *, limit: int = 50) -> list[AgendaVersion]:
    """The agenda's versions, newest first, each with `changes`: for every changed section
    its label and the lines removed and added compared with the version before."""
    if agenda is None or agenda.pk is None:
        return []
    versions = list(
        AgendaVersion.objects.filter(agenda=agenda).select_related("saved_by")[: limit + 1]
    )
    for newer, older in zip(versions, [*versions[1:], None], strict=False):
        newer.changes = []
        for name in newer.changed:
            label = SECTION_LABELS.get(name, "Partner capacity")
            before = "" if older is None else older.content.get(name)
            after = newer.content.get(name)
            if name in SECTION_FIELDS:
                diff = [
                    line
                    for line in difflib.ndiff(
                        (before or "").splitlines(), (after or "").splitlines()
                    )
                    if line[:2] in ("- ", "+ ")
                ]
                newer.changes.append({"label": label, "lines": diff[:40]})
            else:
                newer.changes.append(
                    {
                        "label": label,
                        "lines": [
                            f"- {before if before is not None else '—'}",
                            f"+ {after if after is not None else '—'}",
                        ],
                    }
                )
    return versions[:limit]


def partner_insights(person, prospect) -> list[dict]:
    """For a prospect that is already a partner: its trust index and engagement in each
    network both organizations are active members of (the insights app's own figures)."""
    if prospect.partner_id is None:
        return []
    from django.http import Http404

    from consortia.insights import permissions as insight_permissions
    from consortia.insights import selectors as insights

    try:
        organization, networks = insight_permissions.shared_networks(person, prospect.partner.slug)
    except Http404:
        return []
    rows = []
    for network in networks:
        row = next((o for o in insights.health_orgs(network) if o["id"] == organization.pk), None)
        if row is not None:
            rows.append({"network": network, **row})
    return rows


def next_steps_due_for(person, *, today=None):
    """Prospects the person owns whose next step is due within 7 days or overdue (open
    prospects only), soonest first: for the dashboard's "waiting for you"."""
    org_id = org_id_of(person)
    if org_id is None:
        return Prospect.objects.none()
    today = today or timezone.localdate()
    return (
        Prospect.objects.filter(
            organization_id=org_id,
            owner=person,
            next_step_on__isnull=False,
            next_step_on__lte=today + timedelta(days=DUE_WITHIN_DAYS),
        )
        .exclude(stage__in=CLOSED_STAGES)
        .order_by("next_step_on", "name", "id")
    )


def people_of(organization):
    from consortia.networks.models import Person

    return Person.objects.filter(org_membership__organization=organization).order_by("name")
