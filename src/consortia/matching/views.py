"""The "Who could help?" page and the panel on a challenge's page.

parse → permissions (404 for anyone whose organization is not an active member; the challenge
through sharing's own funnel) → ranking.match → render. The panel is loaded by HTMX after the
challenge page, so the challenge page itself does not wait for the ranking.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from consortia.core import htmx
from consortia.networks.pages import network_page_context
from consortia.sharing.permissions import get_item_for

from . import ranking
from .permissions import get_network_for
from .text import MAX_QUERY_CHARS

PANEL_TOP = 5
TOP_CHOICES = (5, 10, 20)


def _top(raw) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return ranking.DEFAULT_TOP
    return value if value in TOP_CHOICES else ranking.DEFAULT_TOP


@login_required
@require_GET
def search_page(request, slug):
    """`/n/<slug>/match/?q=…`: the organizations of the network that could help with a text."""
    network = get_network_for(request.user, slug)
    raw = request.GET.get("q")
    top = _top(request.GET.get("top"))
    result = None
    if raw is not None:
        result = ranking.match(request.user, network, raw, top=top)
    context = network_page_context(
        request,
        network,
        "match",
        result=result,
        query=(raw or "")[:MAX_QUERY_CHARS],
        top=top,
        top_choices=TOP_CHOICES,
        max_length=MAX_QUERY_CHARS,
    )
    return htmx.page_or_fragment(request, "matching/search.html", "results", context)


@login_required
@require_GET
def challenge_helpers(request, slug, pk):
    """The "Who could help?" panel of a challenge (an HTMX fragment, or a page without JS):
    never the challenge's own organization, nor the viewer's."""
    network = get_network_for(request.user, slug)
    item = get_item_for(request.user, slug, pk, kind="challenge")
    text = f"{item.title}\n{item.body}"
    result = ranking.match(
        request.user, network, text, top=PANEL_TOP, exclude=[item.organization_id]
    )
    context = {"item": item, "result": result, "query": item.title}
    if htmx.is_htmx(request):
        return render(request, "matching/_challenge_panel.html", {"network": network, **context})
    context = network_page_context(request, network, "challenges", **context)
    return render(request, "matching/challenge_helpers.html", context)
