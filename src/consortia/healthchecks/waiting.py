"""Health checks the person should answer, in the dashboard's "Waiting for you" (core.waiting).
Registered from HealthchecksConfig.ready()."""

from django.urls import reverse

from consortia.core import waiting
from consortia.core.waiting import Action, Item

from . import selectors


def to_answer(person, now):
    """Sealed health checks where the person's organization has not answered and the person
    may answer (a team leader, or a colleague invited to rate) and has not yet."""
    if not getattr(person, "is_authenticated", False) or person.membership is None:
        return [], 0
    rows, count = waiting.capped(selectors.waiting_for(person, now=now))
    items = []
    for check in rows:
        url = reverse("healthcheck_detail", args=[check.network.slug, check.pk])
        items.append(
            Item(
                key=f"healthcheck-{check.pk}",
                title=check.title,
                url=url,
                detail=f"Initiative: {check.initiative}" if check.initiative_id else "",
                network=check.network.name,
                due=check.deadline,
                due_label="answer by",
                actions=[Action("Answer", url, method="get")],
            )
        )
    return items, count


def register() -> None:
    waiting.register("health_checks", "Health checks to answer", to_answer, order=75)
