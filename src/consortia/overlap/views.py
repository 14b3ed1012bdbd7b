"""The Overlap section of a network: populations, restricted list, partners, runs and the run
page (where the browser does the protocol in a Web Worker; the keys never leave it).

parse → permissions.py → services.py/selectors.py → render.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from consortia.core import flows, htmx
from consortia.core.csp import allow_webassembly
from consortia.networks.pages import network_page_context

from . import forms, keys, permissions, protocol, selectors, services
from .models import Run

GET_POST = flows.require_GET_or_POST


def _network(request, slug):
    network = permissions.get_network_for(request.user, slug)
    services.purge_expired()
    return network


def _home_url(network) -> str:
    return reverse("overlap_home", args=[network.slug])


@login_required
@allow_webassembly
@GET_POST
def home(request, slug):
    network = _network(request, slug)
    person = request.user
    own = permissions.own_org_id(person)
    populations = list(selectors.populations_of(own))
    population_form = propose_form = None
    status = 200
    if request.method == "POST":
        if request.POST.get("form") == "propose":
            propose_form = forms.ProposeForm(request.POST, network=network, own_org_id=own)
            if response := flows.submit(
                request,
                propose_form,
                lambda d: services.partnership_propose(
                    actor=person,
                    network=network,
                    counterparty=d["counterparty"],
                    result_days=d["result_days"],
                    runs_per_day=d["runs_per_day"],
                    message=d["message"],
                ),
                success=lambda p: f"Overlap discovery proposed to {p.counterparty}.",
                redirect_to=_home_url(network),
            ):
                return response
            status = flows.form_status(propose_form)
        else:
            population_form = forms.PopulationForm(request.POST)
            if response := flows.submit(
                request,
                population_form,
                lambda d: services.population_create(actor=person, **d),
                success=lambda p: f"The population “{p.name}” is described.",
                redirect_to=_home_url(network),
            ):
                return response
            status = flows.form_status(population_form)
    partnerships = list(selectors.partnerships_for(person, network))
    partners = selectors.accepted_partners(person, network)
    runs = list(selectors.runs_for(person, network))
    restricted = services.restricted_list_of(person.organization)
    context = network_page_context(
        request,
        network,
        "overlap",
        own_org_id=own,
        populations=populations,
        population_form=population_form or forms.PopulationForm(),
        propose_form=propose_form or forms.ProposeForm(network=network, own_org_id=own),
        partnerships=partnerships,
        start_form=forms.RunStartForm(
            partners=partners, populations=[p for p in populations if p.level != "hidden"]
        )
        if partners.exists()
        else None,
        runs=[
            {
                "run": run,
                "other": run.partnership.other(own),
                "sides": list(run.sides.all()),
            }
            for run in runs
        ],
        restricted_count=len(restricted.digests),
        restricted_form=forms.RestrictedForm(),
        restricted_salt=restricted.salt,
        min_size=services.min_set_size(),
        overlap_protocol=protocol.PROTOCOL,
    )
    return render(request, "overlap/home.html", context, status=status)


@login_required
def psl_rules(request, slug):
    """The ICANN Public Suffix List rules the browser normalizes keys with (the same list the
    server's Python package ships)."""
    _network(request, slug)
    response = JsonResponse({"rules": keys.icann_rules()})
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
@GET_POST
def population_detail(request, slug, pk):
    network = _network(request, slug)
    person = request.user
    own = permissions.own_org_id(person)
    population = permissions.get_population_for(person, pk)
    url = reverse("overlap_population", args=[network.slug, population.pk])
    level_form = override_form = None
    status = 200
    if request.method == "POST":
        if request.POST.get("form") == "override":
            override_form = forms.OverrideForm(request.POST, network=network, own_org_id=own)
            if response := flows.submit(
                request,
                override_form,
                lambda d: services.override_set(
                    actor=person,
                    network=network,
                    population=population,
                    partner=d["partner"],
                    level=d["level"],
                    fields=d["fields"],
                ),
                success="The level for that partner is saved.",
                redirect_to=url,
            ):
                return response
            status = flows.form_status(override_form)
        else:
            level_form = forms.LevelFields(request.POST)
            if response := flows.submit(
                request,
                level_form,
                lambda d: services.population_update(
                    actor=person, population=population, level=d["level"], fields=d["fields"]
                ),
                success=f"“{population.name}” is saved.",
                redirect_to=url,
            ):
                return response
            status = flows.form_status(level_form)
    context = network_page_context(
        request,
        network,
        "overlap",
        population=population,
        overrides=list(population.overrides.all()),
        level_form=level_form
        or forms.LevelFields(initial={"level": population.level, "fields": population.fields}),
        override_form=override_form or forms.OverrideForm(network=network, own_org_id=own),
    )
    return render(request, "overlap/population.html", context, status=status)


@login_required
@require_POST
def restricted(request, slug):
    network = _network(request, slug)
    form = forms.RestrictedForm(request.POST)

    def save(data):
        digests = [d for d in data["digests"].replace(",", "\n").split() if d]
        return services.restricted_update(actor=request.user, add=digests, replace=data["replace"])

    if response := flows.submit(
        request,
        form,
        save,
        success=lambda r: f"The restricted list holds {len(r.digests)} account(s).",
        redirect_to=_home_url(network) + "#restricted",
    ):
        return response
    message = "; ".join(m for errors in form.errors.values() for m in errors)

    messages.error(request, message or "The restricted list was not changed.")
    return htmx.redirect(request, _home_url(network) + "#restricted")


@login_required
@require_POST
def partnership_action(request, slug, pk, action):
    network = _network(request, slug)
    partnership = permissions.get_partnership_for(request.user, network, pk)
    actions = {
        "accept": (
            lambda: services.partnership_answer(
                actor=request.user, partnership=partnership, accept=True
            ),
            "You accepted overlap discovery with {other}.",
        ),
        "decline": (
            lambda: services.partnership_answer(
                actor=request.user, partnership=partnership, accept=False
            ),
            "You declined overlap discovery with {other}.",
        ),
        "stop": (
            lambda: services.partnership_stop(actor=request.user, partnership=partnership),
            "Overlap discovery with {other} is stopped.",
        ),
    }
    if action not in actions:
        raise Http404("No such action")
    function, text = actions[action]
    other = partnership.other(permissions.own_org_id(request.user))
    flows.act(request, function, success=text.format(other=other))
    return htmx.redirect(request, _home_url(network))


@login_required
@require_POST
def run_new(request, slug):
    network = _network(request, slug)
    person = request.user
    own = permissions.own_org_id(person)
    populations = [p for p in selectors.populations_of(own) if p.level != "hidden"]
    form = forms.RunStartForm(
        request.POST,
        partners=selectors.accepted_partners(person, network),
        populations=populations,
    )
    if response := flows.submit(
        request,
        form,
        lambda d: services.run_start(
            actor=person,
            network=network,
            partner=d["partner"],
            population_ids=d["populations"],
            speaks=services.speaks_of(request.POST.get("protocol")),
        ),
        success="The run is started: choose your files below. Your partner was told.",
        redirect_to=lambda run: reverse("overlap_run", args=[network.slug, run.uuid]),
    ):
        return response

    message = "; ".join(m for errors in form.errors.values() for m in errors)
    messages.error(request, message or "The run could not start.")
    return htmx.redirect(request, _home_url(network) + "#start")


def _run_context(request, network, run, **extra):
    own = permissions.own_org_id(request.user)
    run = (
        Run.objects.select_related(
            "network",
            "initiator",
            "started_by",
            "partnership__proposer",
            "partnership__counterparty",
        )
        .prefetch_related("sides__organization")
        .get(pk=run.pk)
    )
    view = selectors.describe_run(run, own)
    join_form = None
    if run.is_active and view["own"].joined_at is None:
        join_form = extra.pop("join_form", None) or forms.JoinForm(
            populations=[p for p in selectors.populations_of(own) if p.level != "hidden"]
        )
    return network_page_context(
        request,
        network,
        "overlap_run",
        view=view,
        run=run,
        own_state=selectors.side_state(run, view["own"]),
        own_done=selectors.side_done(run, view["own"], view["other"]),
        other_state=selectors.side_state(run, view["other"]),
        join_form=join_form,
        min_size=services.min_set_size(),
        overlap_protocol=protocol.PROTOCOL,
        protocol_outdated=run.is_active and run.protocol != protocol.PROTOCOL,
        salt=services.restricted_list_of(request.user.organization).salt,
        **extra,
    )


@login_required
@allow_webassembly
def run_detail(request, slug, run_id):
    network = _network(request, slug)
    run = permissions.get_run_for(request.user, network, run_id)
    return render(request, "overlap/run.html", _run_context(request, network, run))


@login_required
@require_POST
def run_join(request, slug, run_id):
    network = _network(request, slug)
    run = permissions.get_run_for(request.user, network, run_id)
    own = permissions.own_org_id(request.user)
    form = forms.JoinForm(
        request.POST,
        populations=[p for p in selectors.populations_of(own) if p.level != "hidden"],
    )
    url = reverse("overlap_run", args=[network.slug, run.uuid])
    if response := flows.submit(
        request,
        form,
        lambda d: services.run_join(
            actor=request.user,
            run=run,
            population_ids=d["populations"],
            speaks=services.speaks_of(request.POST.get("protocol")),
        ),
        success="Your populations are chosen: pick your files below.",
        redirect_to=url,
    ):
        return response
    return render(
        request,
        "overlap/run.html",
        _run_context(request, network, run, join_form=form),
        status=flows.form_status(form),
    )


@login_required
@require_POST
def run_cancel(request, slug, run_id):
    network = _network(request, slug)
    run = permissions.get_run_for(request.user, network, run_id)
    flows.act(
        request,
        lambda: services.run_cancel(actor=request.user, run=run),
        success="The run is cancelled and its relayed values are deleted.",
    )
    return htmx.redirect(request, reverse("overlap_run", args=[network.slug, run.uuid]))


@login_required
def matrix_csv(request, slug, run_id):
    """The account-mapping matrix of a run, as CSV (counts only: records are opened only where
    their key is kept)."""
    network = _network(request, slug)
    run = permissions.get_run_for(request.user, network, run_id)
    view = selectors.describe_run(run, permissions.own_org_id(request.user))
    if view["matrix"] is None:
        raise Http404("This run has no matrix (not counted yet, or its results expired)")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="overlap-{run.uuid}-matrix.csv"'
    response.write(matrix_text(view))
    return response


def matrix_text(view) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["your population", "their population", "accounts in common"])
    for row in view["matrix"]["rows"]:
        for column, count in zip(view["matrix"]["columns"], row["cells"], strict=True):
            writer.writerow([row["name"], column, count])
    return buffer.getvalue()
