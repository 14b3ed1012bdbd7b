"""The caller's own account: who am I, and my personal access tokens."""

from django.http import Http404
from ninja import Path, Router
from ninja.pagination import paginate
from ninja.responses import Status

from consortia.core import services as core_services
from consortia.core import waiting
from consortia.core.models import ApiToken
from consortia.core.pagination import Pagination
from consortia.core.schemas import (
    BODY_ERRORS,
    ERRORS,
    MAX_ID,
    MeOut,
    NotificationOut,
    NotificationsReadIn,
    NotificationsReadOut,
    TokenCreatedOut,
    TokenCreateIn,
    TokenOut,
    WaitingOut,
)
from consortia.core.selectors import notifications_for

router = Router(tags=["account"])


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who am I")
def get_me(request):
    """The signed-in person, the organization they act for and their role in it."""
    person = request.auth
    membership = person.membership
    organization = membership.organization if membership else None
    return {
        "id": person.pk,
        "email": person.email,
        "name": person.name,
        "organization": organization,
        "role": membership.role if membership else None,
        "department": membership.department if membership else None,
        "is_team_leader": person.is_team_leader,
    }


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="List my API tokens")
@paginate(Pagination)
def list_tokens(request):
    """Your personal access tokens, newest first, revoked ones included. Only a short hint of
    each token is shown; the token itself is shown once, when it is created."""
    return ApiToken.objects.filter(person=request.auth).order_by("-created_at", "-pk")


@router.post(
    "/tokens", response={201: TokenCreatedOut, **BODY_ERRORS}, summary="Create an API token"
)
def create_token(request, payload: TokenCreateIn):
    """Create a personal access token that acts as you. The response carries the token once;
    only its SHA-256 digest is stored, so it cannot be shown again."""
    token, raw = core_services.api_token_create(actor=request.auth, name=payload.name)
    token.token = raw  # shown in this response only
    return Status(201, token)


@router.delete(
    "/tokens/{token_id}", response={200: TokenOut, **ERRORS}, summary="Revoke an API token"
)
def revoke_token(request, token_id: int = Path(..., ge=1, le=MAX_ID)):
    """Revoke one of your tokens; it stops working at once. Revoking twice is harmless."""
    token = ApiToken.objects.filter(pk=token_id, person=request.auth).first()
    if token is None:
        raise Http404("No such token")
    return core_services.api_token_revoke(actor=request.auth, token=token)


@router.get(
    "/notifications", response={200: list[NotificationOut], **ERRORS}, summary="My notifications"
)
@paginate(Pagination)
def list_notifications(request):
    """Your inbox, newest first: requests, poll deadlines, decisions that concern you."""
    return notifications_for(person=request.auth)


@router.post(
    "/notifications/read",
    response={200: NotificationsReadOut, **BODY_ERRORS},
    summary="Mark notifications read",
)
def mark_notifications_read(request, payload: NotificationsReadIn):
    """Mark your unread notifications read: all of them, or those listed in `ids`."""
    return {"marked": core_services.notifications_mark_read(actor=request.auth, ids=payload.ids)}


@router.get("/me/waiting", response={200: WaitingOut, **ERRORS}, summary="What waits for me")
def get_my_waiting(request):
    """Everything waiting for you and your organization, as on the dashboard: network
    invitations, admissions to decide, polls to vote in (closing soonest first), invitations to
    initiatives, requests to answer, nominations, NDAs and charters to accept, reviews to sign
    off and commitments due within a week or overdue. Every section is listed, with its count
    and its first items; each item names its actions (`post`: one request does it, with the
    session's CSRF token; `get`: a page to open)."""
    sections = waiting.sections_for(request.auth, empty=True)
    return {
        "total": sum(section.count for section in sections),
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "count": section.count,
                "items": [_waiting_item(item) for item in section.items],
            }
            for section in sections
        ],
    }


def _waiting_item(item: waiting.Item) -> dict:
    return {
        "key": item.key,
        "title": item.title,
        "url": item.url,
        "detail": item.detail,
        "network": item.network,
        "due": item.due.isoformat() if item.due else None,
        "due_label": item.due_label,
        "overdue": item.overdue,
        "note": item.note,
        "actions": [
            {
                "label": action.label,
                "method": action.method,
                "url": action.url,
                # `next` only brings a browser back to the dashboard.
                "fields": {k: str(v) for k, v in action.fields.items() if k != "next"},
            }
            for action in item.actions
        ],
    }
