"""The cheap row helpers give the same text as what they replace (issue 14: long lists without
an include, a `{% url %}` or Django's general date formatter per row)."""

import datetime
import re
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from consortia.sharing.models import Item

DATES = [
    datetime.datetime(2026, 1, 3, 23, 30, tzinfo=datetime.UTC),
    datetime.datetime(2026, 12, 31, 5, 0, 0, 123456, tzinfo=datetime.UTC),
    datetime.date(2025, 2, 7),
    None,
    "",
]


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
@pytest.mark.parametrize("value", DATES)
def test_the_row_date_filters_match_the_date_filter_in_every_zone(zone, value):
    template = Template(
        '{% load rows %}{{ d|date:"j M Y" }}={{ d|day }};{{ d|date:"Y-m-d" }}={{ d|isoday }};'
        '{{ d|date:"c" }}={{ d|isotime }}'
    )
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        rendered = template.render(Context({"d": value}))
    for pair in rendered.split(";"):
        expected, got = pair.split("=")
        assert got == expected, pair


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
@pytest.mark.parametrize("value", [d for d in DATES if isinstance(d, datetime.datetime)])
def test_the_daytime_filter_matches_the_date_filter_in_every_zone(zone, value):
    template = Template('{% load rows %}{{ d|date:"j M Y, H:i" }}={{ d|daytime }}')
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        expected, got = template.render(Context({"d": value})).split("=")
    assert got == expected


STATUS_TEMPLATE = """{% if status == 'active' %}<span class="badge badge--success">Active</span>
{% elif status == 'proposed' %}<span class="badge badge--info">Proposed</span>
{% elif status == 'completed' or status == 'delivered' or status == 'accepted' %}<span class="badge badge--success">{{ status|capfirst }}</span>
{% elif status == 'cancelled' or status == 'declined' or status == 'missed' or status == 'withdrawn' %}<span class="badge badge--danger">{{ status|capfirst }}</span>
{% elif status == 'open' %}<span class="badge badge--warning">Open</span>
{% elif status == 'countered' %}<span class="badge badge--warning">Other date proposed</span>
{% elif status == 'requested' %}<span class="badge badge--warning">Asked to join</span>
{% elif status == 'invited' %}<span class="badge badge--warning">Invited</span>
{% else %}<span class="badge">{{ status|capfirst }}</span>{% endif %}"""  # noqa: E501  (the template it replaces)

STATUSES = [
    "active", "proposed", "completed", "delivered", "accepted", "cancelled", "declined",
    "missed", "withdrawn", "open", "countered", "requested", "invited", "left", "renegotiated",
    "<b>odd</b>",
]  # fmt: skip


@pytest.mark.parametrize("status", STATUSES)
def test_the_status_badge_filter_matches_the_template_it_replaces(status):
    old = Template(STATUS_TEMPLATE).render(Context({"status": status})).strip()
    new = Template("{% load initiative_tags %}{{ s|status_badge }}").render(Context({"s": status}))
    assert new == old


BADGES_TEMPLATE = """<span class="badge badge--quiet" title="Audience">{% if i.audience == 'organization' %}Own organization{% elif i.audience == 'partners' %}Named partners{% elif i.audience == 'initiative' %}Initiative{% if i.initiative %}: {{ i.initiative }}{% endif %}{% else %}Whole network{% endif %}</span>
{% if i.level == 'confidential' %}<span class="badge badge--warning">Confidential</span>{% elif i.level == 'restricted' %}<span class="badge badge--danger">Restricted</span>{% else %}<span class="badge badge--quiet">No NDA needed</span>{% endif %}
{% if i.kind == 'challenge' %}{% if i.status == 'open' %}<span class="badge badge--success">Open challenge</span>{% elif i.status == 'resolved' %}<span class="badge badge--info">Resolved</span>{% else %}<span class="badge badge--info">Converted</span>{% endif %}{% endif %}"""  # noqa: E501  (the template it replaces)


class _Initiative:
    def __str__(self):
        return "Clean <water>"


@pytest.mark.parametrize("kind", [k for k, _ in Item.Kind.choices])
@pytest.mark.parametrize("audience", [a for a, _ in Item.Audience.choices])
@pytest.mark.parametrize("level", [lv for lv, _ in Item.Level.choices])
@pytest.mark.parametrize("status", [s for s, _ in Item.Status.choices])
@pytest.mark.parametrize("initiative", [None, _Initiative()])
def test_the_item_badges_filter_matches_the_template_it_replaces(
    kind, audience, level, status, initiative
):
    item = Item(kind=kind, audience=audience, level=level, status=status)
    item.initiative_id = 1 if initiative else None
    Item.initiative.field.set_cached_value(item, initiative)
    old = Template(BADGES_TEMPLATE).render(Context({"i": item})).strip()
    new = Template("{% load sharing_tags %}{{ i|item_badges }}").render(Context({"i": item}))
    assert re.sub(r"\s+", " ", new) == re.sub(r"\s+", " ", old)
