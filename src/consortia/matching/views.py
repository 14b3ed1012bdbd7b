"""The "Who could help?" page and the panel on a challenge's page.

parse → permissions (404 for anyone whose organization is not an active member; the challenge
through sharing's own funnel) → ranking.match → render. The panel is loaded by HTMX after the
challenge page, so the challenge page itself does not wait for the ranking.

The page's form is sent with POST: a whole challenge (up to MAX_QUERY_CHARS characters, nine
bytes each in a URL once accents or other scripts are percent-encoded) does not fit in an
address, and servers refuse a long one (gunicorn answers 414 past 4 KiB). The search changes
nothing, so when the address does fit the page still follows the search: a plain POST is
redirected to `?q=…&top=…`, an HTMX one gets the results with that address to push. Links
(`?q=…` from a challenge or the agenda) stay GETs.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from consortia.core import htmx
from consortia.core.flows import require_GET_or_POST
from consortia.networks.pages import network_page_context
from consortia.sharing.permissions import get_item_for

from . import ranking
from .permissions import get_network_for
from .text import MAX_QUERY_CHARS

PANEL_TOP = 5
TOP_CHOICES = (5, 10, 20)
# The longest address the page sends a search to; a longer search stays a POST.
MAX_ADDRESS = 2000


def _top(raw) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return ranking.DEFAULT_TOP
    return value if value in TOP_CHOICES else ranking.DEFAULT_TOP


def _address(network, raw: str, top: int) -> str | None:
    """The page's address for this search, or None when it would be too long for one."""
    url = f"{reverse('matching_search', args=[network.slug])}?{urlencode({'q': raw, 'top': top})}"
    return url if len(url) <= MAX_ADDRESS else None


@login_required
@require_GET_or_POST
def search_page(request, slug):
    """`/n/<slug>/match/?q=…`: the organizations of the network that could help with a text."""
    network = get_network_for(request.user, slug)
    data = request.POST if request.method == "POST" else request.GET
    raw = data.get("q")
    top = _top(data.get("top"))
    address = None
    if request.method == "POST":
        raw = raw or ""
        address = _address(network, raw, top)
        if address is not None and not htmx.is_htmx(request):
            return HttpResponseRedirect(address)
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
    if request.method == "POST" and htmx.is_htmx(request):
        # The results alone, as for a GET: a search changes nothing, so unlike an action's
        # fragment it does not tell the page to read its live parts again.
        response = render(request, "matching/search.html#results", context)
        response["HX-Push-Url"] = address or "false"
        return response
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
