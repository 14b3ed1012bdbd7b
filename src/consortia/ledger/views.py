"""The web pages of the ledger: entries, the entry form, the settings and the balance.

One page per ledger (the network's own, and each initiative's); parse → permissions.py →
services.py/selectors.py → render.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from consortia.core import flows, htmx
from consortia.initiatives import permissions as initiative_permissions
from consortia.networks import permissions as network_permissions
from consortia.networks.pages import network_page_context

from . import forms, permissions, selectors, services

ENTRY_LIMIT = 50
BALANCE_ROWS = 25
WINDOWS = {"12m": 365, "all": None}


def _ledger_page(request, network, initiative=None):
    url = (
        reverse("ledger_initiative", args=[network.slug, initiative.pk])
        if initiative is not None
        else reverse("ledger_network", args=[network.slug])
    )
    entry_form = settings_form = None
    status = 200
    if request.method == "POST":
        if request.POST.get("form") == "settings":
            form = settings_form = forms.SettingsForm(request.POST)
            service, success = services.settings_update, "The ledger's rules are saved."
        else:
            form = entry_form = forms.EntryForm(request.POST)
            service, success = services.entry_create, "The entry is in the ledger."
        if response := flows.submit(
            request,
            form,
            lambda data: service(
                actor=request.user, network=network, initiative=initiative, **data
            ),
            success=success,
            redirect_to=url,
        ):
            return response
        status = htmx.UNPROCESSABLE
    window = request.GET.get("window", "12m")
    if window not in WINDOWS:
        window = "12m"
    days = WINDOWS[window]
    since = timezone.localdate() - timedelta(days=days) if days else None
    balance = selectors.balance(initiative=initiative, network=network, since=since)
    ledger = {
        "currency": balance["currency"],
        "threshold_pct": balance["threshold"],
        "hour_rate": balance["hour_rate"],
    }
    # The page shows the flagged partners and the biggest investors; the API lists all.
    rows = sorted(balance["rows"], key=lambda r: (not r["flagged"], -r["invested"]))
    shown = sorted(rows[:BALANCE_ROWS], key=lambda r: r["organization"].casefold())
    mine = network_permissions.org_id_of(request.user)
    if not any(r["organization_id"] == mine for r in shown):
        shown += [r for r in rows if r["organization_id"] == mine]
    for row in shown:
        row["in_pct"] = round(row["invested_share"] * 100)
        row["out_pct"] = round(row["returned_share"] * 100)
    hidden = len(balance["rows"]) - len(shown)
    entries = list(selectors.entries_for(network=network, initiative=initiative)[:ENTRY_LIMIT])
    can_act = network_permissions.can_act(request.user, network)
    context = network_page_context(
        request,
        network,
        "initiatives" if initiative is not None else "ledger",
        initiative=initiative,
        ledger=ledger,
        balance=balance,
        shown_rows=shown,
        hidden_rows=max(0, hidden),
        window=window,
        entries=entries,
        my_org_id=network_permissions.org_id_of(request.user),
        entry_form=entry_form
        or forms.EntryForm(initial={"date": timezone.localdate(), "currency": ledger["currency"]}),
        settings_form=settings_form or forms.SettingsForm(initial=ledger),
        may_write=can_act,
        may_set=can_act
        and (
            initiative_permissions.may_steer(request.user, initiative)
            if initiative is not None
            else request.user.is_team_leader
        ),
        page_url=url,
    )
    return render(request, "ledger/ledger.html", context, status=status)


@login_required
@flows.require_GET_or_POST
def ledger_network(request, slug):
    network = permissions.get_network_for(request.user, slug)
    return _ledger_page(request, network)


@login_required
@flows.require_GET_or_POST
def ledger_initiative(request, slug, pk):
    permissions.get_network_for(request.user, slug)
    initiative = permissions.get_initiative_for(request.user, pk, slug=slug)
    return _ledger_page(request, initiative.network, initiative)


@login_required
@require_POST
def entry_delete(request, slug, pk):
    permissions.get_network_for(request.user, slug)
    entry = permissions.get_entry_for(request.user, pk)
    services.entry_delete(actor=request.user, entry=entry)
    messages.success(request, "The entry was deleted.")
    if entry.initiative_id:
        return htmx.redirect(
            request, reverse("ledger_initiative", args=[slug, entry.initiative_id])
        )
    return htmx.redirect(request, reverse("ledger_network", args=[slug]))
