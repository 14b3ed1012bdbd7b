"""Network health, trust list and a member's trust evidence (C9). Thin: parse, permission,
selector, render."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from consortia.core.paging import numbered_page
from consortia.networks.pages import network_page_context

from . import permissions, selectors
from . import trust as trust_math

PER_PAGE = 50
PARTNERS_SHOWN = 100  # the API lists them all


@login_required
def network_health(request, slug):
    network = permissions.get_network_for(request.user, slug)
    data = selectors.health(network)
    context = network_page_context(
        request,
        network,
        "health",
        health=data,
        histogram=data["histogram_chart"],
        scatter=data["scatter"],
        partners=selectors.sharing_partners(request.user, network)[:PARTNERS_SHOWN],
        computed_at=parse_datetime(data["computed_at"]),
        formula=trust_math.FORMULA,
        explanation=trust_math.EXPLANATION,
    )
    return render(request, "insights/health.html", context)


@login_required
def network_trust(request, slug):
    network = permissions.get_network_for(request.user, slug)
    order = "name" if request.GET.get("order") == "name" else "trust"
    rows = selectors.health_orgs(network)  # stored highest trust first, with their bands
    if order == "name":
        rows = sorted(rows, key=lambda o: o["name"].lower())
    page = numbered_page(request, rows, PER_PAGE)
    context = network_page_context(
        request,
        network,
        "health",
        page=page,
        order=order,
        formula=trust_math.FORMULA,
        explanation=trust_math.EXPLANATION,
    )
    return render(request, "insights/trust_list.html", context)


@login_required
def organization_trust(request, slug, org_slug):
    network = permissions.get_network_for(request.user, slug)
    organization = permissions.get_member_organization(network, org_slug)
    today = timezone.localdate()
    summary = selectors.trust_of(network, organization, today=today)
    page = numbered_page(request, selectors.evidence(network, organization), PER_PAGE)
    context = network_page_context(
        request,
        network,
        "health",
        organization=organization,
        summary=summary,
        band=trust_math.band(summary["trust"]),
        page=page,
        rows=selectors.describe_evidence(page.object_list, today),
        formula=trust_math.FORMULA,
        explanation=trust_math.EXPLANATION,
    )
    return render(request, "insights/organization_trust.html", context)
