"""The sharing feed of a network: the items a person may see, latest activity first, with what
changed since their last visit.

An item's `updated_at` moves on every new comment and document version (the services set it),
so one ordered, audience-filtered query gives the feed: the visibility rule
(`audience.item_visible_q`), the order and the "new" marker are all SQL, one query plan, paged
with `core.paging.feed_page` (no COUNT).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.db.models import BooleanField, Case, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from consortia.core.paging import FeedPage, feed_page
from consortia.sharing.audience import visible_items
from consortia.sharing.models import Comment, DocumentVersion
from consortia.sharing.search import LAST_VISIT

FILTERS = {"all": "Everything", "new": "New since my last visit"}


def last_visit(person, network) -> datetime | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT seen_at FROM {LAST_VISIT} WHERE person_id = %s AND network_id = %s",  # noqa: S608
            [person.pk, network.pk],
        )
        row = cursor.fetchone()
    return datetime.fromtimestamp(row[0], tz=UTC) if row else None


def record_visit(person, network, *, now=None) -> None:
    """Remember that `person` saw `network`'s feed now (one row per person and network; an
    upsert, safe when two tabs load the feed at once)."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LAST_VISIT} (person_id, network_id, seen_at) VALUES (%s, %s, %s) "  # noqa: S608
            "ON CONFLICT (person_id, network_id) DO UPDATE SET seen_at = excluded.seen_at",
            [person.pk, network.pk, now.timestamp()],
        )


def feed_items(person, network, *, since: datetime | None = None, only_new=False, now=None):
    """Items of `network` visible to `person`, latest activity first, each with `is_new`
    (changed after `since`; with no `since`, everything is new), `last_comment_at` and
    `latest_version` (the document's current version number)."""
    items = visible_items(person, network=network, now=now)
    if since is None:
        is_new = Value(True, output_field=BooleanField())
    else:
        is_new = Case(
            When(updated_at__gt=since, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        if only_new:
            items = items.filter(Q(updated_at__gt=since))
    last_comment = Comment.objects.filter(item=OuterRef("pk")).order_by("-created_at", "-pk")
    latest_version = DocumentVersion.objects.filter(item=OuterRef("pk")).order_by("-number")
    return (
        items.select_related("organization", "author")
        .annotate(
            is_new=is_new,
            last_comment_at=Subquery(last_comment.values("created_at")[:1]),
            latest_version=Subquery(latest_version.values("number")[:1]),
        )
        .order_by("-updated_at", "-id")
    )


def what_happened(item) -> str:
    """A few words on the item's latest activity, for the feed row."""
    if item.last_comment_at is not None and item.last_comment_at >= item.updated_at:
        return "new comment"
    if item.latest_version and item.latest_version > 1 and item.updated_at > item.created_at:
        return f"version {item.latest_version}"
    if item.updated_at > item.created_at:
        return "updated"
    return "new"


def feed(person, network, *, page=1, since=None, only_new=False, now=None) -> FeedPage:
    """A page of the feed; rows carry `activity` (what_happened)."""
    result = feed_page(feed_items(person, network, since=since, only_new=only_new, now=now), page)
    for item in result.object_list:
        item.network = network  # known: no query per row for its URL
        item.activity = what_happened(item)
    return result
