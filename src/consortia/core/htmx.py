"""Small helpers for views that answer both HTMX and plain requests.

HTMX requests get a fragment (`template.html#partial`) plus the flash messages swapped out of
band into the page's live region; plain requests get the whole page or a redirect, so every
action also works without JavaScript.

Pages stay true after every action (one mechanism, no per-button special case): an HTMX action
answered with a fragment (`fragment`, `page_or_fragment` on a POST) also sends the event
`CHANGED` (`HX-Trigger-After-Settle`). Every part of a page that an action elsewhere on the page
may change is marked `data-live` with an id; static/js/live.js listens for the event, reads the
page once more and replaces each live part by its new version. So after *Join* the actions
joining enabled appear, after *Approve* the counters and the member list change, after a vote
the turnout, without the view knowing what else the page shows. A view answering otherwise
calls `changed(response)`; a plain (non-HTMX) request gets a redirect and a fresh page anyway.

A boosted request (`hx-boost`, header HX-Boosted) is a plain form or link that htmx sends for
the page: it is answered as a plain request (`is_htmx` is False: the redirect, the whole page)
and the page picks from that answer what it swaps (`hx-select`). The dashboard's "Waiting for
you" answers its one-click actions so: any action view that ends with a redirect back to `next`
works in place there, with no HTMX branch of its own.
"""

import json

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

# Forms sent back with errors: htmx is configured (base.html) to swap 422 responses.
UNPROCESSABLE = 422


def is_htmx(request) -> bool:
    """An HTMX request that wants a fragment; a boosted one wants the plain answer."""
    details = getattr(request, "htmx", False)
    return bool(details) and not details.boosted


def with_messages(request, response: HttpResponse) -> HttpResponse:
    """Append pending flash messages to a fragment, swapped into #flash out of band."""
    response.content += render_to_string(
        "includes/messages.html", {"oob": True}, request=request
    ).encode()
    return response


# The event an HTMX action sends when it may have changed what the page shows.
CHANGED = "consortia:changed"


def changed(response: HttpResponse, *events: str) -> HttpResponse:
    """Tell the page that this action changed something: `CHANGED` (and any further `events`)
    fire once the response is swapped in, and the page's live parts refresh (live.js)."""
    header = "HX-Trigger-After-Settle"
    triggers: dict = {}
    if response.has_header(header):
        existing = response[header]
        try:
            triggers = json.loads(existing)
        except ValueError:
            triggers = {name.strip(): None for name in existing.split(",") if name.strip()}
    for name in (CHANGED, *events):
        triggers.setdefault(name, None)
    response[header] = json.dumps(triggers)
    return response


def fragment(request, template: str, partial: str, context: dict, *, status: int = 200):
    response = with_messages(
        request, render(request, f"{template}#{partial}", context, status=status)
    )
    if request.method == "POST" and status < 300:
        changed(response)
    return response


def page_or_fragment(request, template: str, partial: str, context: dict, *, status: int = 200):
    """The partial for HTMX requests, the whole page otherwise."""
    if is_htmx(request):
        return fragment(request, template, partial, context, status=status)
    return render(request, template, context, status=status)


def redirect(request, url: str) -> HttpResponse:
    """After a successful POST: a normal redirect, or tell htmx to navigate."""
    if is_htmx(request):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def safe_next_url(request, default: str = "") -> str:
    """The `next` parameter of the request when it points into this site, else `default`:
    a link may send a person back where they came from, never to another site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
