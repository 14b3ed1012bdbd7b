"""Reads about a person's own account."""

from consortia.accounts.models import SecurityEvent
from consortia.core.models import ApiToken


def security_events_for(*, person):
    """The person's own security log, newest first (one indexed query per page)."""
    return SecurityEvent.objects.filter(person=person).order_by("-created_at", "-id")


def tokens_of(*, person):
    return ApiToken.objects.filter(person=person).order_by("-created_at", "-pk")
