"""The integrations pages, under "My organization → Integrations" (team leaders).

Webhooks belong to an organization, not to a network section every member browses: an endpoint
is the organization's system receiving what the organization may see, managed by the people who
act for it. So the pages sit beside the organization's other settings, one list grouped by
network, with each endpoint's secret, settings and delivery log on its own page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from consortia.core import flows, htmx
from consortia.core.forms import ServiceForm
from consortia.core.paging import feed_page
from consortia.networks.permissions import lock_reason

from . import catalog, permissions, selectors, services
from .forms import EndpointForm
from .models import Message

SECRET_SESSION_KEY = "integrations_new_secret"  # noqa: S105 - a session key name


def _keep_secret_once(request, endpoint, secret: str) -> None:
    """The page after a creation or rotation shows the secret once, then forgets it."""
    request.session[SECRET_SESSION_KEY] = {"endpoint": endpoint.pk, "secret": secret}


def _pop_secret(request, endpoint) -> str | None:
    kept = request.session.pop(SECRET_SESSION_KEY, None)
    if kept and kept.get("endpoint") == endpoint.pk:
        return kept.get("secret")
    return None


@login_required
@require_http_methods(["GET", "POST"])
def home(request):
    person = request.user
    if person.organization is None:
        return redirect("organization_create")
    permissions.require_integrations_manager(person)
    networks = permissions.networks_for_endpoints(person)
    form = EndpointForm(request.POST or None, networks=networks, initial={"enabled": True})
    if form.is_bound and form.is_valid():
        # A network that locks the person out (e.g. two-factor it requires): the 403 page with
        # its reason, as on the network's own pages.
        permissions.require_endpoint_manager(person, form.cleaned_data["network"])

    def create(data):
        endpoint, secret = services.endpoint_create(
            actor=person, network=data["network"], **form.service_data()
        )
        _keep_secret_once(request, endpoint, secret)
        return endpoint

    if response := flows.submit(
        request,
        form,
        create,
        success="The endpoint is registered. Copy its secret now: it is shown only once.",
        redirect_to=lambda endpoint: reverse("integrations_endpoint", args=[endpoint.pk]),
    ):
        return response
    return render(
        request,
        "integrations/home.html",
        {
            "organization": person.organization,
            "endpoints": list(selectors.endpoints_of(person)),
            "form": form,
            "has_networks": networks.exists(),
            "locked_networks": [
                (network, reason)
                for network in networks
                if (reason := lock_reason(person, network))
            ],
        },
        status=flows.form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_detail(request, pk: int):
    person = request.user
    endpoint = permissions.get_endpoint_for(person, pk)
    form = EndpointForm(request.POST or None, initial=EndpointForm.initial_for(endpoint))
    if response := flows.submit(
        request,
        form,
        lambda data: services.endpoint_update(
            actor=person, endpoint=endpoint, **form.service_data()
        ),
        success="The endpoint is saved.",
        redirect_to=reverse("integrations_endpoint", args=[endpoint.pk]),
    ):
        return response
    status_filter = request.GET.get("status", "")
    if status_filter not in Message.Status.values:
        status_filter = ""
    page = feed_page(
        selectors.messages_of(endpoint, status=status_filter or None), request.GET.get("page")
    )
    page.object_list = selectors.with_attempts(page.object_list)
    return render(
        request,
        "integrations/endpoint.html",
        {
            "endpoint": endpoint,
            "paused_reason": permissions.pause_reason(endpoint),
            "secret": _pop_secret(request, endpoint),
            "form": form,
            "page": page,
            "status_filter": status_filter,
            "statuses": Message.Status.choices,
            "groups": catalog.GROUPS,
        },
        status=flows.form_status(form),
    )


def _action(request, pk, do, success):
    person = request.user
    endpoint = permissions.get_endpoint_for(person, pk)
    form = _ActionForm(request.POST)
    url = reverse("integrations_endpoint", args=[endpoint.pk])
    ok, result = flows.run(form, lambda data: do(person, endpoint))
    if ok:
        messages.success(request, success(result) if callable(success) else success)
    else:
        for error in form.non_field_errors():
            messages.error(request, error)
    return htmx.redirect(request, url)


def _ActionForm(data):
    return ServiceForm(data)


@login_required
@require_POST
def endpoint_test(request, pk: int):
    return _action(
        request,
        pk,
        lambda person, endpoint: services.endpoint_send_test(actor=person, endpoint=endpoint),
        "A test event is queued; the worker sends it within seconds. Watch the delivery log.",
    )


@login_required
@require_POST
def endpoint_rotate(request, pk: int):
    def rotate(person, endpoint):
        endpoint, secret = services.endpoint_rotate_secret(actor=person, endpoint=endpoint)
        _keep_secret_once(request, endpoint, secret)
        return endpoint

    return _action(
        request,
        pk,
        rotate,
        "A new secret signs from now on; the previous one also signs for the overlap period.",
    )


@login_required
@require_POST
def endpoint_resume(request, pk: int):
    return _action(
        request,
        pk,
        lambda person, endpoint: services.endpoint_resume(actor=person, endpoint=endpoint),
        "The endpoint is resumed: it delivers for you from now on, starting with the messages "
        "it held.",
    )


@login_required
@require_POST
def endpoint_delete(request, pk: int):
    person = request.user
    endpoint = permissions.get_endpoint_for(person, pk)
    services.endpoint_delete(actor=person, endpoint=endpoint)
    messages.success(request, f"The endpoint {endpoint.url} is removed.")
    return htmx.redirect(request, reverse("integrations_home"))


@login_required
@require_POST
def message_resend(request, pk: int, message_pk: int):
    person = request.user
    endpoint = permissions.get_endpoint_for(person, pk)
    message = permissions.get_message_for(person, endpoint, message_pk)
    form = _ActionForm(request.POST)
    ok, _ = flows.run(form, lambda data: services.message_resend(actor=person, message=message))
    if ok:
        messages.success(request, f"Message {message.webhook_id} will be sent again.")
    else:
        for error in form.non_field_errors():
            messages.error(request, error)
    return htmx.redirect(request, reverse("integrations_endpoint", args=[endpoint.pk]))
