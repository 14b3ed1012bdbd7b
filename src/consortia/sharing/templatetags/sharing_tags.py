"""Row helpers of the item lists (`{% load sharing_tags %}`): an item's badges without an
`{% include %}` per row."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

_AUDIENCE = {
    "organization": "Own organization",
    "partners": "Named partners",
    "initiative": "Initiative",
}
_LEVEL = {
    "confidential": format_html('<span class="badge badge--warning">{}</span>', "Confidential"),
    "restricted": format_html('<span class="badge badge--danger">{}</span>', "Restricted"),
}
_NO_NDA = format_html('<span class="badge badge--quiet">{}</span>', "No NDA needed")
_CHALLENGE = {
    "open": format_html('<span class="badge badge--success">{}</span>', "Open challenge"),
    "resolved": format_html('<span class="badge badge--info">{}</span>', "Resolved"),
}
_CONVERTED = format_html('<span class="badge badge--info">{}</span>', "Converted")


@register.filter
def item_badges(item) -> SafeString:
    """The item's audience and level (and a challenge's state) as badges."""
    audience = _AUDIENCE.get(item.audience, "Whole network")
    if item.audience == "initiative" and item.initiative_id is not None:
        audience = format_html("{}: {}", audience, item.initiative)
    badges = [
        format_html('<span class="badge badge--quiet" title="Audience">{}</span>', audience),
        _LEVEL.get(item.level, _NO_NDA),
    ]
    if item.kind == "challenge":
        badges.append(_CHALLENGE.get(item.status, _CONVERTED))
    return SafeString("\n".join(badges))
