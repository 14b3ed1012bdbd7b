"""Template context shared by every page."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject


def navigation(request):
    person = getattr(request, "user", None)
    signed_in = person is not None and person.is_authenticated
    organization = person.organization if signed_in else None
    return {
        "current_organization": organization,
        "SITE_URL": settings.SITE_URL,
        "unread_notifications": _unread(person) if signed_in else None,
    }


def _unread(person):
    """The header's unread count. The person was loaded with an upper bound (core.apps: a
    person annotation; None if loaded otherwise): 0 is exact and costs nothing; above 0, the
    exact count (the inbox's rows, some may have gone out of reach) is one query, run only if
    the page shows the header."""
    bound = getattr(person, "core_unread_notifications", None)
    if not bound:
        return bound
    from consortia.core.selectors import unread_count_for

    return SimpleLazyObject(lambda: unread_count_for(person))
