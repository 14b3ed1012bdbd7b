"""Times are shown and entered in the person's time zone.

A person may choose a zone (Person.time_zone, their settings; sign-up fills it from the
browser). Until they do, the browser's zone (a cookie set by static/js/timezone.js) is used,
and without either the site's TIME_ZONE. The middleware activates the zone for the request, so
templates' date filters and form fields convert to and from it; every form that asks for a
time names the zone (`current_zone_name`).
"""

from functools import lru_cache
from urllib.parse import unquote
from zoneinfo import ZoneInfo, available_timezones

from django.utils import timezone

COOKIE = "tz"


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """The IANA zones people can choose, sorted (no legacy aliases such as 'US/Pacific')."""
    return tuple(
        sorted(
            name
            for name in available_timezones()
            if ("/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))) or name == "UTC"
        )
    )


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in zone_names()]


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    # available_timezones() walks the zone files on disk (about 14 ms): once per process, not
    # on every request (the middleware checks the person's zone and the browser's cookie).
    return frozenset(available_timezones())


def is_valid_zone(name: str) -> bool:
    return bool(name) and len(name) <= 64 and name in _known_zones()


def zone_for(request) -> str:
    """The zone to use for this request: the person's, else the browser's, else ''."""
    chosen = getattr(getattr(request, "user", None), "time_zone", "") or ""
    if is_valid_zone(chosen):
        return chosen
    browser = unquote(request.COOKIES.get(COOKIE, ""))[:64]
    return browser if is_valid_zone(browser) else ""


def current_zone_name() -> str:
    return timezone.get_current_timezone_name()


class TimeZoneMiddleware:
    """Activate the person's (or the browser's) time zone for the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = zone_for(request)
        if name:
            timezone.activate(ZoneInfo(name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
