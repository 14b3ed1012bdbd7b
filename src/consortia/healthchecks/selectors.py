"""Reads about health checks; each selector owns its joins, and sealing is a SQL filter.

`visible_ratings` is the only way to read scores and comments: the ratings of health checks the
person's organization takes part in, and of those only its own side's until the health check is
unsealed (every side answered, or the deadline passed — compared with the clock in SQL).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.utils import timezone

from consortia.initiatives.models import Participation
from consortia.networks import permissions as network_permissions
from consortia.networks.models import OrgMembership

from . import permissions
from .models import DIMENSIONS, ActionItem, Answer, HealthCheck, Rater, Rating, Side

SNAPSHOT_LIMIT = 10


def checks_of(person, *, network=None, initiative=None, now=None):
    """The health checks the person's organization takes part in, newest first, with counts."""
    now = now or timezone.now()
    org_id = network_permissions.org_id_of(person)
    checks = permissions.checks_visible_to(person, network)
    if initiative is not None:
        checks = checks.filter(initiative=initiative)
    return (
        checks.select_related("initiative", "opened_by_organization")
        .annotate(
            side_count=Count("sides", distinct=True),
            answered_count=Count(
                "sides", filter=Q(sides__answered_at__isnull=False), distinct=True
            ),
            mine_answered=Exists(
                Side.objects.filter(
                    health_check=OuterRef("pk"), organization_id=org_id, answered_at__isnull=False
                )
            ),
            unsealed=Exists(
                HealthCheck.objects.filter(HealthCheck.unsealed_q(now), pk=OuterRef("pk"))
            ),
        )
        .order_by("-created_at", "-id")
    )


def waiting_for(person, *, now=None):
    """Health checks still sealed where the person's organization has not answered and the
    person may answer and has not (a team leader of it, or a colleague invited to rate)."""
    now = now or timezone.now()
    membership = person.membership if getattr(person, "is_authenticated", False) else None
    if membership is None:
        return HealthCheck.objects.none()
    may = Q(organization_id=membership.organization_id, answered_at__isnull=True)
    if membership.role != OrgMembership.Role.TEAM_LEADER:
        may &= Exists(Rater.objects.filter(side=OuterRef("pk"), person=person))
    open_sides = Side.objects.filter(may, health_check=OuterRef("pk")).exclude(
        Exists(Answer.objects.filter(side=OuterRef("pk"), person=person))
    )
    return (
        permissions.checks_visible_to(person)
        .exclude(HealthCheck.unsealed_q(now))
        .filter(Exists(open_sides))
        .select_related("network", "initiative")
        .order_by("deadline", "id")
    )


def sealed_deadlines(person, *, now=None, limit: int = 200):
    """For the person's calendar feed: the health checks their organization takes part in that
    are still sealed (so their deadline is still ahead), soonest first — one query."""
    now = now or timezone.now()
    return (
        permissions.checks_visible_to(person)
        .exclude(HealthCheck.unsealed_q(now))
        .select_related("network", "initiative")
        .order_by("deadline", "id")[:limit]
    )


def visible_ratings(person, check, *, now=None):
    """The ratings of `check` the person may read: their own side's, and every side's once the
    health check is unsealed. Nothing for a person whose organization does not take part."""
    now = now or timezone.now()
    org_id = network_permissions.org_id_of(person)
    return Rating.objects.filter(
        answer__side__health_check=check,
        answer__side__health_check__in=permissions.checks_visible_to(person),
    ).filter(
        HealthCheck.unsealed_q(now, prefix="answer__side__health_check__")
        | Q(answer__side__organization_id=org_id)
    )


def sides_of(check):
    return list(
        Side.objects.filter(health_check=check)
        .select_related("organization")
        .annotate(answer_count=Count("answers", distinct=True))
        .order_by("organization__name", "id")
    )


def results(person, check, *, now=None) -> dict:
    """Each side's mean score per dimension (from what the person may read), the perception gap
    (highest side minus lowest), and the comments, ready for the chart."""
    now = now or timezone.now()
    sides = sides_of(check)
    means = defaultdict(dict)
    for row in (
        visible_ratings(person, check, now=now)
        .values("answer__side_id", "dimension")
        .annotate(mean=Avg("score"), n=Count("id"))
    ):
        means[row["answer__side_id"]][row["dimension"]] = round(float(row["mean"]), 1)
    comments = defaultdict(list)
    for rating in (
        visible_ratings(person, check, now=now)
        .exclude(comment="")
        .select_related("answer__side__organization", "answer__person")
        .order_by("answer__side__organization__name", "answer__submitted_at", "id")
    ):
        comments[rating.dimension].append(
            {
                "organization": rating.answer.side.organization.name,
                "person": str(rating.answer.person) if rating.answer.person else "",
                "score": rating.score,
                "comment": rating.comment,
            }
        )
    rows = []
    for key, label, question in DIMENSIONS:
        bars = []
        for index, side in enumerate(sides):
            score = means.get(side.pk, {}).get(key)
            bars.append(
                {
                    "organization": side.organization.name,
                    "organization_id": side.organization_id,
                    "score": score,
                    "width": round(score / 5 * 100, 1) if score is not None else 0,
                    "tone": index % 4,
                }
            )
        scores = [b["score"] for b in bars if b["score"] is not None]
        gap = round(max(scores) - min(scores), 1) if len(scores) >= 2 else None
        rows.append(
            {
                "key": key,
                "label": label,
                "question": question,
                "bars": bars,
                "gap": gap,
                "gap_width": round(gap / 4 * 100, 1) if gap is not None else 0,
                "comments": comments.get(key, []),
            }
        )
    return {"sides": sides, "dimensions": rows, "unsealed": check.is_unsealed_at(now)}


def chart_svg_rows(result: dict) -> list[dict]:
    """Geometry of the server-drawn bar chart (attributes only: no inline style, CSP-safe)."""
    rows, y = [], 0
    n = max(1, len(result["sides"]))
    for dim in result["dimensions"]:
        bars = []
        for i, bar in enumerate(dim["bars"]):
            bars.append({**bar, "y": y + 18 + i * 14, "w": round(bar["width"] * 2.4, 1)})
        rows.append({**dim, "y": y + 12, "bars_svg": bars})
        y += 24 + n * 14
    return rows


def chart_height(result: dict) -> int:
    return len(result["dimensions"]) * (24 + max(1, len(result["sides"])) * 14) + 4


def action_items_of(check):
    return ActionItem.objects.filter(health_check=check).select_related(
        "request", "organization", "to_organization", "created_by"
    )


def raters_of(side):
    return Rater.objects.filter(side=side).select_related("person")


def answered_people(side) -> set[int]:
    return set(Answer.objects.filter(side=side).values_list("person_id", flat=True))


def snapshot_of_initiative(initiative, *, now=None) -> list[dict]:
    """For a joint review's snapshot: the initiative's unsealed health checks whose sides
    include every active participant (the snapshot is read by all of them)."""
    now = now or timezone.now()
    participants = set(
        Participation.objects.filter(
            initiative=initiative, status=Participation.Status.ACTIVE
        ).values_list("organization_id", flat=True)
    )
    out = []
    checks = HealthCheck.objects.filter(initiative=initiative).filter(HealthCheck.unsealed_q(now))
    for check in checks.order_by("-created_at", "-id")[:SNAPSHOT_LIMIT]:
        sides = sides_of(check)
        if not participants <= {s.organization_id for s in sides}:
            continue
        means = defaultdict(dict)
        for row in (
            Rating.objects.filter(answer__side__health_check=check)
            .values("answer__side_id", "dimension")
            .annotate(mean=Avg("score"))
        ):
            means[row["answer__side_id"]][row["dimension"]] = round(float(row["mean"]), 1)
        dimensions = []
        for key, label, _question in DIMENSIONS:
            scores = {s.organization.name: means.get(s.pk, {}).get(key) for s in sides}
            known = [v for v in scores.values() if v is not None]
            dimensions.append(
                {
                    "label": label,
                    "scores": [{"organization": k, "score": v} for k, v in scores.items()],
                    "gap": round(max(known) - min(known), 1) if len(known) >= 2 else None,
                }
            )
        out.append(
            {
                "id": check.pk,
                "title": check.title,
                "deadline": check.deadline,
                "unsealed_at": check.unsealed_at or check.deadline,
                "sides": [s.organization.name for s in sides],
                "dimensions": dimensions,
            }
        )
    return out
