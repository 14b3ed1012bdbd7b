"""The web pages for networks, organizations, people and invitations (C1).

Every view is parse → permission (permissions.py) → service or selector → render. HTMX requests
get a fragment of the same template; plain requests get the page or a redirect, so every action
also works without JavaScript. Services raise ValidationError for bad input (shown on the form,
status 422) and PermissionDenied for forbidden actions (the 403 page with its sentence).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from consortia.core import flows, htmx, waiting
from consortia.core.htmx import safe_next_url
from consortia.core.paging import feed_page, numbered_page
from consortia.networks import forms, permissions, selectors, services
from consortia.networks import waiting as network_waiting
from consortia.networks.models import AdmissionVote, Invitation, NetworkMembership
from consortia.networks.pages import network_page_context

Status = NetworkMembership.Status


def _withdraw(request, person, invitation) -> None:
    """Withdraw an open invitation (or say it is no longer open), as a flash message."""
    if invitation is None:
        messages.error(request, "This invitation is no longer open.")
        return
    flows.act(
        request,
        lambda: services.invitation_revoke(actor=person, invitation=invitation),
        success=f"The invitation to {invitation.email} is withdrawn.",
    )


def _capped(queryset) -> tuple[list, bool]:
    """The first PAGE_SIZE rows and whether there are more, without a COUNT query: for work
    lists (admissions, invitations) where the oldest come first and deciding shows the next."""
    rows = list(queryset[: settings.PAGE_SIZE + 1])
    return rows[: settings.PAGE_SIZE], len(rows) > settings.PAGE_SIZE


# Home, sign up, sign in -------------------------------------------------------------------


def home(request):
    if not request.user.is_authenticated:
        return render(request, "networks/landing.html")
    person = request.user
    now = timezone.now()
    memberships = list(selectors.networks_of(person))
    org_id = permissions.org_id_of(person)
    # "Waiting for you": what the apps registered (core.waiting), one query or two a section,
    # each filtering on the active networks read above for "My networks".
    known = network_waiting.active_networks_known(org_id, memberships, now) if org_id else {}
    sections = waiting.sections_for(person, now=now, known=known)
    return render(
        request,
        "networks/dashboard.html",
        {
            "organization": person.organization,
            "memberships": memberships,
            "waiting": sections,
            "waiting_total": sum(section.count for section in sections),
            "events": list(selectors.events_visible_to(person=person)[:8]),
        },
    )


# Organizations ----------------------------------------------------------------------------


@login_required
@flows.require_GET_or_POST
def organization_create(request):
    person = request.user
    next_url = safe_next_url(request)
    if person.organization is not None:
        messages.info(request, f"You already belong to {person.organization}.")
        return redirect(next_url or "my_organization")
    form = forms.OrganizationCreateForm(flows.posted(request))
    if response := flows.submit(
        request,
        form,
        lambda data: services.organization_create(actor=person, **data),
        success=lambda organization: (
            f"{organization} is on Consortia, with you as its team leader."
        ),
        redirect_to=next_url or reverse("my_organization"),
    ):
        return response
    return render(
        request,
        "networks/organization_form.html",
        {"form": form, "creating": True, "next": next_url},
        status=flows.form_status(form),
    )


def _member_form(membership):
    """The row form of one person of the organization, showing what is saved."""
    return forms.OrgMemberForm(
        prefix=f"p{membership.pk}",
        initial={
            "role": membership.role,
            "department": membership.department,
            "votes_for_organization": membership.votes_for_organization,
        },
    )


def _my_organization_context(request, organization, *, invite_form=None, row_forms=None):
    person = request.user
    is_leader = person.is_team_leader
    row_forms = row_forms or {}
    people = []
    for membership in selectors.organization_people(organization):
        form = None
        if is_leader:
            form = row_forms.get(membership.pk) or _member_form(membership)
        people.append({"membership": membership, "form": form})
    return {
        "organization": organization,
        "people": people,
        "is_leader": is_leader,
        "invite_form": invite_form or forms.ColleagueInviteForm(),
        "open_invitations": list(selectors.open_colleague_invitations(organization)),
        "memberships": list(selectors.networks_of(person)),
    }


@login_required
def my_organization(request):
    organization = request.user.organization
    if organization is None:
        return redirect("organization_create")
    return render(
        request, "networks/my_organization.html", _my_organization_context(request, organization)
    )


@login_required
@flows.require_GET_or_POST
def organization_edit(request):
    person = request.user
    if person.organization is None:
        return redirect("organization_create")
    organization = permissions.get_organization_for(person, person.organization.slug, write=True)
    form = forms.OrganizationForm(
        flows.posted(request),
        initial={name: getattr(organization, name) for name in forms.OrganizationForm.base_fields},
    )
    if response := flows.submit(
        request,
        form,
        lambda data: services.organization_update(actor=person, organization=organization, **data),
        success=f"The profile of {organization} is saved.",
        redirect_to=reverse("my_organization"),
    ):
        return response
    return render(
        request,
        "networks/organization_form.html",
        {"form": form, "creating": False, "organization": organization},
        status=flows.form_status(form),
    )


@login_required
def organization_detail(request, slug):
    person = request.user
    organization = permissions.get_organization_for(person, slug)
    return render(
        request,
        "networks/organization_detail.html",
        {
            "organization": organization,
            "is_own": organization.pk == permissions.org_id_of(person),
            "people": list(selectors.organization_people(organization)),
            "shared_networks": list(selectors.shared_networks(person, organization)),
        },
    )


@login_required
@require_POST
def colleague_invite(request):
    person = request.user
    organization = person.organization
    if organization is None:
        raise Http404("No organization")
    permissions.require_team_leader(person, "Only a team leader can invite colleagues.")
    form = forms.ColleagueInviteForm(request.POST)
    if response := flows.submit(
        request,
        form,
        lambda data: services.colleague_invite(actor=person, **data),
        success=lambda sent: (
            f"Invitation sent to {sent[0].email}. They join {organization} only if they accept."
        ),
        respond=lambda _sent: _colleagues(request, organization),
    ):
        return response
    context = _my_organization_context(request, organization, invite_form=form)
    return htmx.page_or_fragment(
        request,
        "networks/my_organization.html",
        "colleagues",
        context,
        status=flows.form_status(form),
    )


def _colleagues(request, organization):
    """After a change to the colleagues: their section for htmx, else the page again."""
    if htmx.is_htmx(request):
        context = _my_organization_context(request, organization)
        return htmx.fragment(request, "networks/my_organization.html", "colleagues", context)
    return redirect("my_organization")


@login_required
@require_POST
def colleague_invitation_revoke(request, pk):
    person = request.user
    organization = person.organization
    if organization is None:
        raise Http404("No organization")
    invitation = selectors.open_colleague_invitations(organization).filter(pk=pk).first()
    _withdraw(request, person, invitation)
    return _colleagues(request, organization)


@login_required
@require_POST
def org_member_update(request, pk):
    person = request.user
    organization = person.organization
    if organization is None:
        raise Http404("No organization")
    membership = selectors.organization_people(organization).filter(pk=pk).first()
    if membership is None:
        raise Http404("No such person in your organization")
    permissions.require_team_leader(person, "Only a team leader can change roles and departments.")
    form = forms.OrgMemberForm(request.POST, prefix=f"p{pk}")
    accepted, _ = flows.run(
        form,
        lambda data: services.org_member_update(actor=person, membership=membership, **data),
    )
    if accepted:
        role = "a team leader" if membership.role == "team_leader" else "a member"
        department = f", in {membership.department}" if membership.department else ""
        messages.success(request, f"Saved: {membership.person} is {role}{department}.")
        if membership.person_id == person.pk:
            # Leaders who change their own role may lose the right to manage others.
            return htmx.redirect(request, reverse("my_organization"))
        if htmx.is_htmx(request):
            row = {"membership": membership, "form": _member_form(membership)}
            return htmx.fragment(
                request,
                "networks/my_organization.html",
                "person_row",
                {"row": row, "is_leader": True},
            )
        return redirect("my_organization")
    if htmx.is_htmx(request):
        return htmx.fragment(
            request,
            "networks/my_organization.html",
            "person_row",
            {"row": {"membership": membership, "form": form}, "is_leader": True},
            status=htmx.UNPROCESSABLE,
        )
    context = _my_organization_context(request, organization, row_forms={pk: form})
    return render(request, "networks/my_organization.html", context, status=htmx.UNPROCESSABLE)


# Networks ---------------------------------------------------------------------------------


@login_required
def network_list(request):
    person = request.user
    return render(
        request,
        "networks/network_list.html",
        {
            "memberships": list(selectors.networks_of(person)),
            "directory": numbered_page(request, selectors.listed_networks_for(person)),
        },
    )


@login_required
@flows.require_GET_or_POST
def network_create(request):
    person = request.user
    if person.organization is None:
        messages.info(request, "Networks are made of organizations: create yours first.")
        query = urlencode({"next": reverse("network_create")})
        return redirect(f"{reverse('organization_create')}?{query}")
    permissions.require_team_leader(
        person, "Only a team leader can found a network on behalf of the organization."
    )
    form = forms.NetworkFoundForm(flows.posted(request))
    if response := flows.submit(
        request,
        form,
        lambda data: services.network_found(actor=person, **data),
        success=lambda network: (
            f"{network} is founded and {person.organization} is its first member. "
            "Invite the organizations you want to partner with."
        ),
        redirect_to=lambda network: reverse("network_detail", args=[network.slug]),
    ):
        return response
    return render(
        request, "networks/network_form.html", {"form": form}, status=flows.form_status(form)
    )


@login_required
def network_detail(request, slug):
    person = request.user
    network = permissions.get_network_for(person, slug)
    context = network_page_context(request, network, "overview")
    membership = context["membership"]
    context["member_count"] = selectors.network_members(network).count()
    if context["is_active"]:
        context["pending_count"] = selectors.pending_admissions(network).count()
        context["events"] = list(selectors.events_visible_to(person=person, network=network)[:5])
    elif context["is_pending"]:
        context["progress"] = selectors.pending_admissions(network).filter(pk=membership.pk).first()
    elif membership is not None and membership.status == Status.REJECTED:
        context["reasons"] = list(selectors.admission_reasons(membership))
    return render(request, "networks/network_detail.html", context)


def _open_invitations(network) -> dict:
    invitations, more = _capped(selectors.open_network_invitations(network))
    return {"invitations": invitations, "invitations_more": more}


def _admission_items(request, network, pending, forms_by_pk=None):
    """Each admission with its decision form when one came back with errors; the others are
    written out by the template (the same names: AdmissionDecisionForm(prefix="a<pk>")), not
    built and rendered once per admission."""
    forms_by_pk = forms_by_pk or {}
    return [{"admission": a, "form": forms_by_pk.get(a.pk)} for a in pending]


def _members_context(request, network, *, forms_by_pk=None):
    person = request.user
    context = network_page_context(request, network, "members")
    pending, admissions_more = _capped(selectors.pending_admissions(network, viewer=person))
    context.update(
        members=numbered_page(request, selectors.network_members(network)),
        admissions=_admission_items(request, network, pending, forms_by_pk),
        admissions_more=admissions_more,
        can_decide=context["can_act"] and context["is_team_leader"],
        **_open_invitations(network),
    )
    return context


@login_required
def network_members(request, slug):
    network = permissions.get_network_for(request.user, slug, need="member")
    return render(request, "networks/network_members.html", _members_context(request, network))


@login_required
@require_POST
def admission_decide(request, slug, pk):
    person = request.user
    network = permissions.get_network_for(person, slug, need="member")
    membership = permissions.get_pending_membership_for(person, network, pk)
    permissions.require_team_leader(person, "Only a team leader can decide on admissions.")
    if not membership.is_pending:
        # Decided meanwhile (another organization's vote, or a second click): say so.
        messages.info(
            request,
            f"{membership.organization} is no longer waiting for admission "
            f"({membership.get_status_display().lower()}).",
        )
        if htmx.is_htmx(request):
            return _admission_fragment(request, network, membership)
        return redirect(safe_next_url(request, reverse("network_members", args=[network.slug])))
    form = forms.AdmissionDecisionForm(request.POST, prefix=f"a{pk}")
    if response := flows.submit(
        request,
        form,
        lambda data: services.admission_vote(actor=person, membership=membership, **data),
        success=lambda _: _admission_message(network, membership, form.cleaned_data["decision"]),
        respond=lambda _: (
            _admission_fragment(request, network, membership)
            if htmx.is_htmx(request)
            # From the dashboard's "Waiting for you", back there (`next`).
            else redirect(safe_next_url(request, reverse("network_members", args=[network.slug])))
        ),
    ):
        return response
    if htmx.is_htmx(request):
        return _admission_fragment(request, network, membership, form=form)
    context = _members_context(request, network, forms_by_pk={pk: form})
    return render(request, "networks/network_members.html", context, status=htmx.UNPROCESSABLE)


def _admission_message(network, membership, decision) -> str:
    """What a team leader's decision did: admitted or rejected it, or counted one approval."""
    membership.refresh_from_db(fields=["status"])
    organization = membership.organization
    if membership.status == Status.ACTIVE:
        return f"{organization} is now a member of {network}."
    if membership.status == Status.REJECTED:
        return f"{organization} was not admitted to {network}."
    if decision == AdmissionVote.Decision.APPROVE:
        return f"You approved the admission of {organization}."
    return f"You rejected the admission of {organization}."


def _admission_fragment(request, network, membership, *, form=None):
    """The card of one admission, as it is now (still pending, or decided)."""
    context = network_page_context(request, network, "members")
    context["can_decide"] = context["can_act"] and context["is_team_leader"]
    admission = (
        selectors.pending_admissions(network, viewer=request.user).filter(pk=membership.pk).first()
    )
    if admission is None:
        context["decided"] = membership
        return htmx.fragment(request, "networks/network_members.html", "decided", context)
    context["item"] = {"admission": admission, "form": form}
    return htmx.fragment(
        request,
        "networks/network_members.html",
        "admission",
        context,
        status=flows.form_status(form),
    )


@login_required
def network_activity(request, slug):
    person = request.user
    network = permissions.get_network_for(person, slug, need="member")
    context = network_page_context(request, network, "activity")
    context["events"] = feed_page(
        selectors.events_visible_to(person=person, network=network), request.GET.get("page")
    )
    return render(request, "networks/network_activity.html", context)


@login_required
@flows.require_GET_or_POST
def network_charter(request, slug):
    person = request.user
    network = permissions.get_network_for(person, slug)
    if request.method == "POST":
        flows.act(
            request,
            lambda: services.charter_accept(actor=person, network=network),
            success=lambda _: (
                f"{person.organization} accepted version "
                f"{permissions.current_charter(network).version} of the charter."
            ),
        )
        if not htmx.is_htmx(request):
            return redirect("network_charter", slug=network.slug)
    context = network_page_context(request, network, "charter")
    if context["is_active"]:
        context["acceptances"] = list(selectors.charter_acceptances(network))
    return htmx.page_or_fragment(
        request, "networks/network_charter.html", "charter_status", context
    )


def _invite_context(request, network, form):
    return network_page_context(
        request,
        network,
        "invite",
        form=form,
        **_open_invitations(network),
    )


@login_required
@flows.require_GET_or_POST
def network_invite(request, slug):
    person = request.user
    network = permissions.get_network_for(person, slug, need="act")
    form = forms.NetworkInviteForm(flows.posted(request))
    if response := flows.submit(
        request,
        form,
        lambda data: services.network_invite_organization(actor=person, network=network, **data),
        success=lambda sent: (
            f"Invitation sent to {sent[0].email}. If they accept for their organization, the "
            "members decide on its admission."
        ),
        respond=lambda _sent: (
            htmx.fragment(
                request,
                "networks/network_invite.html",
                "invite_panel",
                _invite_context(request, network, forms.NetworkInviteForm()),
            )
            if htmx.is_htmx(request)
            else redirect("network_invite", slug=network.slug)
        ),
    ):
        return response
    return htmx.page_or_fragment(
        request,
        "networks/network_invite.html",
        "invite_panel",
        _invite_context(request, network, form),
        status=flows.form_status(form),
    )


@login_required
@require_POST
def network_invitation_revoke(request, slug, pk):
    person = request.user
    network = permissions.get_network_for(person, slug, need="member")
    invitation = selectors.open_network_invitations(network).filter(pk=pk).first()
    _withdraw(request, person, invitation)
    if htmx.is_htmx(request):
        context = network_page_context(
            request,
            network,
            "members",
            **_open_invitations(network),
        )
        return htmx.fragment(
            request, "networks/includes/open_invitations.html", "open_invitations", context
        )
    return redirect(safe_next_url(request, reverse("network_members", args=[network.slug])))


@login_required
@flows.require_GET_or_POST
def network_apply(request, slug):
    person = request.user
    network = permissions.get_network_for(person, slug)
    if request.method == "POST":
        permissions.require_team_leader(
            person, "Only a team leader can ask to join a network on behalf of the organization."
        )
    form = forms.ApplyForm(flows.posted(request))

    def apply(data):
        try:
            # Both or neither: a request that says "we accept the charter" must not be
            # recorded without the acceptance.
            with transaction.atomic():
                services.network_apply(actor=person, network=network, message=data["message"])
                if data["accept_charter"]:
                    services.charter_accept(actor=person, network=network)
        except ValidationError:
            permissions.forget_memberships(person)
            raise

    if response := flows.submit(
        request,
        form,
        apply,
        success=f"Your request to join {network} is with its members; you will hear from them "
        "by email.",
        redirect_to=reverse("network_detail", args=[network.slug]),
    ):
        return response
    context = network_page_context(request, network, "apply", form=form)
    return render(request, "networks/network_apply.html", context, status=flows.form_status(form))


@login_required
@flows.require_GET_or_POST
def network_leave(request, slug):
    person = request.user
    network = permissions.get_network_for(person, slug)
    if request.method == "POST":
        left, _ = flows.act(
            request,
            lambda: services.network_leave(actor=person, network=network),
            success=lambda membership: (
                f"{membership.organization} left {network}."
                if membership.joined_at
                else f"Your request to join {network} is withdrawn."
            ),
        )
        if not left:
            return redirect("network_detail", slug=network.slug)
        return redirect("network_list")
    return render(
        request, "networks/network_leave.html", network_page_context(request, network, "leave")
    )


# Invitations ------------------------------------------------------------------------------


CLOSED_MESSAGES = {
    Invitation.Status.ACCEPTED: "This invitation has already been accepted; a link works only "
    "once.",
    Invitation.Status.DECLINED: "This invitation was declined. Ask the sender for a new one if "
    "you changed your mind.",
    Invitation.Status.REVOKED: "This invitation was withdrawn by the organization that sent it.",
}


def _invitation_context(request, invitation, token, **extra) -> dict:
    """Decide what the person holding an invitation link can do with it, and say why."""
    person = request.user
    context = {
        "invitation": invitation,
        "token": token,
        "is_network": invitation.kind == Invitation.Kind.NETWORK,
        "decline_form": forms.DeclineForm(),
        "accept_form": forms.InvitationAcceptForm(),
        "status_code": 200,
    }
    if invitation.kind == Invitation.Kind.NETWORK:
        context["charter"] = permissions.current_charter(invitation.network)
    if not invitation.is_open:
        context["state"] = "closed"
        context["status_code"] = 410
        if invitation.is_expired:
            context["closed_message"] = "This invitation has expired. Ask the sender for a new one."
        elif person.is_authenticated and invitation.answered_by_id == person.pk:
            context["closed_message"] = {
                Invitation.Status.ACCEPTED: "You have accepted this invitation.",
                Invitation.Status.DECLINED: "You declined this invitation.",
                Invitation.Status.REVOKED: CLOSED_MESSAGES[Invitation.Status.REVOKED],
            }[invitation.status]
            context["status_code"] = 200
        else:
            context["closed_message"] = CLOSED_MESSAGES[invitation.status]
    elif not person.is_authenticated:
        context["state"] = "anonymous"
        here = reverse("invitation", args=[token])
        context["signup_url"] = (
            reverse("signup") + "?" + urlencode({"next": here, "email": invitation.email})
        )
        context["login_url"] = reverse("login") + "?" + urlencode({"next": here})
    elif person.email.lower() != invitation.email.lower():
        context["state"] = "wrong_person"
        context["status_code"] = 403
    elif invitation.kind == Invitation.Kind.COLLEAGUE:
        context["state"] = "colleague_taken" if person.organization else "colleague"
    else:
        organization = person.organization
        existing = permissions.membership_of(person, invitation.network)
        if organization is None:
            context["state"] = "needs_organization"
            context["org_form"] = forms.NewOrganizationForm()
        elif not person.is_team_leader:
            context["state"] = "not_team_leader"
        elif existing and existing.status in (Status.ACTIVE, *NetworkMembership.PENDING):
            context["state"] = "already_in"
            context["existing"] = existing
        else:
            context["state"] = "network"
    context.update(extra)
    return context


def _invitation_or_invalid(request, token):
    try:
        return services.invitation_by_token(token), None
    except Http404:
        response = render(request, "networks/invitation.html", {"state": "invalid"}, status=404)
        return None, response


def invitation(request, token):
    found, invalid = _invitation_or_invalid(request, token)
    if invalid:
        return invalid
    context = _invitation_context(request, found, token)
    return render(request, "networks/invitation.html", context, status=context["status_code"])


def _invitation_error(request, found, token, error: ValidationError, *, org_form=None):
    context = _invitation_context(request, found, token)
    if org_form is not None and context.get("state") == "needs_organization":
        org_form.add_service_error(error)
        context["org_form"] = org_form
    else:
        context["errors"] = error.messages
    return htmx.page_or_fragment(
        request, "networks/invitation.html", "answer", context, status=htmx.UNPROCESSABLE
    )


def _login_to_answer(token):
    here = reverse("invitation", args=[token])
    return redirect(reverse("login") + "?" + urlencode({"next": here}))


@require_POST
def invitation_accept(request, token):
    person = request.user
    if not person.is_authenticated:
        return _login_to_answer(token)
    found, invalid = _invitation_or_invalid(request, token)
    if invalid:
        return invalid
    org_form = None
    if found.kind == Invitation.Kind.NETWORK and person.organization is None:
        org_form = forms.NewOrganizationForm(request.POST)
        if not org_form.is_valid():
            context = _invitation_context(request, found, token, org_form=org_form)
            return htmx.page_or_fragment(
                request,
                "networks/invitation.html",
                "answer",
                context,
                status=htmx.UNPROCESSABLE,
            )
    accept_form = forms.InvitationAcceptForm(request.POST)
    accept_form.is_valid()  # one optional checkbox: always valid
    accept_charter = found.kind == Invitation.Kind.NETWORK and accept_form.cleaned_data.get(
        "accept_charter", False
    )
    try:
        # All or nothing: an organization created only to answer this invitation is not left
        # behind if the answer fails, nor is an answer that said "we accept the charter".
        with transaction.atomic():
            if org_form is not None:
                services.organization_create(actor=person, **org_form.cleaned_data)
            services.invitation_accept(actor=person, invitation=found)
            if accept_charter:
                services.charter_accept(actor=person, network=found.network)
    except ValidationError as exc:
        person.refresh_from_db()
        permissions.forget_memberships(person)
        return _invitation_error(request, found, token, exc, org_form=org_form)
    organization = person.organization
    if found.kind == Invitation.Kind.NETWORK:
        messages.success(
            request,
            f"{organization} accepted the invitation to {found.network}. Admission is now up to "
            "its member organizations; you will hear from them by email.",
        )
        return htmx.redirect(request, reverse("network_detail", args=[found.network.slug]))
    messages.success(request, f"Welcome to {organization}.")
    return htmx.redirect(request, reverse("my_organization"))


@require_POST
def invitation_decline(request, token):
    person = request.user
    if not person.is_authenticated:
        return _login_to_answer(token)
    found, invalid = _invitation_or_invalid(request, token)
    if invalid:
        return invalid
    form = forms.DeclineForm(request.POST)
    form.is_valid()  # the reason is optional free text: always valid
    try:
        services.invitation_decline(
            actor=person, invitation=found, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as exc:
        return _invitation_error(request, found, token, exc)
    messages.success(request, "You declined the invitation; the sender will see it.")
    if htmx.is_htmx(request):
        context = _invitation_context(request, found, token)
        return htmx.fragment(request, "networks/invitation.html", "answer", context)
    return redirect("home")
