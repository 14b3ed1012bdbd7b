"""REST operations: joint reviews (participants of the initiative; outsiders 404)."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Path, Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from consortia.core.pagination import Pagination
from consortia.core.schemas import BODY_ERRORS, ERRORS, MAX_ID
from consortia.networks.models import Organization, OrgMembership, Person

from . import export, permissions, selectors, services
from .models import ReviewSchedule
from .schemas import (
    ActionIn,
    ExportFormat,
    ReviewDetailOut,
    ReviewEntryIn,
    ReviewEntryOut,
    ReviewIn,
    ReviewOut,
    ScheduleIn,
    ScheduleOut,
)

router = Router(tags=["reviews"])
Format = Query(ExportFormat.md, description="md (Markdown) or pdf.")


def Id(description: str):
    return Path(..., ge=1, le=MAX_ID, description=description)


def _entry(e) -> dict:
    return {
        "id": e.pk,
        "kind": e.kind,
        "text": e.text,
        "author": str(e.author) if e.author else None,
        "organization": str(e.organization) if e.organization else None,
        "kudos_person": str(e.kudos_person) if e.kudos_person else None,
        "kudos_organization": str(e.kudos_organization) if e.kudos_organization else None,
        "request_id": e.request_id,
        "created_at": e.created_at,
    }


def _detail(review) -> dict:
    return {
        "id": review.pk,
        "initiative_id": review.initiative_id,
        "scheduled_for": review.scheduled_for,
        "status": review.status,
        "held_at": review.held_at,
        "period_start": review.period_start,
        "signed_off_at": review.signed_off_at,
        "snapshot": review.snapshot,
        "entries": [_entry(e) for e in selectors.entries_of(review)],
        "signoffs": [
            {
                "organization_id": s["organization"].pk,
                "organization": s["organization"].name,
                "signed_by": str(s["signoff"].person)
                if s["signoff"] and s["signoff"].person
                else None,
                "signed_at": s["signoff"].signed_at if s["signoff"] else None,
                "current": s["current"],
            }
            for s in selectors.signoffs_of(review)
        ],
    }


@router.get(
    "/initiatives/{initiative_id}/reviews",
    response={200: list[ReviewOut], **ERRORS},
    summary="List an initiative's reviews",
)
@paginate(Pagination)
def list_reviews(request, initiative_id: int = Id("The initiative's id.")):
    """Latest first; the next review of the cadence is scheduled on read."""
    initiative = permissions.get_initiative_for(request.auth, initiative_id)
    services.ensure_scheduled(initiative)
    return selectors.reviews_of(initiative)


@router.post(
    "/initiatives/{initiative_id}/reviews",
    response={201: ReviewOut, **BODY_ERRORS},
    summary="Add a review",
)
def add_review(request, payload: ReviewIn, initiative_id: int = Id("The initiative's id.")):
    """The initiative's leader adds a review outside the cadence."""
    initiative = permissions.get_initiative_for(request.auth, initiative_id)
    review = services.review_add(
        actor=request.auth, initiative=initiative, scheduled_for=payload.scheduled_for
    )
    return Status(201, review)


@router.put(
    "/initiatives/{initiative_id}/review-schedule",
    response={200: ScheduleOut, **BODY_ERRORS},
    summary="Set the review cadence",
)
def set_schedule(request, payload: ScheduleIn, initiative_id: int = Id("The initiative's id.")):
    """Monthly, quarterly or half-yearly from a first date; the initiative's leader."""
    initiative = permissions.get_initiative_for(request.auth, initiative_id)
    return services.schedule_set(
        actor=request.auth,
        initiative=initiative,
        cadence=payload.cadence.value,
        first_on=payload.first_on,
    )


@router.get(
    "/initiatives/{initiative_id}/review-schedule",
    response={200: ScheduleOut | None, **ERRORS},
    summary="Get the review cadence",
)
def get_schedule(request, initiative_id: int = Id("The initiative's id.")):
    """The initiative's review cadence and its next scheduled review."""
    initiative = permissions.get_initiative_for(request.auth, initiative_id)
    return ReviewSchedule.objects.filter(initiative=initiative).first()


@router.get(
    "/reviews/{review_id}", response={200: ReviewDetailOut, **ERRORS}, summary="Get a review"
)
def get_review(request, review_id: int = Id("The review's id.")):
    """With its frozen snapshot, entries and sign-offs."""
    return _detail(permissions.get_review_for(request.auth, review_id))


@router.post(
    "/reviews/{review_id}/hold", response={200: ReviewDetailOut, **ERRORS}, summary="Hold a review"
)
def hold_review(request, review_id: int = Id("The review's id.")):
    """Freezes the snapshot; the initiative's leader."""
    review = permissions.get_review_for(request.auth, review_id)
    return _detail(services.review_hold(actor=request.auth, review=review))


@router.post(
    "/reviews/{review_id}/entries",
    response={201: ReviewEntryOut, **BODY_ERRORS},
    summary="Add what works, what does not, a lesson or a celebration",
)
def add_entry(request, payload: ReviewEntryIn, review_id: int = Id("The review's id.")):
    """Add what works, what does not, a lesson or a celebration (kudos) to a review
    (participants)."""
    review = permissions.get_review_for(request.auth, review_id)
    person = organization = None
    if payload.kudos_person_id is not None:
        person = Person.objects.filter(
            pk=payload.kudos_person_id,
            org_membership__in=OrgMembership.objects.all(),
        ).first()
        if person is None:
            raise ValidationError({"kudos_person_id": "No such person."})
    if payload.kudos_organization_id is not None:
        organization = Organization.objects.filter(pk=payload.kudos_organization_id).first()
        if organization is None:
            raise ValidationError({"kudos_organization_id": "No such organization."})
    entry = services.entry_add(
        actor=request.auth,
        review=review,
        kind=payload.kind.value,
        text=payload.text,
        kudos_person=person,
        kudos_organization=organization,
    )
    return Status(201, _entry(entry))


@router.post(
    "/reviews/{review_id}/actions",
    response={201: ReviewEntryOut, **BODY_ERRORS},
    summary="Add an action item (sent as a request)",
)
def add_action(request, payload: ActionIn, review_id: int = Id("The review's id.")):
    """Add an action item to a review: it is sent as a request and becomes a commitment once
    accepted."""
    review = permissions.get_review_for(request.auth, review_id)
    organization = Organization.objects.filter(pk=payload.to_organization_id).first()
    if organization is None:
        raise ValidationError({"to_organization_id": "No such organization."})
    entry = services.action_add(
        actor=request.auth,
        review=review,
        to_organization=organization,
        title=payload.title,
        due_on=payload.due_on,
        description=payload.description,
    )
    return Status(201, _entry(entry))


@router.post(
    "/reviews/{review_id}/sign-off",
    response={200: ReviewDetailOut, **ERRORS},
    summary="Sign a review off for your organization",
)
def sign_off(request, review_id: int = Id("The review's id.")):
    """Sign the review off for your organization (its team leader or delegate)."""
    review = permissions.get_review_for(request.auth, review_id)
    services.review_sign_off(actor=request.auth, review=review)
    return _detail(permissions.get_review_for(request.auth, review_id))


@router.get(
    "/reviews/{review_id}/export",
    response={200: None, **ERRORS},
    summary="Export a review as Markdown or PDF",
)
def export_review(request, review_id: int = Id("The review's id."), format: ExportFormat = Format):
    """Download the review as PDF or Markdown (`format=pdf|md`)."""
    review = permissions.get_review_for(request.auth, review_id)
    fmt = format.value
    if fmt == "md":
        response = HttpResponse(
            export.markdown(review), content_type="text/markdown; charset=utf-8"
        )
    else:
        response = HttpResponse(export.pdf(review), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{export.filename(review, fmt)}"'
    return response
