"""The Decisions tab of a network: poll list, new poll, poll page, ballots, export (C2).

Every view is parse → permission (permissions.py) → service or selector → render. Casting a
ballot with HTMX swaps the ballot panel (with the receipt) and the page's live parts (turnout,
results, state) refresh; without JavaScript the form posts and the page comes back with the
receipt in a message.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from consortia.core import flows, htmx
from consortia.core.paging import numbered_page
from consortia.decisions import forms, outcomes, permissions, selectors, services
from consortia.networks import permissions as network_permissions
from consortia.networks.models import NetworkMembership
from consortia.networks.pages import network_page_context


def _poll_context(request, network, poll, **extra) -> dict:
    context = network_page_context(request, network, "decisions")
    context.update(selectors.poll_page(poll, request.user))
    context.setdefault("outcome_form", forms.OutcomeForm())
    context["subject"] = outcomes.subject(poll)
    context["is_author"] = (
        poll.created_by_id is not None
        and request.user.is_team_leader
        and poll.created_by_id == request.user.pk
    )
    context.update(extra)
    return context


@login_required
def poll_list(request, slug):
    person = request.user
    network = network_permissions.get_network_for(person, slug, need="member")
    current, closed = selectors.polls_of(network)
    context = network_page_context(request, network, "decisions")
    context.update(
        current=current,
        closed=numbered_page(request, closed),
        can_create=permissions.can_create(person, network),
    )
    return render(request, "decisions/poll_list.html", context)


@login_required
@flows.require_GET_or_POST
def poll_create(request, slug):
    person = request.user
    network = network_permissions.get_network_for(person, slug, need="act")
    network_permissions.require_team_leader(
        person, "Only a team leader can put a question to the network."
    )
    members = (
        NetworkMembership.objects.filter(NetworkMembership.active_q(), network=network)
        .select_related("organization")
        .order_by("organization__name")
    )
    initial = {}
    if request.method == "GET":
        # Links elsewhere ("change by poll") pre-select the action; the form checks the rest.
        action = request.GET.get("action", "")
        initial = {"action": action} if action in dict(forms.ACTIONS) else {}
        if action == "admission_rule":
            initial["title"] = "Change how we admit organizations?"
    form = forms.PollCreateForm(flows.posted(request), members=members, initial=initial)
    if response := flows.submit(
        request,
        form,
        lambda _data: services.poll_create(
            actor=person, network=network, **form.service_arguments()
        ),
        success=lambda poll: f"The poll “{poll.title}” is open to the members.",
        redirect_to=lambda poll: reverse("poll_detail", args=[network.slug, poll.pk]),
    ):
        return response
    context = network_page_context(request, network, "decisions", form=form)
    return render(request, "decisions/poll_form.html", context, status=flows.form_status(form))


@login_required
def poll_detail(request, slug, pk):
    network, poll = permissions.get_poll_for(request.user, slug, pk)
    return render(request, "decisions/poll_detail.html", _poll_context(request, network, poll))


@login_required
@require_POST
def ballot_cast(request, slug, pk):
    person = request.user
    network, poll = permissions.get_poll_for(person, slug, pk)
    context_extra = {}
    status = 200
    try:
        options = list(poll.options.all())
        choice = forms.choice_from_post(poll, options, request.POST)
        _ballot, receipt = services.ballot_cast(actor=person, poll=poll, choice=choice)
    except ValidationError as exc:
        context_extra["ballot_errors"] = exc.messages
        status = htmx.UNPROCESSABLE
    except PermissionDenied as exc:
        context_extra["ballot_errors"] = [str(exc)]
        status = 403
    else:
        context_extra["receipt"] = receipt
        messages.success(request, f"Your organization's ballot is recorded. Receipt: {receipt}")
        if not htmx.is_htmx(request):
            return redirect("poll_detail", slug=network.slug, pk=poll.pk)
    poll.refresh_from_db()
    context = _poll_context(request, network, poll, **context_extra)
    # The turnout, the results (and the state, when this was the last ballot) change with the
    # ballot: the page's live parts refresh on the event htmx.fragment sends (core.htmx).
    return htmx.page_or_fragment(
        request, "decisions/poll_detail.html", "ballot", context, status=status
    )


@login_required
def poll_export(request, slug, pk):
    network, poll = permissions.get_poll_for(request.user, slug, pk)
    exported, data = flows.act(request, lambda: services.poll_export(poll))
    if not exported:
        return redirect("poll_detail", slug=network.slug, pk=poll.pk)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="poll-{poll.pk}-ballots.json"'
    return response


@login_required
@require_POST
def poll_outcome(request, slug, pk):
    person = request.user
    network, poll = permissions.get_poll_for(person, slug, pk)
    form = forms.OutcomeForm(request.POST)
    if response := flows.submit(
        request,
        form,
        lambda data: services.poll_record_outcome(actor=person, poll=poll, **data),
        success="The outcome is recorded.",
        redirect_to=reverse("poll_detail", args=[network.slug, poll.pk]),
    ):
        return response
    context = _poll_context(request, network, poll, outcome_form=form)
    return render(request, "decisions/poll_detail.html", context, status=flows.form_status(form))
