"""Writes about a person's own notifications and preferences."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from consortia.core.models import Notification, NotificationPreference


@transaction.atomic
def notification_preference_set(*, actor, email: str) -> NotificationPreference:
    if email not in NotificationPreference.Email.values:
        raise ValidationError({"email": "Choose each one, a daily digest, or no email."})
    preference, _ = NotificationPreference.objects.update_or_create(
        person=actor, defaults={"email": email}
    )
    return preference


def notifications_mark_read(*, actor, ids: list[int] | None = None) -> int:
    """Mark the person's unread notifications read (all, or the given ones); returns how many."""
    unread = Notification.objects.filter(person=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
