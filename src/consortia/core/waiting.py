"""What waits for a person: the "Waiting for you" sections of the dashboard and of
`GET /api/v1/me/waiting`, filled by the apps that own the things waiting.

Core knows no domain app, so each app registers a provider from its AppConfig.ready() (or a
module imported there)::

    from consortia.core import waiting

    def polls_to_vote(person, now):
        rows, count = waiting.capped(Poll.objects.filter(...).select_related("network"))
        return [waiting.Item(key=f"poll-{p.pk}", title=p.title, ...) for p in rows], count

    waiting.register("polls", "Polls to vote in", polls_to_vote, order=50)

A provider is `(person, now) -> (items, count)`: the first `LIMIT` items the person should see
(most urgent first) and how many there are in all. It must

- show only what the person's organization may see and answer (filter in SQL, as every
  selector does: nobody sees another organization's waiting items);
- cost a fixed number of queries whatever the number of waiting things: one query with
  `select_related`, counted with `capped()` (a window COUNT in the same query), so the
  dashboard's query count does not grow with the work (tests/core/test_waiting.py pins it);
- return [] and 0, without a query, when the person has no organization (or cannot act).

An `Item` carries what every client needs (title, link, network, due date, a note) and its
`actions`: one-click buttons (`Action(label, url, fields=…)`, a POST form with the CSRF token
and `next` pointing back to the dashboard; boosted, so that with JavaScript the card changes in
place: see core.htmx) or links (`Action(label, url, method="get")`) where
acting needs a page (reading a text before accepting it, filling a ballot). An item may name
its own template (`template`, rendered with `item` and `next` in the context) when it needs
more than buttons, e.g. a reason to decline (its forms boosted where `boost` is set).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Window
from django.utils import timezone

LIMIT = 10  # items shown per section; the count says how many there are in all
TOTAL = "waiting_total"
_known: ContextVar[dict | None] = ContextVar("waiting_known", default=None)


@dataclass(frozen=True)
class Action:
    """A button (method "post": one click, a form with the CSRF token) or a link ("get")."""

    label: str
    url: str
    method: str = "post"
    fields: dict = field(default_factory=dict)  # hidden fields posted with the button
    primary: bool = True


@dataclass
class Item:
    """One thing waiting: what it is, where it is, by when, and what can be done about it."""

    key: str  # unique on the page and stable: "<kind>-<pk>"
    title: str
    url: str = ""
    detail: str = ""
    network: str = ""
    due: date | datetime | None = None
    due_label: str = "due"  # "due", "closes", "expires"…: what the date means
    overdue: bool = False
    note: str = ""  # e.g. "Your team leader decides" when the person cannot act
    actions: list[Action] = field(default_factory=list)
    template: str = ""  # an app's template for this item, instead of the generic one
    obj: Any = None  # the domain object, for `template`

    @property
    def due_has_time(self) -> bool:
        return isinstance(self.due, datetime)


@dataclass
class Section:
    key: str
    title: str
    order: int
    items: list[Item]
    count: int
    more_url: str = ""
    more_label: str = ""


@dataclass(frozen=True)
class Provider:
    key: str
    title: str
    build: Callable[[Any, datetime], tuple[list[Item], int]]
    order: int = 100
    more_url: Callable[[], str] | None = None  # e.g. lambda: reverse("my_requests")
    more_label: str = ""


_providers: dict[str, Provider] = {}


def register(
    key: str,
    title: str,
    build: Callable[[Any, datetime], tuple[list[Item], int]],
    *,
    order: int = 100,
    more_url: Callable[[], str] | None = None,
    more_label: str = "",
) -> None:
    """Add (or replace, on a second ready()) the section `key`; lower `order` comes first."""
    _providers[key] = Provider(key, title, build, order, more_url, more_label)


def providers() -> list[Provider]:
    return sorted(_providers.values(), key=lambda p: (p.order, p.key))


def capped(queryset, limit: int = LIMIT) -> tuple[list, int]:
    """The first `limit` rows and the number of rows in all, in one query: the total is a
    window COUNT over the whole result, computed before the LIMIT."""
    rows = list(queryset.annotate(**{TOTAL: Window(expression=Count("pk"))})[:limit])
    return rows, (getattr(rows[0], TOTAL) if rows else 0)


def known(key, otherwise: Callable[[], Any]):
    """A fact about the person that the caller of sections_for() already read (`known=`), so
    that the providers filter on it instead of each building (and the database running) the
    same subquery again: e.g. the dashboard's list of the organization's active networks
    (networks.waiting.active_network_ids). Without it, `otherwise()`."""
    facts = _known.get()
    if facts is not None and key in facts:
        return facts[key]
    return otherwise()


def sections_for(
    person, *, now: datetime | None = None, empty: bool = False, known: dict | None = None
) -> list[Section]:
    """Every registered section for `person`, in order; with empty=False only those that hold
    something. `known`: facts the caller already read for this person (see known())."""
    now = now or timezone.now()
    sections = []
    if not getattr(person, "is_authenticated", False):
        return sections
    token = _known.set(dict(known or {}))
    try:
        return _sections(person, now, empty, sections)
    finally:
        _known.reset(token)


def _sections(person, now, empty, sections):
    for provider in providers():
        items, count = provider.build(person, now)
        if not count and not empty:
            continue
        sections.append(
            Section(
                key=provider.key,
                title=provider.title,
                order=provider.order,
                items=list(items),
                count=count,
                more_url=provider.more_url() if provider.more_url and count else "",
                more_label=provider.more_label,
            )
        )
    return sections
