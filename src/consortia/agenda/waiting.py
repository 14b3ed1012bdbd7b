"""Prospects' next steps in the dashboard's "Waiting for you" (core.waiting): what the person
owns and should do within a week, or is late with. Only ever the person's own organization's
prospects, so a prospect never learns it is one. Registered from AgendaConfig.ready()."""

from django.urls import reverse
from django.utils import timezone

from consortia.core import waiting
from consortia.core.waiting import Action, Item

from . import selectors


def next_steps(person, now):
    if not getattr(person, "is_authenticated", False) or person.membership is None:
        return [], 0
    today = timezone.localdate(now)
    rows, count = waiting.capped(selectors.next_steps_due_for(person, today=today))
    items = []
    for prospect in rows:
        url = reverse("agenda_prospect", args=[prospect.pk])
        items.append(
            Item(
                key=f"prospect-{prospect.pk}",
                title=prospect.next_step or f"Next step with {prospect.name}",
                url=url,
                detail=f"Prospect: {prospect.name} ({prospect.get_stage_display()})",
                due=prospect.next_step_on,
                overdue=prospect.next_step_on < today,
                actions=[Action("Open the prospect", url, method="get")],
            )
        )
    return items, count


def register() -> None:
    waiting.register("prospect_steps", "Prospects' next steps", next_steps, order=85)
