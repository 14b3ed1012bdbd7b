"""Health check pages: the list (and opening one), one health check (answering with HTMX,
inviting colleagues, the results chart, action items).

parse → permissions.py → services.py/selectors.py → render. Every form also works without
JavaScript; the answer form is swapped in place by HTMX when it comes back with errors.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from consortia.core import flows, htmx
from consortia.initiatives import permissions as initiative_permissions
from consortia.networks import permissions as network_permissions
from consortia.networks.pages import network_page_context

from . import forms, permissions, selectors, services


def _load_network(request, slug):
    return network_permissions.get_network_for(request.user, slug, need="member")


def _load(request, slug, pk):
    network = _load_network(request, slug)
    check = permissions.get_check_for(request.user, pk, network=network)
    services.unseal_if_due(check)  # works without a worker
    return check


def _initiative_filter(request, network):
    raw = request.GET.get("initiative", "")
    if not raw.isdigit() or len(raw) > 18:
        return None
    return (
        initiative_permissions.initiatives_visible_to(request.user, network)
        .filter(pk=int(raw))
        .first()
    )


def _list_context(request, network, *, open_form=None):
    initiative = _initiative_filter(request, network)
    return network_page_context(
        request,
        network,
        "health_checks",
        checks=list(
            selectors.checks_of(request.user, network=network, initiative=initiative)[:100]
        ),
        filter_initiative=initiative,
        waiting=list(selectors.waiting_for(request.user).filter(network=network)[:20]),
        may_open=request.user.is_team_leader,
        open_form=open_form
        or forms.OpenForm(
            network=network,
            person=request.user,
            initial={"initiative": initiative.pk} if initiative else None,
        ),
    )


@login_required
@flows.require_GET_or_POST
def healthcheck_list(request, slug):
    network = _load_network(request, slug)
    form = None
    if request.method == "POST":
        form = forms.OpenForm(request.POST, network=network, person=request.user)
        if response := flows.submit(
            request,
            form,
            lambda data: services.health_check_open(actor=request.user, network=network, **data),
            success=lambda check: f"The health check “{check}” is open; answers stay sealed.",
            redirect_to=services.check_url,
        ):
            return response
    context = _list_context(request, network, open_form=form)
    return render(
        request, "healthchecks/healthcheck_list.html", context, status=flows.form_status(form)
    )


def _detail_context(request, check, *, answer_form=None, invite_form=None, action_form=None):
    person = request.user
    side = permissions.side_of(person, check)
    result = selectors.results(person, check)
    answered = selectors.answered_people(side) if side else set()
    may_answer = (
        not result["unsealed"]
        and permissions.may_answer(person, side)
        and person.pk not in answered
    )
    initiatives = services.action_initiatives(person, check)
    return network_page_context(
        request,
        check.network,
        "health_checks",
        check=check,
        side=side,
        result=result,
        chart_rows=selectors.chart_svg_rows(result),
        chart_height=selectors.chart_height(result),
        may_answer=may_answer,
        has_answered=person.pk in answered,
        may_invite=person.is_team_leader and not result["unsealed"] and side is not None,
        raters=list(selectors.raters_of(side)) if side else [],
        actions=list(selectors.action_items_of(check)),
        answer_form=answer_form or forms.AnswerForm(),
        invite_form=invite_form or forms.InviteForm(organization=side.organization),
        action_form=action_form or forms.ActionForm(check=check, initiatives=initiatives),
    )


def _flash_refusal(request, form) -> None:
    """A refusal about the health check as a whole (sealed, unsealed, answered already) is also
    a flash message: the form it came back on may not be shown in the check's new state."""
    if form.is_bound and form.non_field_errors():
        messages.error(request, " ".join(form.non_field_errors()))


@login_required
def healthcheck_detail(request, slug, pk):
    check = _load(request, slug, pk)
    return render(request, "healthchecks/healthcheck_detail.html", _detail_context(request, check))


@login_required
@require_POST
def answer(request, slug, pk):
    check = _load(request, slug, pk)
    form = forms.AnswerForm(request.POST)
    accepted, _ = flows.run(
        form,
        lambda data: services.answer_submit(
            actor=request.user, health_check=check, **form.service_kwargs()
        ),
    )
    if accepted:
        messages.success(request, "Your answer is in, sealed until every side has answered.")
        return htmx.redirect(request, services.check_url(check))
    _flash_refusal(request, form)
    context = _detail_context(request, check, answer_form=form)
    return htmx.page_or_fragment(
        request,
        "healthchecks/healthcheck_detail.html",
        "answer",
        context,
        status=flows.form_status(form),
    )


@login_required
@require_POST
def rater_invite(request, slug, pk):
    check = _load(request, slug, pk)
    side = permissions.require_side(request.user, check)
    form = forms.InviteForm(request.POST, organization=side.organization)
    if response := flows.submit(
        request,
        form,
        lambda data: services.rater_invite(actor=request.user, health_check=check, **data),
        success=lambda rater: f"{rater.person} is asked to answer too.",
        redirect_to=services.check_url(check),
    ):
        return response
    _flash_refusal(request, form)
    context = _detail_context(request, check, invite_form=form)
    return render(
        request,
        "healthchecks/healthcheck_detail.html",
        context,
        status=flows.form_status(form),
    )


@login_required
@require_POST
def action_add(request, slug, pk):
    check = _load(request, slug, pk)
    form = forms.ActionForm(
        request.POST, check=check, initiatives=services.action_initiatives(request.user, check)
    )
    if response := flows.submit(
        request,
        form,
        lambda data: services.action_add(actor=request.user, health_check=check, **data),
        success="Action item sent as a request; once accepted it becomes a commitment.",
        redirect_to=services.check_url(check),
    ):
        return response
    _flash_refusal(request, form)
    context = _detail_context(request, check, action_form=form)
    return render(
        request,
        "healthchecks/healthcheck_detail.html",
        context,
        status=flows.form_status(form),
    )


def list_url(network) -> str:
    return reverse("healthcheck_list", args=[network.slug])
