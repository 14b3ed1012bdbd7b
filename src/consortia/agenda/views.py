"""The agenda pages, under "My organization → Partnering agenda".

parse → permissions.py (404 for anything of another organization) → services/selectors →
render. On the prospect page every HTMX action (a score, a stage change, a checklist tick, the
memo) answers with the whole prospect card, so the total, "scored N of M", the stage and the
checklist all change together (one mechanism, DESIGN.md rule 19); without JavaScript the same
forms post and redirect.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from consortia.core import flows, htmx
from consortia.networks.models import Network
from consortia.networks.permissions import active_network_ids

from . import export, forms, permissions, selectors, services
from .models import SECTIONS, DiligenceCheck, Stage

GET_POST = flows.require_GET_or_POST


def _home_url() -> str:
    return reverse("agenda_home")


def _prospect_url(prospect) -> str:
    return reverse("agenda_prospect", args=[prospect.pk])


def _own_networks(organization):
    return Network.objects.filter(pk__in=active_network_ids(organization.pk)).order_by("name")


# The agenda ---------------------------------------------------------------------------------


def _home_context(
    request, organization, *, criterion_form=None, prospect_form=None, template_form=None
):
    person = request.user
    agenda = services.agenda_of(organization)
    criteria = selectors.criteria_of(organization)
    networks = list(_own_networks(organization))
    people = selectors.people_of(organization)
    sections = [
        {"name": name, "label": label, "question": question, "text": getattr(agenda, name)}
        for name, label, question in SECTIONS
    ]
    return {
        "organization": organization,
        "agenda": agenda,
        "sections": sections,
        "gaps": agenda.gap_lines,
        "networks": networks,
        "capacity_warning": selectors.capacity_warning(agenda, organization),
        "criteria": criteria,
        "prospects": selectors.prioritized(organization, criteria),
        "template": services.template_of(organization),
        "is_leader": permissions.may_write_agenda(person),
        "criterion_form": criterion_form or forms.CriterionForm(),
        "prospect_form": prospect_form
        or forms.ProspectAddForm(
            candidates=services.candidate_organizations(person).order_by("name"),
            people=people,
            initial={"owner": person.pk},
        ),
        "template_form": template_form or forms.TemplateItemForm(),
        "stages": Stage.choices,
    }


@login_required
@require_GET
def home(request):
    person = request.user
    if person.organization is None:
        return redirect("organization_create")
    organization = permissions.own_organization(person)
    return render(request, "agenda/home.html", _home_context(request, organization))


@login_required
@GET_POST
def edit(request):
    person = request.user
    organization = permissions.own_organization(person)
    permissions.require_agenda_writer(person)
    agenda = services.agenda_of(organization)
    form = forms.AgendaForm(flows.posted(request), initial=agenda.snapshot())
    if response := flows.submit(
        request,
        form,
        lambda data: services.agenda_save(actor=person, **form.service_data()),
        success=lambda a: f"The agenda is saved (version {a.version}).",
        redirect_to=_home_url(),
    ):
        return response
    return render(
        request,
        "agenda/edit.html",
        {"organization": organization, "agenda": agenda, "form": form},
        status=flows.form_status(form),
    )


@login_required
@require_GET
def history(request):
    organization = permissions.own_organization(request.user)
    agenda = services.agenda_of(organization)
    return render(
        request,
        "agenda/history.html",
        {
            "organization": organization,
            "agenda": agenda,
            "versions": selectors.versions_of(agenda),
        },
    )


@login_required
@require_GET
def export_markdown(request):
    organization = permissions.own_organization(request.user)
    text = export.agenda_markdown(organization)
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="partnering-agenda-{organization.slug}-{stamp}.md"'
    )
    return response


# Criteria and template --------------------------------------------------------------------


@login_required
@require_POST
def criterion_add(request):
    person = request.user
    organization = permissions.own_organization(person)
    permissions.require_agenda_writer(person)
    form = forms.CriterionForm(request.POST)
    if response := flows.submit(
        request,
        form,
        lambda data: services.criterion_create(actor=person, **form.service_data()),
        success=lambda c: f"The criterion “{c}” is added.",
        redirect_to=_home_url() + "#criteria",
    ):
        return response
    context = _home_context(request, organization, criterion_form=form)
    return render(request, "agenda/home.html", context, status=flows.form_status(form))


@login_required
@GET_POST
def criterion_edit(request, pk: int):
    person = request.user
    criterion = permissions.get_criterion_for(person, pk)
    permissions.require_agenda_writer(person)
    form = forms.CriterionForm(
        flows.posted(request), initial=forms.CriterionForm.initial_for(criterion)
    )
    if response := flows.submit(
        request,
        form,
        lambda data: services.criterion_update(
            actor=person, criterion=criterion, **form.service_data()
        ),
        success=lambda c: f"The criterion “{c}” is saved.",
        redirect_to=_home_url() + "#criteria",
    ):
        return response
    return render(
        request,
        "agenda/criterion.html",
        {"organization": person.organization, "criterion": criterion, "form": form},
        status=flows.form_status(form),
    )


@login_required
@require_POST
def criterion_delete(request, pk: int):
    person = request.user
    criterion = permissions.get_criterion_for(person, pk, write=True)
    flows.act(
        request,
        lambda: services.criterion_delete(actor=person, criterion=criterion),
        success=f"The criterion “{criterion}” and its scores are removed.",
    )
    return htmx.redirect(request, _home_url() + "#criteria")


@login_required
@require_POST
def template_add(request):
    person = request.user
    organization = permissions.own_organization(person)
    permissions.require_agenda_writer(person)
    form = forms.TemplateItemForm(request.POST)
    if response := flows.submit(
        request,
        form,
        lambda data: services.template_item_add(actor=person, **data),
        success=lambda i: f"“{i}” is in the due-diligence template of new prospects.",
        redirect_to=_home_url() + "#template",
    ):
        return response
    context = _home_context(request, organization, template_form=form)
    return render(request, "agenda/home.html", context, status=flows.form_status(form))


@login_required
@require_POST
def template_remove(request, pk: int):
    person = request.user
    item = permissions.get_template_item_for(person, pk, write=True)
    flows.act(
        request,
        lambda: services.template_item_remove(actor=person, item_id=item.pk),
        success=f"“{item}” is no longer in the template (existing checklists keep it).",
    )
    return htmx.redirect(request, _home_url() + "#template")


# Prospects --------------------------------------------------------------------------------


@login_required
@require_POST
def prospect_add(request):
    person = request.user
    organization = permissions.own_organization(person)
    form = forms.ProspectAddForm(
        request.POST,
        candidates=services.candidate_organizations(person),
        people=selectors.people_of(organization),
    )
    if response := flows.submit(
        request,
        form,
        lambda data: services.prospect_add(actor=person, **data),
        success=lambda p: f"{p} is on your list of prospects. Nobody tells them.",
        redirect_to=_prospect_url,
    ):
        return response
    context = _home_context(request, organization, prospect_form=form)
    return render(request, "agenda/home.html", context, status=flows.form_status(form))


def _score_initial(score) -> dict:
    if score is None:
        return {}
    return {
        "value": score.value,
        "note": score.note,
        "link": score.link,
        "document": score.document_id,
    }


def _prospect_context(request, prospect, *, bound=None) -> dict:
    """Everything the prospect page shows; `bound` holds the one form sent back with errors,
    keyed by what it is ("stage", "edit", "memo", "invite", "propose", ("score", criterion id),
    ("check", check id))."""
    bound = bound or {}
    person = request.user
    organization = prospect.organization
    criteria = selectors.criteria_of(organization)
    card = selectors.scorecard(prospect, criteria)
    documents = list(services.own_documents(organization).only("pk", "title", "network_id"))
    for row in card["rows"]:
        criterion, score = row["criterion"], row["score"]
        row["form"] = bound.get(("score", criterion.pk)) or forms.ScoreForm(
            prefix=f"c{criterion.pk}", initial=_score_initial(score)
        )
        row["steps"] = list(enumerate(criterion.anchors))
    checks = selectors.checks_of(prospect)
    for check in checks:
        check.form = bound.get(("check", check.pk)) or forms.CheckForm(
            prefix=f"k{check.pk}", initial={"status": check.status, "evidence": check.evidence}
        )
    people = selectors.people_of(organization)
    networks = _own_networks(organization)
    memo_initial = {
        "context": prospect.memo_context,
        "options": prospect.memo_options,
        "risk_1": prospect.memo_risk_1,
        "risk_2": prospect.memo_risk_2,
        "risk_3": prospect.memo_risk_3,
        "recommendation": prospect.memo_recommendation,
    }
    today = timezone.localdate()
    open_required = [c for c in checks if c.required and c.is_open]
    return {
        "organization": organization,
        "prospect": prospect,
        "card": card,
        "documents": documents,
        "checks": checks,
        "open_required": open_required,
        "changes": selectors.stage_changes_of(prospect),
        "insights": selectors.partner_insights(person, prospect),
        "can_write": permissions.may_work_on(person, prospect),
        "is_leader": person.is_team_leader,
        "stages": Stage.choices,
        "stage_form": bound.get("stage") or forms.StageForm(),
        "edit_form": bound.get("edit")
        or forms.ProspectEditForm(
            people=people,
            initial={
                "owner": prospect.owner_id,
                "next_step": prospect.next_step,
                "next_step_on": prospect.next_step_on,
                "website": prospect.website,
            },
        ),
        "memo_form": bound.get("memo") or forms.MemoForm(initial=memo_initial),
        "invite_form": bound.get("invite") or forms.InviteForm(networks=networks),
        "propose_form": bound.get("propose")
        or forms.ProposeForm(
            networks=networks,
            initial={
                "title": f"Partnering with {prospect.name}",
                "starts_on": today,
                "ends_on": today + timedelta(days=365),
            },
        ),
        "check_statuses": DiligenceCheck.Status.choices,
    }


def _answer(request, prospect, *, bound=None, status=200, reload=True):
    """The prospect card (HTMX) or the whole page, read again after a change."""
    if reload:
        prospect = permissions.get_prospect_for(request.user, prospect.pk)
    context = _prospect_context(request, prospect, bound=bound)
    return htmx.page_or_fragment(request, "agenda/prospect.html", "card", context, status=status)


def _after(request, prospect):
    if htmx.is_htmx(request):
        return _answer(request, prospect)
    return redirect(_prospect_url(prospect))


def _run(request, prospect, key, form, action, success):
    """Run `form` through `action`; answer the refreshed card, or the card with the errors."""
    ok, result = flows.run(form, action)
    if ok:
        messages.success(request, success(result) if callable(success) else success)
        return _after(request, prospect)
    return _answer(request, prospect, bound={key: form}, status=flows.form_status(form))


def _card_form(request, pk, key, make_form, service, success):
    """A form of the prospect card, for the prospect's editors: `make_form(prospect)` bound to
    the POST, then `service(actor=…, prospect=…, **data)` and the message `success` (text, or
    `success(prospect, result)`); see `_run`."""
    person = request.user
    prospect = permissions.get_prospect_for(person, pk, write=True)
    form = make_form(prospect)

    def action(data):
        data = form.service_data() if hasattr(form, "service_data") else data
        return service(actor=person, prospect=prospect, **data)

    message = (lambda result: success(prospect, result)) if callable(success) else success
    return _run(request, prospect, key, form, action, message)


@login_required
@GET_POST
def prospect_detail(request, pk: int):
    if request.method == "POST":
        return _card_form(
            request,
            pk,
            "edit",
            lambda prospect: forms.ProspectEditForm(
                request.POST, people=selectors.people_of(prospect.organization)
            ),
            services.prospect_update,
            "The prospect is saved.",
        )
    prospect = permissions.get_prospect_for(request.user, pk)
    return _answer(request, prospect, reload=False)


@login_required
@require_POST
def prospect_stage(request, pk: int):
    return _card_form(
        request,
        pk,
        "stage",
        lambda prospect: forms.StageForm(request.POST),
        services.prospect_move,
        lambda prospect, moved: f"{moved} is now “{moved.get_stage_display()}”.",
    )


@login_required
@require_POST
def prospect_score(request, pk: int, criterion_pk: int):
    person = request.user
    prospect = permissions.get_prospect_for(person, pk, write=True)
    criterion = permissions.get_criterion_for(person, criterion_pk)
    form = forms.ScoreForm(
        request.POST,
        prefix=f"c{criterion.pk}",
        documents=services.own_documents(prospect.organization),
    )

    def save(d):
        return services.score_set(
            actor=person,
            prospect=prospect,
            criterion=criterion,
            value=d["value"],
            note=d["note"],
            link=d["link"],
            document_id=d["document"].pk if d["document"] else None,
        )

    if request.POST.get("clear"):
        services.score_clear(actor=person, prospect=prospect, criterion=criterion)
        messages.success(request, f"The score on “{criterion}” is cleared.")
        return _after(request, prospect)
    return _run(
        request,
        prospect,
        ("score", criterion.pk),
        form,
        save,
        lambda s: f"Scored {s.value}/4 on “{criterion}”.",
    )


@login_required
@require_POST
def prospect_check(request, pk: int, check_pk: int):
    person = request.user
    prospect = permissions.get_prospect_for(person, pk, write=True)
    check = permissions.get_check_for(person, prospect, check_pk)
    form = forms.CheckForm(request.POST, prefix=f"k{check.pk}")
    return _run(
        request,
        prospect,
        ("check", check.pk),
        form,
        lambda d: services.check_update(actor=person, check=check, **d),
        lambda c: f"“{c.title}”: {c.get_status_display().lower()}.",
    )


@login_required
@require_POST
def prospect_memo(request, pk: int):
    return _card_form(
        request,
        pk,
        "memo",
        lambda prospect: forms.MemoForm(request.POST),
        services.memo_save,
        "The decision memo is saved.",
    )


@login_required
@require_POST
def prospect_invite(request, pk: int):
    return _card_form(
        request,
        pk,
        "invite",
        lambda prospect: forms.InviteForm(
            request.POST, networks=_own_networks(prospect.organization)
        ),
        services.prospect_invite,
        lambda prospect, sent: (
            f"{sent[0].email} is invited into {sent[0].network}; they still have to "
            "accept. The invitation says nothing of your agenda."
        ),
    )


@login_required
@require_POST
def prospect_initiative(request, pk: int):
    return _card_form(
        request,
        pk,
        "propose",
        lambda prospect: forms.ProposeForm(
            request.POST, networks=_own_networks(prospect.organization)
        ),
        services.prospect_propose_initiative,
        lambda prospect, i: (
            f"The initiative “{i}” is proposed and {prospect} is invited to take part."
        ),
    )


# The prioritized prospect list as CSV (the integrations' exports: core.csv_export) --------

PROSPECT_COLUMNS = [
    "name",
    "website",
    "member_of_our_networks",
    "stage",
    "stage_reason",
    "weighted_total",
    "criteria_scored",
    "criteria",
    "required_checks_open",
    "owner",
    "next_step",
    "next_step_on",
    "added_at",
]


@login_required
@require_GET
def export_prospects(request):
    """Every prospect of the person's own organization, in the prioritized order of the page
    (read by all its people, like the page; nobody else's)."""
    from consortia.core import csv_export

    organization = permissions.own_organization(request.user)
    rows = (
        (
            p.name,
            p.website,
            p.partner_id is not None,
            p.get_stage_display(),
            p.stage_reason,
            p.total,
            p.scored,
            p.criteria_count,
            p.open_required,
            p.owner.name if p.owner else "",
            p.next_step,
            p.next_step_on,
            p.created_at,
        )
        for p in selectors.prioritized(organization)
    )
    stamp = timezone.localdate().isoformat()
    return csv_export.stream(f"prospects-{organization.slug}-{stamp}.csv", PROSPECT_COLUMNS, rows)
