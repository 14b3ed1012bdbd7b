"""Commitment reminders for the worker: due within 48 hours, and overdue; once each.

Each reminder is claimed with a conditional UPDATE (healthchecks' pattern), so two workers
running at once never send the same reminder twice.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from consortia.core.notifications import notify

from .models import Commitment

DUE_SOON = timedelta(hours=48)


def _recipients(commitment):
    people = [commitment.owner_person, commitment.request.from_person]
    return [p for p in people if p is not None]


def send_commitment_reminders(now=None) -> int:
    """Remind owners (and requesters) of open commitments due soon or overdue. Returns how
    many reminders were sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    soon = timezone.localdate(now + DUE_SOON)
    sent = 0
    open_ = Commitment.objects.filter(status=Commitment.Status.OPEN).select_related(
        "owner_person", "request__from_person"
    )
    for commitment in open_.filter(
        due_soon_reminded_at__isnull=True, due_on__gte=today, due_on__lte=soon
    ):
        if Commitment.objects.filter(pk=commitment.pk, due_soon_reminded_at__isnull=True).update(
            due_soon_reminded_at=now
        ):
            notify(
                recipients=_recipients(commitment),
                kind="commitment.due_soon",
                title=f"“{commitment.title}” is due on {commitment.due_on:%d %b %Y}",
                url=reverse("my_commitments"),
            )
            sent += 1
    for commitment in open_.filter(overdue_reminded_at__isnull=True, due_on__lt=today):
        if Commitment.objects.filter(pk=commitment.pk, overdue_reminded_at__isnull=True).update(
            overdue_reminded_at=now
        ):
            notify(
                recipients=_recipients(commitment),
                kind="commitment.overdue",
                title=f"“{commitment.title}” is overdue (was due {commitment.due_on:%d %b %Y})",
                url=reverse("my_commitments"),
            )
            sent += 1
    return sent
