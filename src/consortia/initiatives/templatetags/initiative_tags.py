"""The initiative pages' row helpers (`{% load initiative_tags %}`): a status badge without an
`{% include %}` per row."""

from django import template
from django.utils.html import format_html
from django.utils.text import capfirst

register = template.Library()

_KNOWN = {
    "active": ("badge--success", "Active"),
    "proposed": ("badge--info", "Proposed"),
    "open": ("badge--warning", "Open"),
    "countered": ("badge--warning", "Other date proposed"),
    "requested": ("badge--warning", "Asked to join"),
    "invited": ("badge--warning", "Invited"),
}
_KNOWN.update(
    {s: ("badge--success", s.capitalize()) for s in ("completed", "delivered", "accepted")}
)
_KNOWN.update(
    {s: ("badge--danger", s.capitalize()) for s in ("cancelled", "declined", "missed", "withdrawn")}
)
_BADGES = {
    status: format_html('<span class="badge {}">{}</span>', css, label)
    for status, (css, label) in _KNOWN.items()
}


@register.filter
def status_badge(status) -> str:
    """An initiative, participation, request or commitment status as a badge."""
    badge = _BADGES.get(status)
    if badge is None:
        return format_html('<span class="badge">{}</span>', capfirst(status))
    return badge


@register.filter
def as_list(value) -> list:
    """One object as a list of one, for a template that renders rows."""
    return [value]
