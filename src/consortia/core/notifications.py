"""The one way to tell people something: an inbox entry, and an email as they prefer.

Callers pass only the people who may see the subject; notify() never widens an audience.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consortia.core.mail import queue_email
from consortia.core.models import Notification, NotificationPreference
from consortia.core.selectors import notifications_for


def email_mode(person) -> str:
    preference = NotificationPreference.objects.filter(person=person).first()
    return preference.email if preference else NotificationPreference.Email.IMMEDIATE


@transaction.atomic
def notify(
    *, recipients: Iterable, kind: str, title: str, body: str = "", url: str = "", event=None
) -> list[Notification]:
    """Create one inbox entry per distinct recipient; email those who want each one now."""
    people = {person.pk: person for person in recipients if person is not None and person.is_active}
    if not people:
        return []
    now = timezone.now()
    modes = dict(
        NotificationPreference.objects.filter(person_id__in=people).values_list(
            "person_id", "email"
        )
    )
    immediate = {
        pk
        for pk in people
        if modes.get(pk, NotificationPreference.Email.IMMEDIATE)
        == NotificationPreference.Email.IMMEDIATE
    }
    notifications = Notification.objects.bulk_create(
        Notification(
            person_id=pk,
            kind=kind,
            title=title[:300],
            body=body,
            url=url,
            event=event,
            created_at=now,
            emailed_at=now if pk in immediate else None,
        )
        for pk in people
    )
    for pk in immediate:
        queue_email(
            to=people[pk].email,
            subject=title,
            template="core/email/notification.txt",
            context={"person": people[pk], "title": title, "body": body, "url": url},
        )
    return notifications


def send_daily_digests(*, now=None) -> int:
    """Email each daily-digest person what arrived since their last digest (the worker calls
    this; safe to call often: a person gets at most one digest a day)."""
    now = now or timezone.now()
    sent = 0
    day_ago = now - timedelta(days=1)
    for preference in NotificationPreference.objects.filter(
        email=NotificationPreference.Email.DAILY
    ).select_related("person"):
        if preference.last_digest_at and preference.last_digest_at > day_ago:
            continue
        pending = list(
            notifications_for(person=preference.person, now=now)
            .filter(emailed_at__isnull=True)
            .order_by("created_at")[:200]
        )
        claimed = NotificationPreference.objects.filter(
            pk=preference.pk, last_digest_at=preference.last_digest_at
        ).update(last_digest_at=now)
        if not claimed or not pending:
            continue
        queue_email(
            to=preference.person.email,
            subject=f"Your Consortia digest: {len(pending)} update(s)",
            template="core/email/digest.txt",
            context={
                "person": preference.person,
                "notifications": pending,
                "site_url": settings.SITE_URL,
            },
        )
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
        sent += 1
    return sent
