"""REST operations that read across shared items: search, the feed and the export.

Registered on sharing.api's router. The same funnels as the pages: outsiders of an unlisted
network get 404; every list is filtered by audience in SQL; a bad search is a 422 with a
sentence, never a 500.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from ninja import Field, Path, Query, Schema

from consortia.core.schemas import ERRORS, SLUG_PATTERN
from consortia.sharing import export, feed, search
from consortia.sharing.api import router
from consortia.sharing.services import item_url

NetworkSlug = Path(..., max_length=60, pattern=SLUG_PATTERN, description="The network's slug.")
PageNumber = Query(1, ge=1, le=1000, description="Page number (1 = newest).")
Since = Query(
    None, description="Mark as new what changed after this time (default: your last visit)."
)
OnlyNew = Query(False, description="true: only what changed since then.")
RecordVisit = Query(
    False, description="true: remember now as your last visit (as viewing the page does)."
)


class OrgRef(Schema):
    slug: str
    name: str


class ItemRef(Schema):
    id: int
    kind: str = Field(description="challenge, post or document")
    title: str
    audience: str = Field(description="organization, partners, initiative or network")
    level: str = Field(description="open, confidential or restricted")
    status: str
    organization: OrgRef
    created_at: datetime
    updated_at: datetime
    url: str = Field(description="The item's page.")


class SearchHitOut(Schema):
    item: ItemRef
    title_html: str = Field(description="The title, HTML-escaped, matches in <mark>.")
    snippet_html: str = Field(description="Matching text, HTML-escaped, matches in <mark>.")


class SearchOut(Schema):
    query: str
    page: int
    has_next: bool
    items: list[SearchHitOut]


class FeedItemOut(ItemRef):
    is_new: bool = Field(description="Changed since the `since` time (or your last visit).")
    activity: str = Field(description="new, updated, new comment or version N")


class FeedOut(Schema):
    page: int
    has_next: bool
    since: datetime | None = Field(description="What counts as new: changes after this time.")
    items: list[FeedItemOut]


def _item_ref(item) -> dict:
    return {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "audience": item.audience,
        "level": item.level,
        "status": item.status,
        "organization": {"slug": item.organization.slug, "name": item.organization.name},
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "url": item_url(item),
    }


def _network(request, slug):
    from consortia.sharing.permissions import get_readable_network_for

    return get_readable_network_for(request.auth, slug)


@router.get(
    "/networks/{slug}/search",
    response={200: SearchOut, **ERRORS},
    summary="Search shared items",
)
def search_items(
    request,
    slug: str = NetworkSlug,
    q: str = Query(..., max_length=search.MAX_QUERY_LENGTH, description="Words to find."),
    page: int = PageNumber,
):
    """Full-text search over the challenges, posts, comments and documents you may see in the
    network, newest first. Words must all match (with stemming); "a phrase" in quotes; -word
    leaves a word out."""
    network = _network(request, slug)
    result = search.search(request.auth, network, q, page=page)
    if result.error or not q.strip():
        raise ValidationError({"q": result.error or "Type a word to search for."})
    return {
        "query": result.query,
        "page": result.number,
        "has_next": result.has_next,
        "items": [
            {
                "item": _item_ref(hit.item),
                "title_html": str(hit.title_html),
                "snippet_html": str(hit.snippet_html),
            }
            for hit in result
        ],
    }


@router.get(
    "/networks/{slug}/feed",
    response={200: FeedOut, **ERRORS},
    summary="The sharing feed of a network",
)
def feed_items(
    request,
    slug: str = NetworkSlug,
    page: int = PageNumber,
    since: datetime | None = Since,
    only_new: bool = OnlyNew,
    record_visit: bool = RecordVisit,
):
    """Items you may see in the network, latest activity (new items, comments, versions)
    first."""
    network = _network(request, slug)
    if since is None:
        since = feed.last_visit(request.auth, network)
    elif since.tzinfo is None:
        raise ValidationError({"since": "Give the time with its timezone, e.g. 2026-01-31T09:00Z."})
    result = feed.feed(request.auth, network, page=page, since=since, only_new=only_new)
    if record_visit and page == 1:
        feed.record_visit(request.auth, network)
    return {
        "page": result.number,
        "has_next": result.has_next,
        "since": since,
        "items": [
            {**_item_ref(item), "is_new": item.is_new, "activity": item.activity} for item in result
        ],
    }


@router.get(
    "/networks/{slug}/export",
    response={200: None, **ERRORS},
    summary="Export what your organization shared (zip)",
    openapi_extra={
        "responses": {
            200: {
                "description": "A zip of JSON files (manifest, items, comments, offers, ndas, "
                "access_log) plus the documents' files.",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_zip(request, slug: str = NetworkSlug):
    """Everything your organization authored in the network, as a zip (team leaders; also
    after the organization left or was removed)."""
    from consortia.sharing.views_reach import export_response

    network, organization = export.export_network_for(request.auth, slug)
    return export_response(network, organization)
