"""The person's security pages (overview, log, sessions and tokens, personal data) and a
network's Security section (its two-factor rule, changed by a poll)."""

import json
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from consortia.accounts import policy, selectors, services
from consortia.core import flows, timezones
from consortia.core.forms import ServiceForm
from consortia.networks import permissions as network_permissions
from consortia.networks import services as network_services
from consortia.networks.models import Invitation
from consortia.networks.pages import network_page_context


@login_required
@require_GET
def security(request):
    person = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "verified": services.email_is_verified(person),
            "two_factor": services.has_two_factor(person),
            "recent": list(selectors.security_events_for(person=person)[:5]),
            "session_count": len(services.sessions_of(person)),
            "token_count": selectors.tokens_of(person=person)
            .filter(revoked_at__isnull=True)
            .count(),
            "retention_days": settings.SECURITY_LOG_DAYS,
        },
    )


@login_required
@require_GET
def security_log(request):
    page = Paginator(selectors.security_events_for(person=request.user), settings.PAGE_SIZE)
    return render(
        request,
        "accounts/security_log.html",
        {
            "page_obj": page.get_page(request.GET.get("page")),
            "retention_days": settings.SECURITY_LOG_DAYS,
        },
    )


class EndOthersForm(ServiceForm):
    revoke_tokens = forms.BooleanField(
        label="Also revoke all my API tokens",
        required=False,
        help_text="Scripts using them stop working until you give them a new token.",
    )


def _sessions_context(request, form=None) -> dict:
    person = request.user
    current = request.session.session_key
    sessions = services.sessions_of(person)
    return {
        "sessions": sessions,
        "current_key": current,
        "others": sum(1 for s in sessions if s.session_key != current),
        "tokens": list(selectors.tokens_of(person=person).filter(revoked_at__isnull=True)),
        "form": form or EndOthersForm(),
        "idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
        "max_hours": settings.SESSION_MAX_SECONDS // 3600,
    }


@login_required
def sessions(request):
    form = EndOthersForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            ended, revoked = services.sessions_end_others(
                actor=request.user,
                current_key=request.session.session_key,
                revoke_tokens=form.cleaned_data["revoke_tokens"],
                request=request,
            )
            text = f"Signed out of {ended} other session{'s' if ended != 1 else ''}"
            if form.cleaned_data["revoke_tokens"]:
                text += f" and revoked {revoked} API token{'s' if revoked != 1 else ''}"
            messages.success(request, text + ".")
            return redirect("account_sessions")
        return render(
            request, "accounts/sessions.html", _sessions_context(request, form), status=422
        )
    return render(request, "accounts/sessions.html", _sessions_context(request))


@login_required
@require_POST
def session_end(request, pk: int):
    try:
        services.session_end(
            actor=request.user, session_id=pk, current_key=request.session.session_key
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "That session is signed out.")
    return redirect("account_sessions")


class DeleteAccountForm(ServiceForm):
    confirm = forms.CharField(
        label="Type DELETE to confirm",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_confirm(self):
        if self.cleaned_data["confirm"].strip() != "DELETE":
            raise ValidationError("Type DELETE in capital letters to delete your account.")
        return "DELETE"


@login_required
def privacy(request):
    return render(request, "accounts/privacy.html", {"form": DeleteAccountForm()})


@login_required
@require_GET
def personal_data_download(request):
    data = services.personal_data(person=request.user, request=request)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="consortia-my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def account_delete(request):
    if request.method != "POST":
        return redirect("account_privacy")
    form = DeleteAccountForm(request.POST)
    ok, _ = flows.run(
        form, lambda _data: services.account_delete(actor=request.user, request=request)
    )
    if not ok:
        return render(request, "accounts/privacy.html", {"form": form}, status=422)
    logout(request)
    messages.success(
        request,
        "Your account is deleted. What you wrote for your organization stays with it under "
        "“Former member”.",
    )
    return redirect("home")


# A network's Security section ----------------------------------------------------------------


class TwoFactorPollForm(ServiceForm):
    days = forms.IntegerField(
        label="The poll closes in (days)", min_value=1, max_value=30, initial=7
    )


def _network_for_member(request, slug):
    network = network_permissions.get_network_for(request.user, slug)
    membership = network_permissions.membership_of(request.user, network)
    if membership is None or not membership.is_active:
        raise Http404("No such network")
    return network


@login_required
def network_security(request, slug):
    network = _network_for_member(request, slug)
    form = TwoFactorPollForm(request.POST or None)
    if request.method == "POST":
        from consortia.decisions import services as decisions

        required = not network.requires_two_factor
        verb = "Require" if required else "Stop requiring"

        def open_poll(data):
            return decisions.poll_create(
                actor=request.user,
                network=network,
                title=f"{verb} two-factor authentication in {network.name}?",
                description=(
                    "If the poll passes, the people of every member organization need "
                    "two-factor authentication (an authenticator app) to see and act in the "
                    "network."
                    if required
                    else "If the poll passes, two-factor authentication becomes optional again."
                ),
                kind="yes_no",
                closes_at=timezone.now() + timedelta(days=data["days"]),
                action=policy.ACTION,
                action_payload={"required": required},
            )

        if response := flows.submit(
            request,
            form,
            open_poll,
            success="The poll is open to the members.",
            redirect_to=lambda poll: reverse("poll_detail", args=[network.slug, poll.pk]),
        ):
            return response
    context = network_page_context(
        request,
        network,
        "security",
        form=form,
        two_factor=services.has_two_factor(request.user),
        verified=services.email_is_verified(request.user),
    )
    return render(
        request, "accounts/network_security.html", context, status=flows.form_status(form)
    )


# Invitations answered in the app (accounts.waiting) -----------------------------------------


def _accepted_message(invitation, person) -> str:
    if invitation.kind == Invitation.Kind.COLLEAGUE:
        return f"Welcome to {person.organization}."
    return (
        f"{person.organization} accepted the invitation to {invitation.network}. Admission is "
        "now up to its member organizations."
    )


@login_required
@require_POST
def invitation_in_app(request, pk, action):
    """Accept or decline an invitation sent to the person's verified address, without its
    e-mailed link. Anything else — another address, an unverified one, an answered or expired
    invitation — is a 404, as if it did not exist."""
    from consortia.accounts.waiting import invitations_for
    from consortia.core import htmx
    from consortia.networks import services as network_services

    person = request.user
    invitation = invitations_for(person).filter(pk=pk).first()
    if invitation is None or action not in ("accept", "decline"):
        raise Http404("No such invitation")
    if action == "accept":
        done, _ = flows.act(
            request,
            lambda: network_services.invitation_accept(actor=person, invitation=invitation),
        )
        if done:
            network_permissions.forget_memberships(person)
            person.refresh_from_db()
            messages.success(request, _accepted_message(invitation, person))
    else:
        flows.act(
            request,
            lambda: network_services.invitation_decline(actor=person, invitation=invitation),
            success="You declined the invitation; the sender will see it.",
        )
    return htmx.redirect(request, htmx.safe_next_url(request, reverse("home")))


class TimeZoneForm(ServiceForm):
    time_zone = forms.ChoiceField(
        label="Your time zone",
        required=False,
        help_text="Times are shown and entered in this zone. “Follow my browser” uses the zone "
        "of the device you are using.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        field.choices = [("", "Follow my browser"), *timezones.zone_choices()]
        field.widget.attrs["autocomplete"] = "off"


@login_required
@flows.require_GET_or_POST
def time_zone_settings(request):
    """Where a person chooses the zone times are shown and entered in."""
    form = TimeZoneForm(flows.posted(request), initial={"time_zone": request.user.time_zone})
    if response := flows.submit(
        request,
        form,
        lambda data: network_services.person_set_time_zone(
            actor=request.user, time_zone=data["time_zone"]
        ),
        success=lambda person: (
            f"Times are now shown in {person.time_zone or 'the zone of your browser'}."
        ),
        redirect_to=reverse("time_zone_settings"),
    ):
        return response
    context = {"form": form, "current_zone": timezone.get_current_timezone_name()}
    return render(request, "accounts/time_zone.html", context, status=flows.form_status(form))
