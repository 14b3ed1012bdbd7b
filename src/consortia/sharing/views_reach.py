"""Pages that read across shared items: search, the feed and the export.

Thin views: the network funnel (networks.permissions.get_network_for), then sharing.search /
sharing.feed / sharing.export, which filter by audience in SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from consortia.core import htmx
from consortia.networks.pages import network_page_context
from consortia.networks.permissions import org_id_of
from consortia.sharing import export, feed, search
from consortia.sharing.permissions import get_readable_network_for
from consortia.sharing.services import item_url


def _with_urls(items) -> None:
    for item in items:
        item.url = item_url(item)


@login_required
@require_GET
def search_page(request, slug):
    """`/n/<slug>/search/?q=`: the whole page, or the results alone for HTMX (as you type)."""
    network = get_readable_network_for(request.user, slug)
    query = request.GET.get("q", "")
    page = search.search(
        request.user,
        network,
        query,
        page=request.GET.get("page"),
        as_you_type=htmx.is_htmx(request),
    )
    _with_urls(hit.item for hit in page)
    context = network_page_context(
        request, network, "search", page=page, query=page.query, max_length=search.MAX_QUERY_LENGTH
    )
    return htmx.page_or_fragment(request, "sharing/reach/search.html", "results", context)


def _since(raw) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(raw), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


@login_required
@require_GET
def feed_view(request, slug):
    """`/n/<slug>/feed/`: what the person may see, latest activity first; page 1 records the
    visit. Later pages carry `since` so the "new" marks stay those of this visit."""
    network = get_readable_network_for(request.user, slug)
    show = request.GET.get("show", "all")
    if show not in feed.FILTERS:
        show = "all"
    since = _since(request.GET.get("since"))
    first_look = "since" not in request.GET
    if first_look:
        since = feed.last_visit(request.user, network)
    now = timezone.now()
    page = feed.feed(
        request.user,
        network,
        page=request.GET.get("page"),
        since=since,
        only_new=show == "new",
        now=now,
    )
    _with_urls(page)
    if first_look and org_id_of(request.user) is not None:
        feed.record_visit(request.user, network, now=now)
    context = network_page_context(
        request,
        network,
        "feed",
        page=page,
        show=show,
        filters=feed.FILTERS,
        since=since,
        since_param=f"{since.timestamp():.6f}" if since else "0",
    )
    return htmx.page_or_fragment(request, "sharing/reach/feed.html", "rows", context)


@login_required
@require_GET
def export_view(request, slug):
    """`/n/<slug>/export/`: the page explaining the export; `?download=1` sends the zip."""
    network, organization = export.export_network_for(request.user, slug)
    if request.GET.get("download"):
        return export_response(network, organization)
    data = export.collect(network, organization)
    context = network_page_context(
        request, network, "export", organization=organization, counts=data.manifest["counts"]
    )
    return render(request, "sharing/reach/export.html", context)


def export_response(network, organization) -> FileResponse:
    archive = export.build(network, organization)
    response = FileResponse(
        archive,
        as_attachment=True,
        filename=export.filename_for(network, organization),
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response
