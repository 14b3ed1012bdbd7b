"""Error pages that never show a traceback, and the API tokens page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from consortia.core import flows
from consortia.core import services as core_services
from consortia.core.forms import ServiceForm
from consortia.core.models import ApiToken, NotificationPreference
from consortia.core.paging import numbered_page
from consortia.core.selectors import notifications_for


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    context = {
        "message": message,
        # A reason that names the page where the person can put it right (e.g. two-factor).
        "help_url": getattr(exception, "help_url", ""),
        "help_label": getattr(exception, "help_label", ""),
    }
    return render(request, "errors/403.html", context, status=403)


def csrf_failure(request, reason=""):
    """A refused form (expired or forged CSRF token). Django's own page styles itself inline,
    which the Content-Security-Policy blocks; this one looks like the rest of the site."""
    message = "This form expired or did not come from this site. Go back, reload it and try again."
    return render(request, "errors/403.html", {"message": message}, status=403)


def too_many_requests(request, exception=None):
    """allauth's answer when sign-ups, password resets or address changes come too often from
    one address or for one account (ACCOUNT_RATE_LIMITS): the site's page, not a bare one."""
    return render(request, "errors/429.html", status=429)


def server_error(request):
    # Rendered without the request: the context processors query the database, which may be
    # the very thing that failed.
    return HttpResponseServerError(render_to_string("errors/500.html"))


# API tokens -------------------------------------------------------------------------------


class TokenForm(ServiceForm):
    name = forms.CharField(
        max_length=100,
        label="Name",
        help_text="What the token is for, so you recognise it later — e.g. “CI metrics import”.",
    )


@login_required
def tokens(request):
    """List the person's tokens; on POST create one and show it, in this response only."""
    form = TokenForm(flows.posted(request))
    created = raw = None
    accepted, result = flows.run(
        form, lambda data: core_services.api_token_create(actor=request.user, name=data["name"])
    )
    status = flows.form_status(form)
    if accepted:
        created, raw = result
        form = TokenForm()
    context = {
        "form": form,
        "created": created,
        "raw_token": raw,
        "tokens": ApiToken.objects.filter(person=request.user).order_by("-created_at", "-pk"),
        "api_url": request.build_absolute_uri("/api/v1/"),
    }
    response = render(request, "core/tokens.html", context, status=status)
    if raw:
        # The token is in this page and nowhere else: keep it out of every cache.
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, person=request.user)
    core_services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, f"The token “{token.name}” is revoked; it no longer works.")
    return redirect("tokens")


# Notifications ----------------------------------------------------------------------------


class NotificationPreferenceForm(ServiceForm):
    email = forms.ChoiceField(
        label="Email me about notifications",
        choices=NotificationPreference.Email.choices,
        widget=forms.RadioSelect,
    )


@login_required
def notifications(request):
    """The person's inbox; POST marks everything read."""
    if request.method == "POST":
        count = core_services.notifications_mark_read(actor=request.user)
        messages.success(request, f"{count} notification(s) marked as read.")
        return redirect("notifications")
    page = numbered_page(request, notifications_for(person=request.user))
    return render(request, "core/notifications.html", {"page_obj": page})


@login_required
def notification_settings(request):
    current = NotificationPreference.objects.filter(person=request.user).first()
    initial = {"email": current.email if current else NotificationPreference.Email.IMMEDIATE}
    form = NotificationPreferenceForm(flows.posted(request), initial=initial)
    if response := flows.submit(
        request,
        form,
        lambda data: core_services.notification_preference_set(
            actor=request.user, email=data["email"]
        ),
        success="Your notification settings are saved.",
        redirect_to=reverse("notification_settings"),
    ):
        return response
    return render(
        request,
        "core/notification_settings.html",
        {"form": form},
        status=flows.form_status(form),
    )
