"""Cheap filters for the rows of long lists (`{% load rows %}`).

A page of 50 or 100 rows with two dates each spends milliseconds in Django's general date
formatter (`|date`); these give the same text for the two formats the rows use.
"""

import datetime

from django import template
from django.utils import timezone, translation
from django.utils.dates import MONTHS_3

register = template.Library()
_MONTHS: dict[str | None, list[str]] = {}


def _month_names() -> list[str]:
    language = translation.get_language()
    names = _MONTHS.get(language)
    if names is None:
        names = _MONTHS[language] = [""] + [str(MONTHS_3[m]).title() for m in range(1, 13)]
    return names


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def day(value) -> str:
    """`5 Dec 2026`: the same text as `|date:"j M Y"` (a datetime in the current zone)."""
    if not isinstance(value, datetime.date):
        return ""
    value = _local(value)
    return f"{value.day} {_month_names()[value.month]} {value.year}"


@register.filter
def isoday(value) -> str:
    """`2026-12-05`: the same text as `|date:"Y-m-d"` (a datetime in the current zone)."""
    if not isinstance(value, datetime.date):
        return ""
    value = _local(value)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


@register.filter
def isotime(value) -> str:
    """The same text as `|date:"c"`: ISO 8601, a datetime in the current zone."""
    if not isinstance(value, datetime.date):
        return ""
    return _local(value).isoformat()


@register.filter
def daytime(value) -> str:
    """`5 Dec 2026, 09:30`: the same text as `|date:"j M Y, H:i"` for a datetime (in the
    current zone); a date gives its day."""
    if not isinstance(value, datetime.datetime):
        return day(value)
    value = _local(value)
    return f"{day(value)}, {value.hour:02d}:{value.minute:02d}"
