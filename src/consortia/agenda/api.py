"""REST operations of the partnering agenda, under /api/v1/agenda.

The same permission functions and services as the pages: everything is the caller's own
organization's; a prospect, criterion, checklist item or template item of another organization
answers 404, like one that does not exist. A person without an organization has no agenda (404).
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Path, Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from consortia.core.pagination import Pagination
from consortia.core.schemas import BODY_ERRORS, ERRORS, MAX_ID
from consortia.networks.models import Network
from consortia.networks.permissions import active_network_ids

from . import export, permissions, selectors, services
from .models import AgendaVersion, Criterion
from .schemas import (
    AgendaCheckIn,
    AgendaCheckOut,
    AgendaCriterionIn,
    AgendaCriterionOut,
    AgendaExportOut,
    AgendaIn,
    AgendaInviteIn,
    AgendaInviteOut,
    AgendaMemoIn,
    AgendaOut,
    AgendaProposeIn,
    AgendaProposeOut,
    AgendaProspectDetailOut,
    AgendaProspectIn,
    AgendaProspectOut,
    AgendaProspectPatch,
    AgendaScoreIn,
    AgendaScoreOut,
    AgendaStageIn,
    AgendaTemplateItemIn,
    AgendaTemplateItemOut,
    AgendaVersionOut,
    StageName,
)

router = Router(tags=["agenda"])
ProspectId = Path(..., ge=1, le=MAX_ID, description="The prospect's id.")
CriterionId = Path(..., ge=1, le=MAX_ID, description="The criterion's id.")
CheckId = Path(..., ge=1, le=MAX_ID, description="The due-diligence item's id.")
StageFilter = Query(None, description="Only prospects in this stage.")
TemplateItemId = Path(..., ge=1, le=MAX_ID, description="The template item's id.")


def _agenda_out(organization) -> dict:
    agenda = services.agenda_of(organization)
    return {
        "organization": organization.slug,
        "version": agenda.version,
        "updated_by": agenda.updated_by if agenda.version else None,
        "updated_at": agenda.updated_at if agenda.version else None,
        **agenda.snapshot(),
        "gap_lines": agenda.gap_lines,
        "capacity_warning": selectors.capacity_warning(agenda, organization),
    }


@router.get("/agenda", response={200: AgendaOut, **ERRORS}, summary="Your partnering agenda")
def get_agenda(request):
    """Your organization's agenda. Only its own people read it; nobody else, ever."""
    return _agenda_out(permissions.own_organization(request.auth))


@router.put(
    "/agenda",
    response={200: AgendaOut, **BODY_ERRORS},
    summary="Save the agenda (only the fields you send)",
)
def save_agenda(request, payload: AgendaIn):
    """Team leaders. Only the fields you send change: despite the method, this PUT does not
    replace the whole agenda. A section you leave out, or send as `null`, keeps its text, so
    `{}` changes nothing; send a section as `""` to empty it. `partner_capacity` left out keeps
    its number; `null` clears it. There is no PATCH on `/agenda`: this PUT is the only way to
    write it.

    A save that changes something is a new version (see `GET /agenda/versions`); earlier
    versions are kept, and a save that changes nothing adds none (only the very first save,
    even of `{}`, makes version 1)."""
    person = request.auth
    organization = permissions.own_organization(person)
    permissions.require_agenda_writer(person)
    current = services.agenda_of(organization).snapshot()
    given = payload.model_dump(exclude_unset=True)
    current.update({k: v for k, v in given.items() if v is not None or k == "partner_capacity"})
    capacity = current.pop("partner_capacity")
    services.agenda_save(actor=person, partner_capacity=capacity, **current)
    return _agenda_out(organization)


@router.get(
    "/agenda/versions",
    response={200: list[AgendaVersionOut], **ERRORS},
    summary="The agenda's versions",
)
@paginate(Pagination)
def list_agenda_versions(request):
    """Every saved version, newest first: who saved it, when, and what it changed."""
    organization = permissions.own_organization(request.auth)
    return AgendaVersion.objects.filter(agenda__organization=organization).select_related(
        "saved_by"
    )


@router.get(
    "/agenda/export", response={200: AgendaExportOut, **ERRORS}, summary="The agenda as Markdown"
)
def export_agenda(request):
    """The agenda, criteria and prospects with their scorecards, due diligence and memos."""
    organization = permissions.own_organization(request.auth)
    stamp = timezone.localdate().isoformat()
    return {
        "filename": f"partnering-agenda-{organization.slug}-{stamp}.md",
        "markdown": export.agenda_markdown(organization),
    }


# Criteria and the template ------------------------------------------------------------------


@router.get(
    "/agenda/criteria",
    response={200: list[AgendaCriterionOut], **ERRORS},
    summary="Selection criteria",
)
@paginate(Pagination)
def list_agenda_criteria(request):
    """Your organization's selection criteria, by group and name, with the words of each step of
    their 0-4 scale."""
    organization = permissions.own_organization(request.auth)
    return Criterion.objects.filter(organization=organization)


@router.post(
    "/agenda/criteria",
    response={201: AgendaCriterionOut, **BODY_ERRORS},
    summary="Add a criterion",
)
def create_agenda_criterion(request, payload: AgendaCriterionIn):
    """Team leaders. The weight must be positive; the scale has words for each of 0 to 4."""
    criterion = services.criterion_create(actor=request.auth, **payload.model_dump())
    return Status(201, criterion)


@router.put(
    "/agenda/criteria/{criterion_id}",
    response={200: AgendaCriterionOut, **BODY_ERRORS},
    summary="Change a criterion",
)
def update_agenda_criterion(request, payload: AgendaCriterionIn, criterion_id: int = CriterionId):
    """Team leaders. Change a criterion's name, group, weight (positive) or scale words; prospects'
    totals follow."""
    criterion = permissions.get_criterion_for(request.auth, criterion_id, write=True)
    return services.criterion_update(
        actor=request.auth, criterion=criterion, **payload.model_dump()
    )


@router.delete(
    "/agenda/criteria/{criterion_id}",
    response={204: None, **ERRORS},
    summary="Remove a criterion and its scores",
)
def delete_agenda_criterion(request, criterion_id: int = CriterionId):
    """Team leaders. Remove a criterion and the scores given for it."""
    criterion = permissions.get_criterion_for(request.auth, criterion_id, write=True)
    services.criterion_delete(actor=request.auth, criterion=criterion)
    return Status(204, None)


@router.get(
    "/agenda/template",
    response={200: list[AgendaTemplateItemOut], **ERRORS},
    summary="The due-diligence template",
)
def list_agenda_template(request):
    """Copied onto every new prospect. The default items have no id until it is changed."""
    return services.template_of(permissions.own_organization(request.auth))


@router.post(
    "/agenda/template",
    response={201: AgendaTemplateItemOut, **BODY_ERRORS},
    summary="Add a template item",
)
def create_agenda_template_item(request, payload: AgendaTemplateItemIn):
    """Team leaders. Add an item to the due-diligence template that new prospects' checklists are
    copied from."""
    return Status(201, services.template_item_add(actor=request.auth, **payload.model_dump()))


@router.delete(
    "/agenda/template/{template_item_id}",
    response={204: None, **ERRORS},
    summary="Remove a template item",
)
def delete_agenda_template_item(request, template_item_id: int = TemplateItemId):
    """Team leaders. Remove an item from the template; checklists already created keep theirs."""
    item = permissions.get_template_item_for(request.auth, template_item_id, write=True)
    services.template_item_remove(actor=request.auth, item_id=item.pk)
    return Status(204, None)


# Prospects ----------------------------------------------------------------------------------


def _owner(person, email):
    if email is None:
        return None
    owner = selectors.people_of(person.organization).filter(email__iexact=email.strip()).first()
    if owner is None:
        raise ValidationError({"owner": "The owner must be a person of your organization."})
    return owner


def _detail(request, prospect) -> dict:
    organization = prospect.organization
    criteria = selectors.criteria_of(organization)
    row = next(p for p in selectors.prioritized(organization, criteria) if p.pk == prospect.pk)
    card = selectors.scorecard(prospect, criteria)
    scores = []
    for r in card["rows"]:
        c, s = r["criterion"], r["score"]
        scores.append(
            {
                "criterion_id": c.pk,
                "criterion": c.name,
                "weight": float(c.weight),
                "value": s.value if s else None,
                "anchor": c.anchor(s.value) if s else "",
                "note": s.note if s else "",
                "link": s.link if s else "",
                "document": s.document if s else None,
                "scored_by": s.scored_by if s else None,
                "scored_at": s.scored_at if s else None,
            }
        )
    return {
        **{f: getattr(row, f) for f in AgendaProspectOut.model_fields if f != "partner"},
        "partner": row.partner.slug if row.partner_id else None,
        "scores": scores,
        "checks": selectors.checks_of(prospect),
        "memo": {
            "context": prospect.memo_context,
            "options": prospect.memo_options,
            "risks": prospect.memo_risks,
            "recommendation": prospect.memo_recommendation,
            "updated_by": prospect.memo_updated_by,
            "updated_at": prospect.memo_updated_at,
        },
        "stage_changes": selectors.stage_changes_of(prospect),
        "partner_figures": [
            {**f, "network": f["network"].slug}
            for f in selectors.partner_insights(request.auth, prospect)
        ],
    }


@router.get(
    "/agenda/prospects",
    response={200: list[AgendaProspectOut], **ERRORS},
    summary="Prospects, best first",
)
@paginate(Pagination)
def list_agenda_prospects(request, stage: StageName | None = StageFilter):
    """The prioritized list: open prospects by weighted total (out of 100 over all criteria),
    then declined and parked ones; each says how many criteria are scored."""
    return selectors.prioritized(permissions.own_organization(request.auth), stage=stage)


@router.post(
    "/agenda/prospects",
    response={201: AgendaProspectDetailOut, **BODY_ERRORS},
    summary="Add a prospect",
)
def create_agenda_prospect(request, payload: AgendaProspectIn):
    """It is never told. A prospect already on the list, or an organization that is in none of
    your networks, is a 422."""
    person = request.auth
    permissions.own_organization(person)
    partner = None
    if payload.partner:
        partner = services.candidate_organizations(person).filter(slug=payload.partner).first()
        if partner is None:
            raise ValidationError({"partner": "Choose an organization of one of your networks."})
    owner = _owner(person, payload.owner) if payload.owner is not None else person
    prospect = services.prospect_add(
        actor=person,
        partner=partner,
        name=payload.name,
        website=payload.website,
        owner=owner,
        next_step=payload.next_step,
        next_step_on=payload.next_step_on,
    )
    prospect = permissions.get_prospect_for(person, prospect.pk)
    return Status(201, _detail(request, prospect))


@router.get(
    "/agenda/prospects/{prospect_id}",
    response={200: AgendaProspectDetailOut, **ERRORS},
    summary="A prospect with its scorecard, due diligence and memo",
)
def get_agenda_prospect(request, prospect_id: int = ProspectId):
    """One prospect of your organization: stage, owner, next step, scorecard, due diligence and
    memo. Another organization's prospect answers 404."""
    return _detail(request, permissions.get_prospect_for(request.auth, prospect_id))


@router.patch(
    "/agenda/prospects/{prospect_id}",
    response={200: AgendaProspectDetailOut, **BODY_ERRORS},
    summary="Change a prospect's owner, next step or website",
)
def update_agenda_prospect(request, payload: AgendaProspectPatch, prospect_id: int = ProspectId):
    """Team leaders and the prospect's owner. Change the owner, the next step and its date."""
    person = request.auth
    prospect = permissions.get_prospect_for(person, prospect_id, write=True)
    given = payload.model_dump(exclude_unset=True)
    services.prospect_update(
        actor=person,
        prospect=prospect,
        owner=_owner(person, given["owner"]) if "owner" in given else prospect.owner,
        next_step=given.get("next_step", prospect.next_step) or "",
        next_step_on=given.get("next_step_on", prospect.next_step_on),
        website=given.get("website"),
    )
    return _detail(request, permissions.get_prospect_for(person, prospect_id))


@router.post(
    "/agenda/prospects/{prospect_id}/stage",
    response={200: AgendaProspectDetailOut, **BODY_ERRORS},
    summary="Move a prospect to another stage",
)
def move_agenda_prospect(request, payload: AgendaStageIn, prospect_id: int = ProspectId):
    """Declining or parking needs a reason; approaching needs due diligence first (a team
    leader may override open required items with a reason, which is kept)."""
    person = request.auth
    prospect = permissions.get_prospect_for(person, prospect_id, write=True)
    services.prospect_move(actor=person, prospect=prospect, **payload.model_dump())
    return _detail(request, permissions.get_prospect_for(person, prospect_id))


@router.put(
    "/agenda/prospects/{prospect_id}/scores/{criterion_id}",
    response={200: AgendaScoreOut, **BODY_ERRORS},
    summary="Score a prospect on a criterion",
)
def score_agenda_prospect(
    request, payload: AgendaScoreIn, prospect_id: int = ProspectId, criterion_id: int = CriterionId
):
    """Team leaders and the prospect's owner. Score one criterion (0-4, within its scale) with its
    evidence."""
    person = request.auth
    prospect = permissions.get_prospect_for(person, prospect_id, write=True)
    criterion = permissions.get_criterion_for(person, criterion_id)
    data = payload.model_dump()
    score = services.score_set(
        actor=person,
        prospect=prospect,
        criterion=criterion,
        value=data["value"],
        note=data["note"],
        link=data["link"],
        document_id=data["document"],
    )
    return {
        "criterion_id": criterion.pk,
        "criterion": criterion.name,
        "weight": float(criterion.weight),
        "value": score.value,
        "anchor": criterion.anchor(score.value),
        "note": score.note,
        "link": score.link,
        "document": score.document,
        "scored_by": score.scored_by,
        "scored_at": score.scored_at,
    }


@router.delete(
    "/agenda/prospects/{prospect_id}/scores/{criterion_id}",
    response={204: None, **ERRORS},
    summary="Clear a score",
)
def clear_agenda_score(request, prospect_id: int = ProspectId, criterion_id: int = CriterionId):
    """Team leaders and the prospect's owner. Remove the score of one criterion (the prospect is
    then scored on fewer criteria)."""
    person = request.auth
    prospect = permissions.get_prospect_for(person, prospect_id, write=True)
    criterion = permissions.get_criterion_for(person, criterion_id)
    services.score_clear(actor=person, prospect=prospect, criterion=criterion)
    return Status(204, None)


@router.patch(
    "/agenda/prospects/{prospect_id}/checks/{check_id}",
    response={200: AgendaCheckOut, **BODY_ERRORS},
    summary="Tick a due-diligence item",
)
def update_agenda_check(
    request, payload: AgendaCheckIn, prospect_id: int = ProspectId, check_id: int = CheckId
):
    """Team leaders and the prospect's owner. Record a due-diligence item's status and evidence;
    who checked it and when are kept."""
    person = request.auth
    prospect = permissions.get_prospect_for(person, prospect_id, write=True)
    check = permissions.get_check_for(person, prospect, check_id)
    return services.check_update(actor=person, check=check, **payload.model_dump())


@router.put(
    "/agenda/prospects/{prospect_id}/memo",
    response={200: AgendaProspectDetailOut, **BODY_ERRORS},
    summary="Save the decision memo",
)
def save_agenda_memo(request, payload: AgendaMemoIn, prospect_id: int = ProspectId):
    """Team leaders and the prospect's owner. Save the one-page decision memo: context, options,
    top three risks, recommendation."""
    person = request.auth
    prospect = permissions.get_prospect_for(person, prospect_id, write=True)
    services.memo_save(actor=person, prospect=prospect, **payload.model_dump())
    return _detail(request, permissions.get_prospect_for(person, prospect_id))


def _own_network(person, slug: str) -> Network:
    network = (
        Network.objects.filter(pk__in=active_network_ids(person.organization.pk), slug=slug)
        .order_by()
        .first()
    )
    if network is None:
        raise ValidationError({"network": "Choose one of your networks."})
    return network


@router.post(
    "/agenda/prospects/{prospect_id}/invitations",
    response={201: AgendaInviteOut, **BODY_ERRORS},
    summary="Invite a prospect into one of your networks",
)
def invite_agenda_prospect(request, payload: AgendaInviteIn, prospect_id: int = ProspectId):
    """An ordinary invitation by email (it still has to accept); it says nothing of the
    agenda."""
    person = request.auth
    prospect = permissions.get_prospect_for(person, prospect_id, write=True)
    network = _own_network(person, payload.network)
    invitation, _raw = services.prospect_invite(
        actor=person,
        prospect=prospect,
        network=network,
        email=payload.email,
        message=payload.message,
    )
    return Status(
        201, {"invitation_id": invitation.pk, "email": invitation.email, "network": network.slug}
    )


@router.post(
    "/agenda/prospects/{prospect_id}/initiatives",
    response={201: AgendaProposeOut, **BODY_ERRORS},
    summary="Propose an initiative with a prospect",
)
def propose_agenda_initiative(request, payload: AgendaProposeIn, prospect_id: int = ProspectId):
    """Proposes the initiative and invites the prospect to take part (it still has to
    accept)."""
    person = request.auth
    prospect = permissions.get_prospect_for(person, prospect_id, write=True)
    data = payload.model_dump()
    data["network"] = _own_network(person, data["network"])
    initiative = services.prospect_propose_initiative(actor=person, prospect=prospect, **data)
    return Status(
        201,
        {
            "initiative_id": initiative.pk,
            "title": initiative.title,
            "network": data["network"].slug,
        },
    )


@router.get(
    "/agenda/next-steps",
    response={200: list[AgendaProspectOut], **ERRORS},
    summary="Your prospects whose next step is due",
)
@paginate(Pagination)
def list_agenda_next_steps(request):
    """Prospects you own whose next step is due within 7 days or overdue."""
    permissions.own_organization(request.auth)
    rows = list(selectors.next_steps_due_for(request.auth).select_related("owner", "partner"))
    organization = request.auth.organization
    ranked = {p.pk: p for p in selectors.prioritized(organization)}
    return [ranked[p.pk] for p in rows if p.pk in ranked]
