"""REST operations: health checks (only the organizations taking part; everyone else 404)."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Path, Router
from ninja.pagination import paginate
from ninja.responses import Status

from consortia.core.pagination import Pagination
from consortia.core.schemas import BODY_ERRORS, ERRORS, MAX_ID, SLUG_PATTERN
from consortia.initiatives import permissions as initiative_permissions
from consortia.networks import permissions as network_permissions
from consortia.networks.models import Organization, Person

from . import permissions, selectors, services
from .schemas import (
    HealthCheckActionIn,
    HealthCheckActionOut,
    HealthCheckAnswerIn,
    HealthCheckDetailOut,
    HealthCheckOpenIn,
    HealthCheckOut,
    HealthCheckRaterIn,
    HealthCheckRaterOut,
)

router = Router(tags=["health checks"])


def Id(description: str):
    return Path(..., ge=1, le=MAX_ID, description=description)


def Slug():
    return Path(..., max_length=60, pattern=SLUG_PATTERN, description="The network's slug.")


def _summary(check, now) -> dict:
    return {
        "id": check.pk,
        "network": check.network.slug,
        "initiative_id": check.initiative_id,
        "title": check.title,
        "deadline": check.deadline,
        "created_at": check.created_at,
        "unsealed": check.is_unsealed_at(now),
        "unsealed_at": check.unsealed_at,
        "sides": [
            {
                "organization_id": s.organization_id,
                "organization": s.organization.name,
                "answered": s.answered_at is not None,
            }
            for s in check.sides.all()
        ],
    }


def _detail(person, check) -> dict:
    now = timezone.now()
    result = selectors.results(person, check, now=now)
    side = permissions.side_of(person, check)
    answered = selectors.answered_people(side) if side else set()
    data = _summary(check, now)
    data["dimensions"] = [
        {
            "key": d["key"],
            "label": d["label"],
            "sides": [
                {
                    "organization_id": b["organization_id"],
                    "organization": b["organization"],
                    "score": b["score"],
                }
                for b in d["bars"]
            ],
            "gap": d["gap"],
            "comments": [
                {"organization": c["organization"], "score": c["score"], "comment": c["comment"]}
                for c in d["comments"]
            ],
        }
        for d in result["dimensions"]
    ]
    data["may_answer"] = (
        not result["unsealed"]
        and permissions.may_answer(person, side)
        and person.pk not in answered
    )
    data["action_items"] = [
        {
            "id": a.pk,
            "title": a.title,
            "to_organization": a.to_organization.name if a.to_organization else None,
            "request_id": a.request_id,
            "created_at": a.created_at,
        }
        for a in selectors.action_items_of(check)
    ]
    return data


def _load(person, check_id):
    check = permissions.get_check_for(person, check_id)
    services.unseal_if_due(check)
    return check


def _with_sides(checks):
    return checks.select_related("network").prefetch_related("sides__organization")


@router.get(
    "/networks/{slug}/health-checks",
    response={200: list[HealthCheckOut], **ERRORS},
    summary="List your organization's health checks in a network",
)
@paginate(Pagination)
def list_health_checks(request, slug: str = Slug()):
    """Newest first; only those your organization takes part in."""
    network = network_permissions.get_network_for(request.auth, slug, need="member")
    return _with_sides(permissions.checks_visible_to(request.auth, network)).order_by(
        "-created_at", "-id"
    )


@router.post(
    "/networks/{slug}/health-checks",
    response={201: HealthCheckDetailOut, **BODY_ERRORS},
    summary="Open a health check",
)
def open_health_check(request, payload: HealthCheckOpenIn, slug: str = Slug()):
    """A team leader opens a health check with a partner organization, or among the
    participants of an initiative. Answers stay sealed until every side answered or the
    deadline passes."""
    network = network_permissions.get_network_for(request.auth, slug, need="member")
    partner = initiative = None
    if payload.partner_organization_id is not None:
        partner = Organization.objects.filter(pk=payload.partner_organization_id).first()
        if partner is None:
            raise ValidationError({"partner_organization_id": "No such organization."})
    if payload.initiative_id is not None:
        initiative = (
            initiative_permissions.initiatives_visible_to(request.auth, network)
            .filter(pk=payload.initiative_id)
            .first()
        )
        if initiative is None:
            raise ValidationError({"initiative_id": "No such initiative in this network."})
    try:
        check = services.health_check_open(
            actor=request.auth,
            network=network,
            partner=partner,
            initiative=initiative,
            deadline=payload.deadline,
            title=payload.title,
        )
    except ValidationError as exc:
        raise _renamed(
            exc, {"partner": "partner_organization_id", "initiative": "initiative_id"}
        ) from None
    return Status(201, _detail(request.auth, _load(request.auth, check.pk)))


def _renamed(exc: ValidationError, names: dict) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


@router.get(
    "/health-checks/waiting",
    response={200: list[HealthCheckOut], **ERRORS},
    summary="Health checks waiting for your answer",
)
@paginate(Pagination)
def waiting_health_checks(request):
    """Sealed health checks your organization has not answered and you may still answer."""
    return _with_sides(selectors.waiting_for(request.auth))


@router.get(
    "/health-checks/{health_check_id}",
    response={200: HealthCheckDetailOut, **ERRORS},
    summary="Get a health check",
)
def get_health_check(request, health_check_id: int = Id("The health check's id.")):
    """Each side's scores and the perception gap once unsealed; before, your side's only."""
    return _detail(request.auth, _load(request.auth, health_check_id))


@router.post(
    "/health-checks/{health_check_id}/answers",
    response={201: HealthCheckDetailOut, **BODY_ERRORS},
    summary="Answer a health check",
)
def answer_health_check(
    request, payload: HealthCheckAnswerIn, health_check_id: int = Id("The health check's id.")
):
    """Rate the partnership 1-5 on every dimension, with a comment each (a team leader of a
    side, or a colleague invited to rate). One answer per person; it cannot change."""
    check = _load(request.auth, health_check_id)
    services.answer_submit(
        actor=request.auth,
        health_check=check,
        scores=payload.scores.model_dump(),
        comments=payload.comments.model_dump(),
    )
    return Status(201, _detail(request.auth, _load(request.auth, health_check_id)))


@router.post(
    "/health-checks/{health_check_id}/raters",
    response={201: HealthCheckRaterOut, **BODY_ERRORS},
    summary="Invite a colleague to answer a health check",
)
def invite_rater(
    request, payload: HealthCheckRaterIn, health_check_id: int = Id("The health check's id.")
):
    """A team leader of a side asks a colleague of the same organization to rate too."""
    check = _load(request.auth, health_check_id)
    person = Person.objects.filter(pk=payload.person_id).first()
    if person is None:
        raise ValidationError({"person_id": "No such person."})
    try:
        rater = services.rater_invite(actor=request.auth, health_check=check, person=person)
    except ValidationError as exc:
        raise _renamed(exc, {"person": "person_id"}) from None
    return Status(201, {"id": rater.pk, "person_id": person.pk, "person": str(person)})


@router.post(
    "/health-checks/{health_check_id}/actions",
    response={201: HealthCheckActionOut, **BODY_ERRORS},
    summary="Agree an action item (sent as a request)",
)
def add_health_check_action(
    request, payload: HealthCheckActionIn, health_check_id: int = Id("The health check's id.")
):
    """Once unsealed: an action item, sent as a request in the health check's initiative (or,
    for a pair, `initiative_id`); it becomes a commitment once accepted."""
    check = _load(request.auth, health_check_id)
    organization = Organization.objects.filter(pk=payload.to_organization_id).first()
    if organization is None:
        raise ValidationError({"to_organization_id": "No such organization."})
    initiative = None
    if payload.initiative_id is not None:
        initiative = (
            services.action_initiatives(request.auth, check)
            .filter(pk=payload.initiative_id)
            .first()
        )
        if initiative is None:
            raise ValidationError(
                {"initiative_id": "Choose an initiative of the network you take part in."}
            )
    try:
        item = services.action_add(
            actor=request.auth,
            health_check=check,
            to_organization=organization,
            title=payload.title,
            due_on=payload.due_on,
            initiative=initiative,
            description=payload.description,
        )
    except ValidationError as exc:
        raise _renamed(
            exc, {"to_organization": "to_organization_id", "initiative": "initiative_id"}
        ) from None
    return Status(
        201,
        {
            "id": item.pk,
            "title": item.title,
            "to_organization": organization.name,
            "request_id": item.request_id,
            "created_at": item.created_at,
        },
    )
