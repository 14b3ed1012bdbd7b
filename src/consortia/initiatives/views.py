"""The web pages of initiatives, leadership, joint plans, requests and commitments.

parse → permissions.py → services.py/selectors.py → render. Small actions are plain POST forms
that redirect back (HTMX swaps the participants section in place); a service's ValidationError
comes back as an error message and nothing changes; PermissionDenied shows the 403 page with
its sentence.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from consortia.core import flows, htmx
from consortia.core.htmx import safe_next_url
from consortia.core.paging import first_rows
from consortia.networks import permissions as network_permissions
from consortia.networks.models import NetworkMembership, Organization, Person
from consortia.networks.pages import network_page_context

from . import forms, permissions, selectors, services
from .models import Commitment, Initiative, JointPlan, Nomination, Participation, Request

LIST_LIMIT = 50
PARTICIPANT_LIMIT = 50
POLL_LIMIT = 10


def _detail_url(initiative) -> str:
    return reverse("initiative_detail", args=[initiative.network.slug, initiative.pk])


def _load(request, slug, pk) -> Initiative:
    permissions.get_network_for(request.user, slug)
    return permissions.get_initiative_for(request.user, pk, slug=slug)


@login_required
def initiative_list(request, slug):
    network = permissions.get_network_for(request.user, slug)
    show = request.GET.get("show", "all")
    if show not in selectors.FILTERS:
        show = "all"
    initiatives = list(
        selectors.initiatives_for(person=request.user, network=network, filter=show)[:LIST_LIMIT]
    )
    context = network_page_context(
        request,
        network,
        "initiatives",
        initiatives=initiatives,
        show=show,
        filters=selectors.FILTERS,
        limit=LIST_LIMIT,
    )
    return render(request, "initiatives/initiative_list.html", context)


@login_required
@flows.require_GET_or_POST
def initiative_propose(request, slug):
    network = permissions.get_network_for(request.user, slug)
    form = forms.InitiativeForm(flows.posted(request))
    if response := flows.submit(
        request,
        form,
        lambda data: services.initiative_propose(actor=request.user, network=network, **data),
        success=lambda initiative: f"“{initiative}” is proposed; partners can now join.",
        redirect_to=_detail_url,
    ):
        return response
    context = network_page_context(request, network, "initiatives", form=form)
    return render(
        request, "initiatives/initiative_form.html", context, status=flows.form_status(form)
    )


def _days_left(term, now) -> int:
    seconds = (term.ends_at - now).total_seconds()
    return max(0, int(-(-seconds // 86400)))


def _raci_rows(plan, participants):
    rows = []
    for item in (plan.raci or {}).get("responsibilities", []) if plan else []:
        roles = item.get("roles", {})
        rows.append(
            {
                "name": item["name"],
                "cells": [
                    {"org": p.organization, "role": roles.get(str(p.organization_id), "")}
                    for p in participants
                ],
            }
        )
    return rows


def _invitable(initiative):
    """Member organizations of the network that are not participating or asked already."""
    taken = Participation.objects.filter(
        initiative=initiative, status__in=(Participation.Status.ACTIVE, *Participation.PENDING)
    ).values("organization_id")
    return list(
        Organization.objects.filter(
            NetworkMembership.active_q(prefix="network_memberships__"),
            network_memberships__network_id=initiative.network_id,
        )
        .exclude(pk__in=taken)
        .order_by("name")[:200]
    )


def _initiative_polls(initiative, now) -> list:
    """The initiative's election, recall and extension polls; a closed one is settled on this
    read (closing without cron), so the leader it elected is shown right away."""
    from consortia.decisions import services as decisions

    polls = list(services.initiative_polls(initiative)[:POLL_LIMIT])
    for poll in polls:
        if poll.outcome_applied_at is None and poll.state_at(now) == poll.State.CLOSED:
            decisions.poll_settle(poll, now=now)
            permissions.forget(initiative)
        poll.state_now = poll.state_at(now)
    return polls


def _vote_forms(bound: dict) -> dict:
    """The page's vote forms: the one sent back with errors, the others empty."""
    return {
        name: bound.get(name) or form_class(auto_id=auto_id)
        for form_class, auto_id, name in forms.POLL_FORMS.values()
    }


def _detail_context(request, initiative, **bound_forms):
    person = request.user
    now = timezone.now()
    polls = _initiative_polls(initiative, now)
    now = timezone.now()  # a term granted while settling starts after the first reading
    network = initiative.network
    term = permissions.current_term(initiative, now)
    mine = permissions.participation_of(person, initiative)
    my_org_id = mine.organization_id if mine else None
    # A page stays readable (and fast) however many organizations take part: the first ones
    # are shown, the rest counted (and reachable through the API).
    active = selectors.participations(initiative).filter(status=Participation.Status.ACTIVE)
    participants = list(active[:PARTICIPANT_LIMIT])
    participants_total = active.count()
    pending = list(
        selectors.participations(initiative).filter(status__in=Participation.PENDING)[:LIST_LIMIT]
    )
    plans = selectors.plan_overview(initiative, org_id=my_org_id)
    latest = plans[0] if plans else None
    is_participant = mine is not None and mine.status == Participation.Status.ACTIVE
    may_steer = permissions.may_steer(person, initiative, now)
    nominations = list(selectors.nominations(initiative))
    return network_page_context(
        request,
        network,
        "initiatives",
        initiative=initiative,
        term=term,
        days_left=_days_left(term, now) if term else None,
        is_leader=term is not None and term.person_id == person.pk,
        may_steer=may_steer,
        mine=mine,
        is_participant=is_participant,
        my_org_id=my_org_id,
        participants=participants,
        participants_total=participants_total,
        pending=pending,
        nominations=nominations,
        plans=plans,
        latest=latest,
        raci_rows=_raci_rows(latest, participants),
        requests=selectors.initiative_page_requests(initiative, LIST_LIMIT),
        commitments=first_rows(selectors.commitments_of_initiative(initiative), LIST_LIMIT),
        is_open=initiative.status in (Initiative.Status.PROPOSED, Initiative.Status.ACTIVE),
        invitable=_invitable(initiative) if may_steer else [],
        now=now,
        polls=polls,
        open_polls={p.action: p for p in polls if p.state_now == "open"},
        may_call_votes=is_participant and person.is_team_leader,
        accepted_nominees=sum(1 for n in nominations if n.state == "accepted"),
        **_vote_forms(bound_forms),
    )


@login_required
def initiative_detail(request, slug, pk):
    initiative = _load(request, slug, pk)
    return render(
        request, "initiatives/initiative_detail.html", _detail_context(request, initiative)
    )


ACTIONS = {
    "start": lambda r, i: services.initiative_start(actor=r.user, initiative=i),
    "complete": lambda r, i: services.initiative_complete(actor=r.user, initiative=i),
    "cancel": lambda r, i: services.initiative_cancel(actor=r.user, initiative=i),
    "join": lambda r, i: services.participation_request(
        actor=r.user, initiative=i, message=r.POST.get("message", "")
    ),
    "leave": lambda r, i: services.participation_leave(actor=r.user, initiative=i),
    "invite": lambda r, i: services.participation_invite(
        actor=r.user, initiative=i, organization=_org(r, i)
    ),
    "accept": lambda r, i: services.participation_accept(
        actor=r.user, participation=_participation(r, i)
    ),
    "decline": lambda r, i: services.participation_decline(
        actor=r.user, participation=_participation(r, i)
    ),
    "nominate": lambda r, i: services.nominate(actor=r.user, initiative=i, person=_person(r, i)),
    "nomination-accept": lambda r, i: services.nomination_accept(
        actor=r.user, nomination=_nomination(r, i)
    ),
    "nomination-decline": lambda r, i: services.nomination_decline(
        actor=r.user, nomination=_nomination(r, i)
    ),
    "plan-accept": lambda r, i: services.plan_accept(actor=r.user, plan=_plan(r, i)),
}
# The votes opened from a form (forms.POLL_FORMS): a rejected form comes back with what was
# typed and each error next to its field.
POLL_ACTIONS = {
    "election-open": lambda r, i, data: services.leader_election_open(
        actor=r.user, initiative=i, **data
    ),
    "recall-open": lambda r, i, data: services.leader_recall_open(
        actor=r.user, initiative=i, **data
    ),
    "extension-open": lambda r, i, data: services.term_extension_open(
        actor=r.user, initiative=i, **data
    ),
}
MESSAGES = {
    "start": "The initiative is active.",
    "complete": "The initiative is completed.",
    "cancel": "The initiative is cancelled.",
    "join": "Your request to join is sent; the participants will answer.",
    "leave": "Your organization left the initiative.",
    "invite": "The invitation is sent.",
    "accept": "Accepted.",
    "decline": "Declined.",
    "nominate": "The nomination is sent.",
    "nomination-accept": "You accepted the nomination.",
    "nomination-decline": "You declined the nomination.",
    "plan-accept": "You accepted the plan.",
    "election-open": "The election is open; each participating organization's team leader "
    "votes on the poll page.",
    "recall-open": "The recall vote is open to the participants.",
    "extension-open": "The vote to extend the initiative is open to the participants.",
}
PARTICIPANT_ACTIONS = {"join", "leave", "invite", "accept", "decline"}


def _int(request, name) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise ValidationError("Choose one from the list.") from None


def _org(request, initiative):
    org = Organization.objects.filter(pk=_int(request, "organization")).first()
    if org is None:
        raise ValidationError("Choose an organization from the list.")
    return org


def _person(request, initiative):
    person = Person.objects.filter(pk=_int(request, "person")).first()
    if person is None:
        raise ValidationError("Choose a person from the list.")
    return person


def _participation(request, initiative):
    return get_object_or_404(
        Participation, initiative=initiative, pk=_int(request, "participation")
    )


def _nomination(request, initiative):
    return get_object_or_404(Nomination, initiative=initiative, pk=_int(request, "nomination"))


def _plan(request, initiative):
    return get_object_or_404(JointPlan, initiative=initiative, pk=_int(request, "plan"))


@login_required
@require_POST
def initiative_action(request, slug, pk, action):
    initiative = _load(request, slug, pk)
    if action in POLL_ACTIONS:
        return _open_poll(request, initiative, action)
    if action not in ACTIONS:
        raise Http404("No such action")
    flows.act(request, lambda: ACTIONS[action](request, initiative), success=MESSAGES[action])
    if htmx.is_htmx(request) and action in PARTICIPANT_ACTIONS:
        initiative = permissions.get_initiative_for(request.user, pk, slug=slug)
        return htmx.fragment(
            request,
            "initiatives/initiative_detail.html",
            "participants",
            _detail_context(request, initiative),
        )
    return htmx.redirect(request, safe_next_url(request, _detail_url(initiative)))


def _open_poll(request, initiative, action):
    # Who may call the vote is the 403 page with its sentence, as on a GET; the rest is the form.
    network_permissions.require_acting_member(request.user, initiative.network)
    if not permissions.is_participating_team_leader(request.user, initiative):
        raise PermissionDenied(
            "Only a team leader of a participating organization can put this to the participants."
        )
    form_class, auto_id, name = forms.POLL_FORMS[action]
    form = form_class(request.POST, auto_id=auto_id)
    if response := flows.submit(
        request,
        form,
        lambda data: POLL_ACTIONS[action](request, initiative, data),
        success=MESSAGES[action],
        redirect_to=safe_next_url(request, _detail_url(initiative)),
    ):
        return response
    if set(form.errors) == {"__all__"}:
        # A refusal of the vote itself (nobody to recall, one already open): the page may no
        # longer show this form, so the sentence goes on top of it.
        messages.error(request, " ".join(form.non_field_errors()))
        return htmx.redirect(request, _detail_url(initiative))
    context = _detail_context(request, initiative, **{name: form})
    return render(
        request,
        "initiatives/initiative_detail.html",
        context,
        status=flows.form_status(form),
    )


def _raci_from_post(post, participants) -> dict:
    rows = []
    for i in range(
        int(post.get("raci-rows", 0) or 0) if post.get("raci-rows", "").isdigit() else 0
    ):
        name = (post.get(f"raci-{i}-name") or "").strip()
        if not name:
            continue
        roles = {
            str(p.organization_id): post.get(f"raci-{i}-{p.organization_id}", "")
            for p in participants
        }
        rows.append({"name": name, "roles": {k: v for k, v in roles.items() if v}})
    return {"responsibilities": rows}


@login_required
@flows.require_GET_or_POST
def plan_edit(request, slug, pk):
    initiative = _load(request, slug, pk)
    participants = [
        p for p in selectors.participations(initiative) if p.status == Participation.Status.ACTIVE
    ]
    latest = JointPlan.objects.filter(initiative=initiative).order_by("-version").first()
    permissions.require_steer(request.user, initiative, what="edit the joint plan")
    if request.method == "POST":
        form = forms.PlanForm(request.POST)
        raci = _raci_from_post(request.POST, participants)
        if response := flows.submit(
            request,
            form,
            lambda data: services.plan_revise(
                actor=request.user, initiative=initiative, raci=raci, **data
            ),
            success=lambda plan: f"Version {plan.version} of the joint plan is published.",
            redirect_to=_detail_url(initiative),
        ):
            return response
    else:
        form = forms.PlanForm(
            initial={"goals": latest.goals, "rules": latest.rules, "boundaries": latest.boundaries}
            if latest
            else None
        )
        raci = latest.raci if latest else {"responsibilities": []}
    rows = [
        {"name": r["name"], "roles": r.get("roles", {})} for r in raci.get("responsibilities", [])
    ]
    rows += [{"name": "", "roles": {}} for _ in range(3)]
    for i, row in enumerate(rows):
        row["index"] = i
        row["cells"] = [
            {"org": p.organization, "value": row["roles"].get(str(p.organization_id), "")}
            for p in participants
        ]
    context = network_page_context(
        request,
        initiative.network,
        "initiatives",
        initiative=initiative,
        form=form,
        rows=rows,
        participants=participants,
        latest=latest,
        roles=["", "R", "A", "C", "I"],
    )
    return render(request, "initiatives/plan_form.html", context, status=flows.form_status(form))


def _request_form(request, initiative, data=None):
    network = initiative.network
    org_ids = NetworkMembership.objects.filter(
        NetworkMembership.active_q(), network=network
    ).values("organization_id")
    participant_org_ids = Participation.objects.filter(
        initiative=initiative, status=Participation.Status.ACTIVE
    ).values("organization_id")
    return forms.RequestForm(
        data,
        organizations=Organization.objects.filter(pk__in=org_ids).order_by("name"),
        people=Person.objects.filter(org_membership__organization_id__in=participant_org_ids)
        .select_related("org_membership__organization")
        .order_by("name"),
        leader=permissions.is_leader(request.user, initiative),
        initial={"to_organization": request.GET.get("to")} if data is None else None,
    )


@login_required
@flows.require_GET_or_POST
def request_new(request, slug, pk):
    initiative = _load(request, slug, pk)
    permissions.require_participant(request.user, initiative)
    form = _request_form(request, initiative, request.POST if request.method == "POST" else None)
    if response := flows.submit(
        request,
        form,
        lambda data: services.request_send(actor=request.user, initiative=initiative, **data),
        success="The request is sent. It becomes a commitment only if accepted.",
        redirect_to=_detail_url(initiative) + "#requests",
    ):
        return response
    context = network_page_context(
        request, initiative.network, "initiatives", initiative=initiative, form=form
    )
    return render(request, "initiatives/request_form.html", context, status=flows.form_status(form))


def _visible_request(request, pk) -> Request:
    found = (
        selectors._requests()
        .filter(pk=pk, initiative__in=permissions.initiatives_visible_to(request.user))
        .first()
    )
    if found is None:
        raise Http404("No such request")
    return found


def _date(request):
    form = forms.DateReasonForm(request.POST)
    if not form.is_valid():
        raise ValidationError(" ".join(e for errors in form.errors.values() for e in errors))
    return form.cleaned_data["due_on"], form.cleaned_data["reason"]


REQUEST_ACTIONS = {
    "accept": lambda r, q: services.request_accept(actor=r.user, request=q),
    "decline": lambda r, q: services.request_decline(
        actor=r.user, request=q, reason=r.POST.get("reason", "")
    ),
    "counter": lambda r, q: services.request_counter(
        actor=r.user, request=q, due_on=_date(r)[0], reason=r.POST.get("reason", "")
    ),
    "counter-accept": lambda r, q: services.request_counter_accept(actor=r.user, request=q),
    "withdraw": lambda r, q: services.request_withdraw(actor=r.user, request=q),
}
REQUEST_MESSAGES = {
    "accept": "Accepted: it is now a commitment of your organization.",
    "decline": "Declined; the sender sees your reason.",
    "counter": "Your proposed date is sent.",
    "counter-accept": "You agreed to the proposed date; it is now a commitment.",
    "withdraw": "The request is withdrawn.",
}


@login_required
@require_POST
def request_action(request, pk, action):
    found = _visible_request(request, pk)
    if action not in REQUEST_ACTIONS:
        raise Http404("No such action")
    flows.act(
        request, lambda: REQUEST_ACTIONS[action](request, found), success=REQUEST_MESSAGES[action]
    )
    return htmx.redirect(request, safe_next_url(request, reverse("my_requests")))


COMMITMENT_ACTIONS = {
    "deliver": lambda r, c: services.commitment_deliver(
        actor=r.user, commitment=c, note=r.POST.get("reason", "")
    ),
    "miss": lambda r, c: services.commitment_miss(
        actor=r.user, commitment=c, note=r.POST.get("reason", "")
    ),
    "withdraw": lambda r, c: services.commitment_withdraw(
        actor=r.user, commitment=c, reason=r.POST.get("reason", "")
    ),
    "renegotiate": lambda r, c: services.commitment_renegotiate(
        actor=r.user, commitment=c, due_on=_date(r)[0], reason=r.POST.get("reason", "")
    ),
}
COMMITMENT_MESSAGES = {
    "deliver": "Marked delivered.",
    "miss": "Marked missed.",
    "withdraw": "Withdrawn.",
    "renegotiate": "The new date is recorded.",
}


@login_required
@require_POST
def commitment_action(request, pk, action):
    found = Commitment.objects.filter(
        pk=pk, initiative__in=permissions.initiatives_visible_to(request.user)
    ).first()
    if found is None or action not in COMMITMENT_ACTIONS:
        raise Http404("No such commitment")
    flows.act(
        request,
        lambda: COMMITMENT_ACTIONS[action](request, found),
        success=COMMITMENT_MESSAGES[action],
    )
    return htmx.redirect(request, safe_next_url(request, reverse("my_commitments")))


@login_required
def my_requests(request):
    person = request.user
    return render(
        request,
        "initiatives/my_requests.html",
        {
            "received": list(selectors.requests_inbox(person)[:LIST_LIMIT]),
            "sent": list(selectors.requests_sent(person)[:LIST_LIMIT]),
            "limit": LIST_LIMIT,
        },
    )


@login_required
def my_commitments(request):
    return render(
        request,
        "initiatives/my_commitments.html",
        {
            "commitments": list(selectors.commitments_of(request.user)[:LIST_LIMIT]),
            "now": timezone.now(),
            "limit": LIST_LIMIT,
        },
    )
