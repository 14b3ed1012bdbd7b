from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from consortia.sharing.markup import render_markdown

register = template.Library()

BADGES = {
    "identified": "badge",
    "researching": "badge badge--info",
    "due_diligence": "badge badge--warning",
    "approached": "badge badge--info",
    "partnering": "badge badge--success",
    "declined": "badge badge--danger",
    "parked": "badge badge--quiet",
}


@register.simple_tag
def stage_badge(stage, label):
    return format_html('<span class="{}">{}</span>', BADGES.get(stage, "badge"), label)


@register.filter
def markdown(text):
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitized by render_markdown


@register.filter
def anchor(criterion, value):
    """The words of `criterion`'s scale at step `value`."""
    return criterion.anchor(value)
