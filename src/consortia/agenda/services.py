"""Every write of the partnering agenda: the agenda and its versions, criteria, prospects,
scores, due diligence, decision memos, and acting on a prospect through other apps' services.

Nothing written here reaches another organization: every event is private to the acting
organization (audience "organization", no network), nothing notifies anyone, and the prospect
organization is never told it is one. Inviting a prospect or proposing an initiative with it
goes through the networks and initiatives services, which speak of an invitation only — never
of the agenda.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from consortia.core.events import emit
from consortia.core.models import Audience
from consortia.core.validators import validate_name
from consortia.networks import permissions as network_permissions
from consortia.networks.models import Network, Organization, OrgMembership, Person

from . import permissions
from .models import (
    AFTER_DILIGENCE,
    CLOSED_STAGES,
    DEFAULT_TEMPLATE,
    SECTION_FIELDS,
    SECTION_LABELS,
    Agenda,
    AgendaVersion,
    Criterion,
    DiligenceCheck,
    DiligenceTemplateItem,
    Prospect,
    Score,
    Stage,
    StageChange,
)

MAX_SECTION = 20_000
MAX_CRITERIA = 50
MAX_PROSPECTS = 1_000
MAX_TEMPLATE_ITEMS = 30
MAX_WEIGHT = Decimal("1000")


def _event(actor, organization, verb: str, summary: str, obj=None, **data):
    """An event only the organization's own people see: no network, no partner."""
    return emit(
        actor=actor,
        organization=organization,
        verb=verb,
        summary=summary,
        audience=Audience.ORGANIZATION,
        audience_organization=organization,
        obj=obj,
        data=data,
    )


def _text(value, field: str, label: str, *, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: f"{label} cannot contain NUL characters."})
    if required and not value:
        raise ValidationError({field: f"{label} is required."})
    if len(value) > max_length:
        raise ValidationError({field: f"{label} is at most {max_length} characters."})
    return value


def _url(value, field: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValidationError(
            {field: "Enter a web address starting with http:// or https://."}
        ) from None
    if len(value) > (200 if field == "website" else 500):
        raise ValidationError({field: "This address is too long."})
    return value


# The agenda ---------------------------------------------------------------------------------


def agenda_of(organization: Organization) -> Agenda:
    """The organization's agenda, unsaved (version 0) when nobody wrote it yet."""
    agenda = Agenda.objects.filter(organization=organization).select_related("updated_by").first()
    return agenda or Agenda(organization=organization)


@transaction.atomic
def agenda_save(*, actor: Person, partner_capacity: int | None = None, **sections) -> Agenda:
    """A team leader saves the agenda. A save that changes something becomes a new version
    (every earlier version is kept); a save that changes nothing changes nothing."""
    permissions.require_agenda_writer(actor)
    organization = actor.organization
    unknown = set(sections) - set(SECTION_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown sections: {', '.join(sorted(unknown))}.")
    if partner_capacity is not None:
        if isinstance(partner_capacity, bool) or not isinstance(partner_capacity, int):
            raise ValidationError({"partner_capacity": "Give a whole number of partners."})
        if not 0 <= partner_capacity <= 10000:
            raise ValidationError(
                {"partner_capacity": "Give a number of partners between 0 and 10,000."}
            )
    agenda, _created = Agenda.objects.select_for_update().get_or_create(organization=organization)
    before = agenda.snapshot()
    for name, value in sections.items():
        setattr(agenda, name, _text(value, name, SECTION_LABELS[name], max_length=MAX_SECTION))
    agenda.partner_capacity = partner_capacity
    after = agenda.snapshot()
    changed = [name for name in after if after[name] != before[name]]
    if not changed and agenda.version:
        return agenda
    agenda.version += 1
    agenda.updated_by = actor
    agenda.updated_at = timezone.now()
    agenda.save()
    AgendaVersion.objects.create(
        agenda=agenda,
        number=agenda.version,
        content=after,
        changed=changed,
        saved_by=actor,
        saved_at=agenda.updated_at,
    )
    _event(
        actor,
        organization,
        "agenda.saved",
        f"{actor} saved version {agenda.version} of the partnering agenda",
        agenda,
        changed=changed,
    )
    return agenda


# Criteria -----------------------------------------------------------------------------------


def _weight(value) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError({"weight": "The weight must be a positive number."})
    try:
        weight = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"weight": "The weight must be a positive number."}) from None
    if not weight.is_finite() or weight <= 0:
        raise ValidationError({"weight": "The weight must be a positive number (more than 0)."})
    if weight > MAX_WEIGHT:
        raise ValidationError({"weight": f"The weight is at most {MAX_WEIGHT}."})
    if weight != weight.quantize(Decimal("0.01")):
        raise ValidationError({"weight": "Give the weight with at most two decimals."})
    return weight


def _criterion_fields(name, group, weight, scale) -> dict:
    if group not in Criterion.Group.values:
        raise ValidationError({"group": "Choose strategic, operational, cultural fit or risk."})
    if scale is None or len(scale) != 5:
        raise ValidationError({"scale": "Describe each of the five steps, 0 to 4."})
    fields = {
        "name": validate_name(
            _text(name, "name", "The name", max_length=100, required=True), "name"
        ),
        "group": group,
        "weight": _weight(weight),
    }
    for step, words in enumerate(scale):
        fields[f"scale_{step}"] = _text(
            words, f"scale_{step}", f"Step {step} of the scale", max_length=120, required=True
        )
    return fields


def _save_criterion(criterion: Criterion) -> Criterion:
    duplicate = (
        Criterion.objects.filter(
            organization_id=criterion.organization_id, name__iexact=criterion.name
        )
        .exclude(pk=criterion.pk)
        .exists()
    )
    if duplicate:
        raise ValidationError({"name": "There is already a criterion with this name."})
    criterion.save()
    return criterion


@transaction.atomic
def criterion_create(
    *, actor: Person, name: str, weight, scale: list[str], group: str = "strategic"
) -> Criterion:
    permissions.require_agenda_writer(actor)
    organization = actor.organization
    fields = _criterion_fields(name, group, weight, scale)
    if Criterion.objects.filter(organization=organization).count() >= MAX_CRITERIA:
        raise ValidationError(f"An agenda has at most {MAX_CRITERIA} criteria.")
    criterion = _save_criterion(Criterion(organization=organization, **fields))
    _event(
        actor,
        organization,
        "agenda.criterion_added",
        f"{actor} added the criterion “{criterion}”",
        criterion,
    )
    return criterion


@transaction.atomic
def criterion_update(
    *, actor: Person, criterion: Criterion, name: str, weight, scale: list[str], group: str
) -> Criterion:
    permissions.require_agenda_writer(actor)
    if criterion.organization_id != actor.organization.pk:
        raise ValidationError("This criterion belongs to another organization.")
    for key, value in _criterion_fields(name, group, weight, scale).items():
        setattr(criterion, key, value)
    _save_criterion(criterion)
    _event(
        actor,
        actor.organization,
        "agenda.criterion_changed",
        f"{actor} changed the criterion “{criterion}”",
        criterion,
    )
    return criterion


@transaction.atomic
def criterion_delete(*, actor: Person, criterion: Criterion) -> None:
    permissions.require_agenda_writer(actor)
    if criterion.organization_id != actor.organization.pk:
        raise ValidationError("This criterion belongs to another organization.")
    name = criterion.name
    criterion.delete()
    _event(
        actor,
        actor.organization,
        "agenda.criterion_removed",
        f"{actor} removed the criterion “{name}” and its scores",
    )


# The due-diligence template -----------------------------------------------------------------


def template_of(organization: Organization) -> list:
    """The organization's template; the default items until it changes them."""
    items = list(DiligenceTemplateItem.objects.filter(organization=organization))
    if items:
        return items
    return [
        DiligenceTemplateItem(
            organization=organization, title=t, description=d, required=r, position=n
        )
        for n, (t, d, r) in enumerate(DEFAULT_TEMPLATE)
    ]


def _stored_template(organization) -> list:
    items = list(
        DiligenceTemplateItem.objects.select_for_update().filter(organization=organization)
    )
    if not items:
        items = DiligenceTemplateItem.objects.bulk_create(template_of(organization))
    return items


@transaction.atomic
def template_item_add(
    *, actor: Person, title: str, description: str = "", required: bool = True
) -> DiligenceTemplateItem:
    permissions.require_agenda_writer(actor)
    organization = actor.organization
    items = _stored_template(organization)
    title = validate_name(
        _text(title, "title", "The title", max_length=150, required=True), "title"
    )
    description = _text(description, "description", "The description", max_length=500)
    if any(item.title.lower() == title.lower() for item in items):
        raise ValidationError({"title": "The template already has an item with this title."})
    if len(items) >= MAX_TEMPLATE_ITEMS:
        raise ValidationError(f"A template has at most {MAX_TEMPLATE_ITEMS} items.")
    position = max((item.position for item in items), default=-1) + 1
    item = DiligenceTemplateItem.objects.create(
        organization=organization,
        title=title,
        description=description,
        required=bool(required),
        position=position,
    )
    _event(
        actor,
        organization,
        "agenda.template_changed",
        f"{actor} added “{title}” to the due-diligence template",
        item,
    )
    return item


@transaction.atomic
def template_item_remove(*, actor: Person, item_id: int) -> None:
    permissions.require_agenda_writer(actor)
    organization = actor.organization
    items = _stored_template(organization)
    # The defaults were just stored: their ids are new, so remove by position when given one.
    match = next((i for i in items if i.pk == item_id), None)
    if match is None:
        raise ValidationError("No such template item.")
    match.delete()
    _event(
        actor,
        organization,
        "agenda.template_changed",
        f"{actor} removed “{match.title}” from the due-diligence template",
    )


# Prospects ----------------------------------------------------------------------------------


def candidate_organizations(person):
    """Organizations that may be added as prospects: those of the person's networks (active
    members and applicants), never the person's own."""
    org_id = network_permissions.org_id_of(person)
    return network_permissions.organizations_visible_to(person).exclude(pk=org_id)


def _owner(actor, owner) -> Person | None:
    if owner is None:
        return None
    owner_org = (
        OrgMembership.objects.filter(person=owner).values_list("organization_id", flat=True).first()
    )
    if owner_org != actor.organization.pk:
        raise ValidationError({"owner": "The owner must be a person of your organization."})
    return owner


def _next_step(next_step, next_step_on):
    next_step = _text(next_step, "next_step", "The next step", max_length=300)
    if next_step_on is not None and not isinstance(next_step_on, date):
        raise ValidationError({"next_step_on": "Give the date of the next step."})
    if next_step_on is not None and not date(2000, 1, 1) <= next_step_on <= date(2199, 12, 31):
        raise ValidationError({"next_step_on": "Give a date between the years 2000 and 2199."})
    return next_step, next_step_on


@transaction.atomic
def prospect_add(
    *,
    actor: Person,
    partner: Organization | None = None,
    name: str = "",
    website: str = "",
    owner: Person | None = None,
    next_step: str = "",
    next_step_on: date | None = None,
) -> Prospect:
    """Add a prospect: an organization of one of the actor's networks (`partner`), or an
    outside one by name and website. Any person of the organization may add one; it is theirs
    to own unless they name a colleague. The prospect is told nothing."""
    organization = permissions.own_organization(actor)
    network_permissions.require_person_may(actor)
    if partner is not None:
        if partner.pk == organization.pk:
            raise ValidationError({"partner": "Your own organization cannot be a prospect."})
        if not candidate_organizations(actor).filter(pk=partner.pk).exists():
            raise ValidationError({"partner": "Choose an organization of one of your networks."})
        name = partner.name
        website = website or partner.website
    else:
        name = validate_name(
            _text(name, "name", "The organization's name", max_length=150, required=True), "name"
        )
        if (
            Organization.objects.filter(name__iexact=name)
            .filter(pk__in=candidate_organizations(actor).values("pk"))
            .exists()
        ):
            raise ValidationError(
                {"name": f"{name} is in one of your networks: choose it from the list instead."}
            )
    website = _url(website, "website")
    owner = _owner(actor, owner if owner is not None else actor)
    next_step, next_step_on = _next_step(next_step, next_step_on)
    if (
        partner is not None
        and Prospect.objects.filter(organization=organization, partner=partner).exists()
    ):
        raise ValidationError({"partner": f"{name} is already on your list of prospects."})
    if Prospect.objects.filter(organization=organization, name__iexact=name).exists():
        field = "partner" if partner is not None else "name"
        raise ValidationError({field: f"{name} is already on your list of prospects."})
    if Prospect.objects.filter(organization=organization).count() >= MAX_PROSPECTS:
        raise ValidationError(f"A list holds at most {MAX_PROSPECTS} prospects.")
    try:
        with transaction.atomic():
            prospect = Prospect.objects.create(
                organization=organization,
                partner=partner,
                name=name,
                website=website,
                owner=owner,
                next_step=next_step,
                next_step_on=next_step_on,
                created_by=actor,
            )
    except IntegrityError:  # added at the same moment by a colleague
        raise ValidationError({"name": f"{name} is already on your list of prospects."}) from None
    DiligenceCheck.objects.bulk_create(
        DiligenceCheck(
            prospect=prospect,
            title=item.title,
            description=item.description,
            required=item.required,
            position=item.position,
        )
        for item in template_of(organization)
    )
    StageChange.objects.create(prospect=prospect, to_stage=prospect.stage, changed_by=actor)
    _event(
        actor,
        organization,
        "agenda.prospect_added",
        f"{actor} added {name} to the prospects",
        prospect,
    )
    return prospect


@transaction.atomic
def prospect_update(
    *,
    actor: Person,
    prospect: Prospect,
    owner: Person | None,
    next_step: str = "",
    next_step_on: date | None = None,
    website: str | None = None,
) -> Prospect:
    permissions.require_prospect_writer(actor, prospect)
    prospect.owner = _owner(actor, owner)
    prospect.next_step, prospect.next_step_on = _next_step(next_step, next_step_on)
    fields = ["owner", "next_step", "next_step_on"]
    if website is not None:
        prospect.website = _url(website, "website")
        fields.append("website")
    # Only these fields: a stage moved meanwhile (another request) is not written back.
    prospect.save(update_fields=fields)
    _event(
        actor,
        prospect.organization,
        "agenda.prospect_updated",
        f"{actor} updated the prospect {prospect}",
        prospect,
    )
    return prospect


def open_required_checks(prospect: Prospect):
    return prospect.checks.filter(required=True, status=DiligenceCheck.Status.OPEN)


@transaction.atomic
def prospect_move(
    *,
    actor: Person,
    prospect: Prospect,
    stage: str,
    reason: str = "",
    override_reason: str = "",
) -> Prospect:
    """Move a prospect in the pipeline. Declining or parking needs a reason. Approaching (and
    partnering) needs due diligence first: the prospect must have gone through the due-
    diligence stage, and its required items must be checked — unless a team leader overrides
    with a reason, which is kept with the move."""
    permissions.require_prospect_writer(actor, prospect)
    prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
    if stage not in Stage.values:
        raise ValidationError({"stage": "Choose one of the stages."})
    if stage == prospect.stage:
        raise ValidationError(
            {"stage": f"The prospect is already “{prospect.get_stage_display()}”."}
        )
    reason = _text(reason, "reason", "The reason", max_length=2000)
    override_reason = _text(
        override_reason, "override_reason", "The override reason", max_length=2000
    )
    if stage in CLOSED_STAGES and not reason:
        raise ValidationError({"reason": f"Say why the prospect is {Stage(stage).label.lower()}."})
    override = ""
    if stage in AFTER_DILIGENCE:
        if prospect.diligence_started_at is None:
            raise ValidationError(
                {
                    "stage": "Due diligence comes first: move the prospect to “Due diligence” "
                    "before approaching it."
                }
            )
        open_items = list(open_required_checks(prospect).values_list("title", flat=True))
        if open_items and prospect.stage not in AFTER_DILIGENCE:
            if not override_reason:
                raise ValidationError(
                    {
                        "stage": "Required due diligence is still open: "
                        + ", ".join(open_items)
                        + ". Check it first, or a team leader overrides with a reason."
                    }
                )
            if not actor.is_team_leader:
                raise ValidationError({"override_reason": permissions.OVERRIDE_LEADERS})
            override = override_reason
    previous = prospect.stage
    prospect.stage = stage
    prospect.stage_reason = reason
    prospect.stage_changed_at = timezone.now()
    if stage == Stage.DUE_DILIGENCE and prospect.diligence_started_at is None:
        prospect.diligence_started_at = prospect.stage_changed_at
    prospect.save()
    StageChange.objects.create(
        prospect=prospect,
        from_stage=previous,
        to_stage=stage,
        reason=reason,
        override_reason=override,
        changed_by=actor,
        changed_at=prospect.stage_changed_at,
    )
    summary = f"{actor} moved {prospect} to “{prospect.get_stage_display()}”"
    if override:
        summary += " with required due diligence open (override)"
    _event(actor, prospect.organization, "agenda.prospect_moved", summary, prospect, stage=stage)
    return prospect


# Scores -------------------------------------------------------------------------------------


def _score_value(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValidationError({"value": "Give a score from 0 to 4."}) from None
    if not 0 <= value <= 4:
        raise ValidationError({"value": "The score is on the criterion's scale: 0 to 4."})
    return value


def own_documents(organization):
    from consortia.sharing.models import Item

    return Item.objects.filter(organization=organization, kind=Item.Kind.DOCUMENT)


@transaction.atomic
def score_set(
    *,
    actor: Person,
    prospect: Prospect,
    criterion: Criterion,
    value,
    note: str = "",
    link: str = "",
    document_id: int | None = None,
) -> Score:
    permissions.require_prospect_writer(actor, prospect)
    if criterion.organization_id != prospect.organization_id:
        raise ValidationError({"criterion": "No such criterion."})
    value = _score_value(value)
    note = _text(note, "note", "The note", max_length=5000)
    link = _url(link, "link")
    document = None
    if document_id is not None:
        document = own_documents(prospect.organization).filter(pk=document_id).first()
        if document is None:
            raise ValidationError(
                {"document": "Choose one of your organization's own shared documents."}
            )
    score, _created = Score.objects.update_or_create(
        prospect=prospect,
        criterion=criterion,
        defaults={
            "value": value,
            "note": note,
            "link": link,
            "document": document,
            "scored_by": actor,
            "scored_at": timezone.now(),
        },
    )
    _event(
        actor,
        prospect.organization,
        "agenda.prospect_scored",
        f"{actor} scored {prospect} {value}/4 on “{criterion}”",
        prospect,
    )
    return score


@transaction.atomic
def score_clear(*, actor: Person, prospect: Prospect, criterion: Criterion) -> None:
    permissions.require_prospect_writer(actor, prospect)
    Score.objects.filter(prospect=prospect, criterion=criterion).delete()


# Due diligence and the decision memo --------------------------------------------------------


@transaction.atomic
def check_update(
    *, actor: Person, check: DiligenceCheck, status: str, evidence: str = ""
) -> DiligenceCheck:
    prospect = check.prospect
    permissions.require_prospect_writer(actor, prospect)
    if status not in DiligenceCheck.Status.values:
        raise ValidationError({"status": "Choose open, fine, concern or not applicable."})
    check.evidence = _text(evidence, "evidence", "The evidence", max_length=5000)
    check.status = status
    if status == DiligenceCheck.Status.OPEN:
        check.checked_by, check.checked_at = None, None
    else:
        check.checked_by, check.checked_at = actor, timezone.now()
    check.save()
    _event(
        actor,
        prospect.organization,
        "agenda.diligence_checked",
        f"{actor} marked “{check.title}” of {prospect} as {check.get_status_display().lower()}",
        prospect,
    )
    return check


@transaction.atomic
def memo_save(
    *,
    actor: Person,
    prospect: Prospect,
    context: str = "",
    options: str = "",
    risks: list[str] | None = None,
    recommendation: str = "",
) -> Prospect:
    permissions.require_prospect_writer(actor, prospect)
    risks = list(risks or [])
    if len(risks) > 3:
        raise ValidationError({"risks": "The memo names its top three risks, no more."})
    risks += [""] * (3 - len(risks))
    prospect.memo_context = _text(context, "context", "The context", max_length=5000)
    prospect.memo_options = _text(options, "options", "The options", max_length=5000)
    for n, risk in enumerate(risks, 1):
        setattr(prospect, f"memo_risk_{n}", _text(risk, f"risk_{n}", f"Risk {n}", max_length=300))
    prospect.memo_recommendation = _text(
        recommendation, "recommendation", "The recommendation", max_length=5000
    )
    prospect.memo_updated_by, prospect.memo_updated_at = actor, timezone.now()
    prospect.save(
        update_fields=[f.name for f in Prospect._meta.fields if f.name.startswith("memo_")]
    )
    _event(
        actor,
        prospect.organization,
        "agenda.memo_saved",
        f"{actor} saved the decision memo on {prospect}",
        prospect,
    )
    return prospect


# Acting on a prospect through the other apps ------------------------------------------------


@transaction.atomic
def prospect_invite(
    *, actor: Person, prospect: Prospect, network: Network, email: str, message: str = ""
):
    """Invite the prospect's organization into one of the actor's networks, through the
    networks service: the invitee receives an ordinary invitation (it still has to accept) that
    says nothing of the agenda."""
    from consortia.networks import services as network_services

    permissions.require_prospect_writer(actor, prospect)
    invitation, raw = network_services.network_invite_organization(
        actor=actor, network=network, email=email, message=message
    )
    _event(
        actor,
        prospect.organization,
        "agenda.prospect_invited",
        f"{actor} invited {prospect} into {network}",
        prospect,
        network=network.slug,
    )
    return invitation, raw


@transaction.atomic
def prospect_propose_initiative(
    *,
    actor: Person,
    prospect: Prospect,
    network: Network,
    title: str,
    objective: str,
    starts_on: date,
    ends_on: date,
):
    """Propose an initiative in `network` and invite the prospect to take part, through the
    initiatives services (it joins only if it accepts)."""
    from consortia.initiatives import services as initiative_services

    permissions.require_prospect_writer(actor, prospect)
    if prospect.partner_id is None:
        raise ValidationError(
            {"network": "Invite the organization into a network first: it is not on Consortia."}
        )
    from consortia.initiatives.models import Initiative, Participation

    # A second submit of the same proposal opens no second initiative and sends no second
    # invitation while the first one is still waiting for an answer.
    duplicate = Initiative.objects.filter(
        network=network,
        proposed_by_id=prospect.organization_id,
        title__iexact=(title or "").strip(),
        status=Initiative.Status.PROPOSED,
        participations__organization_id=prospect.partner_id,
        participations__status=Participation.Status.INVITED,
    ).first()
    if duplicate is not None:
        raise ValidationError(
            {
                "title": f"{prospect.partner} is already invited to “{duplicate}”: "
                "open it from the network's initiatives."
            }
        )
    initiative = initiative_services.initiative_propose(
        actor=actor,
        network=network,
        title=title,
        objective=objective,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    initiative_services.participation_invite(
        actor=actor, initiative=initiative, organization=prospect.partner
    )
    _event(
        actor,
        prospect.organization,
        "agenda.prospect_initiative_proposed",
        f"{actor} proposed “{initiative}” with {prospect}",
        prospect,
        initiative=initiative.pk,
    )
    return initiative


def prospect_url(prospect: Prospect) -> str:
    return reverse("agenda_prospect", args=[prospect.pk])
