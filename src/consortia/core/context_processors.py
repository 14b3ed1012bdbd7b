"""Template context shared by every page."""

from django.conf import settings


def navigation(request):
    person = getattr(request, "user", None)
    organization = person.organization if person is not None and person.is_authenticated else None
    return {"current_organization": organization, "SITE_URL": settings.SITE_URL}
