"""Writes about a person's own account: API tokens, notifications and preferences."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from consortia.core import hooks
from consortia.core.events import emit
from consortia.core.models import (
    ApiToken,
    Audience,
    Notification,
    NotificationPreference,
    hash_token,
)
from consortia.core.validators import validate_name

# API tokens -------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, actor, name: str) -> tuple[ApiToken, str]:
    """A personal access token acting as `actor`; returns it with the raw token, which is shown
    once (only its SHA-256 digest is stored)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "A name for the token is required."})
    if len(name) > 100:
        raise ValidationError({"name": "Keep the name under 100 characters."})
    validate_name(name, "name")
    raw = ApiToken.generate()
    token = ApiToken.objects.create(person=actor, name=name, digest=hash_token(raw), hint=raw[:10])
    hooks.call(hooks.API_TOKEN_CREATED, token=token)
    organization = getattr(actor, "organization", None)
    if organization:
        emit(
            actor=actor,
            organization=organization,
            verb="api_token.created",
            obj=token,
            audience=Audience.ORGANIZATION,
            summary=f"{actor} created an API token “{name}”",
        )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if token.person_id != actor.pk:
        raise PermissionDenied("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


# Notifications ----------------------------------------------------------------------------


@transaction.atomic
def notification_preference_set(*, actor, email: str) -> NotificationPreference:
    if email not in NotificationPreference.Email.values:
        raise ValidationError({"email": "Choose each one, a daily digest, or no email."})
    preference, _ = NotificationPreference.objects.update_or_create(
        person=actor, defaults={"email": email}
    )
    return preference


def notifications_mark_read(*, actor, ids: list[int] | None = None) -> int:
    """Mark the person's unread notifications read (all, or the given ones); returns how many."""
    unread = Notification.objects.filter(person=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
