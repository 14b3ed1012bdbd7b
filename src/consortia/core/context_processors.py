"""Template context shared by every page."""

from django.conf import settings


def navigation(request):
    person = getattr(request, "user", None)
    signed_in = person is not None and person.is_authenticated
    organization = person.organization if signed_in else None
    return {
        "current_organization": organization,
        "SITE_URL": settings.SITE_URL,
        # Loaded with the person (core.apps: a person annotation); None if loaded otherwise.
        "unread_notifications": getattr(person, "core_unread_notifications", None)
        if signed_in
        else None,
    }
