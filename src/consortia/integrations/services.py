"""Every write to webhook endpoints: register, change, rotate the secret, delete, test, resend,
resume. Each is refused (403 with the network's reason) to a team leader the endpoint's network
locks out (e.g. two-factor authentication it requires), as the network's own pages are."""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from consortia.core.events import emit
from consortia.core.models import Audience

from . import catalog, crypto, delivery, net
from .models import Endpoint, Message
from .permissions import is_paused, pause_reason, require_endpoint_manager

MAX_ENDPOINTS_PER_NETWORK = 20


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def clean_url(url) -> str:
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": "Enter the URL that receives the webhooks."})
    if len(url) > 500:
        raise ValidationError({"url": "Keep the URL under 500 characters."})
    try:
        net.check_literal_host(url)
    except net.Refused as exc:
        raise ValidationError({"url": str(exc)}) from None
    return url


def clean_types(event_types) -> list[str]:
    try:
        return catalog.clean_event_types(event_types)
    except ValueError as exc:
        raise ValidationError({"event_types": str(exc)}) from None


def _event(actor, endpoint, verb, summary):
    emit(
        actor=actor,
        organization=endpoint.organization,
        verb=verb,
        summary=summary,
        audience=Audience.ORGANIZATION,
        network=endpoint.network,
        audience_organization=endpoint.organization,
        obj=endpoint,
    )


@transaction.atomic
def endpoint_create(
    *,
    actor,
    network,
    url: str,
    event_types,
    description: str = "",
    enabled: bool = True,
    now=None,
) -> tuple[Endpoint, str]:
    """Register an endpoint for the actor's organization in `network`; returns it and its
    secret, which is shown this once."""
    require_endpoint_manager(actor, network)
    now = now or timezone.now()
    errors = {}
    try:
        url = clean_url(url)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        event_types = clean_types(event_types)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    description = (description or "").strip()
    if len(description) > 200:
        errors["description"] = ["Keep the description under 200 characters."]
    if errors:
        raise ValidationError(errors)
    organization = actor.organization
    count = Endpoint.objects.filter(organization=organization, network=network).count()
    if count >= MAX_ENDPOINTS_PER_NETWORK:
        raise ValidationError(f"At most {MAX_ENDPOINTS_PER_NETWORK} endpoints per network.")
    secret = new_secret()
    endpoint = Endpoint.objects.create(
        organization=organization,
        network=network,
        url=url,
        description=description,
        event_types=event_types,
        enabled=bool(enabled),
        secret_ciphertext=crypto.encrypt(secret),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _event(actor, endpoint, "webhook.endpoint_created", f"{actor} added a webhook endpoint")
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *, actor, endpoint, url=None, event_types=None, description=None, enabled=None, now=None
) -> Endpoint:
    require_endpoint_manager(actor, endpoint.network)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    errors = {}
    if url is not None:
        try:
            endpoint.url = clean_url(url)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if event_types is not None:
        try:
            endpoint.event_types = clean_types(event_types)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if description is not None:
        if len(description.strip()) > 200:
            errors["description"] = ["Keep the description under 200 characters."]
        endpoint.description = description.strip()
    if errors:
        raise ValidationError(errors)
    if enabled is not None:
        if enabled and not endpoint.enabled:
            endpoint.disabled_reason, endpoint.failing_since = "", None
        elif not enabled and endpoint.enabled:
            endpoint.disabled_reason = f"Disabled by {actor}."
        endpoint.enabled = bool(enabled)
    endpoint.updated_at = now or timezone.now()
    endpoint.save()
    endpoint = Endpoint.objects.select_related("network", "organization").get(pk=endpoint.pk)
    _event(actor, endpoint, "webhook.endpoint_updated", f"{actor} changed a webhook endpoint")
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, actor, endpoint, now=None) -> tuple[Endpoint, str]:
    """A new secret signs from now on; the previous one also signs for the overlap period
    (WEBHOOK_ROTATION_OVERLAP_HOURS) so receivers can switch without losing a message."""
    require_endpoint_manager(actor, endpoint.network)
    now = now or timezone.now()
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = new_secret()
    endpoint.previous_secret_ciphertext = endpoint.secret_ciphertext
    endpoint.previous_secret_expires_at = now + timedelta(
        hours=settings.WEBHOOK_ROTATION_OVERLAP_HOURS
    )
    endpoint.secret_ciphertext = crypto.encrypt(secret)
    endpoint.updated_at = now
    endpoint.save()
    endpoint = Endpoint.objects.select_related("network", "organization").get(pk=endpoint.pk)
    _event(actor, endpoint, "webhook.secret_rotated", f"{actor} rotated a webhook secret")
    return endpoint, secret


@transaction.atomic
def endpoint_delete(*, actor, endpoint) -> None:
    require_endpoint_manager(actor, endpoint.network)
    _event(actor, endpoint, "webhook.endpoint_deleted", f"{actor} removed a webhook endpoint")
    Endpoint.objects.filter(pk=endpoint.pk).delete()


@transaction.atomic
def endpoint_send_test(*, actor, endpoint, now=None) -> Message:
    """Queue a `webhook.test` message; the worker sends it on its next pass."""
    require_endpoint_manager(actor, endpoint.network)
    if not endpoint.enabled:
        raise ValidationError("Enable the endpoint before sending a test event.")
    if is_paused(endpoint):
        raise ValidationError(f"{pause_reason(endpoint)} Resume it before sending a test event.")
    return delivery.queue_test(endpoint, actor=actor, now=now)


@transaction.atomic
def message_resend(*, actor, message, now=None) -> Message:
    """Send a message again (same webhook-id: receivers that already have it can ignore it)."""
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("endpoint__network", "endpoint__organization", "endpoint__created_by")
        .get(pk=message.pk)
    )
    require_endpoint_manager(actor, message.endpoint.network)
    now = now or timezone.now()
    if not message.endpoint.enabled:
        raise ValidationError("Enable the endpoint before resending.")
    if is_paused(message.endpoint):
        raise ValidationError(f"{pause_reason(message.endpoint)} Resume it before resending.")
    if message.status == Message.Status.PENDING and message.claimed_at is None:
        raise ValidationError("This message is already waiting to be sent.")
    message.status = Message.Status.PENDING
    message.next_attempt_at = now
    message.claimed_at = None
    message.attempts = 0  # a fresh retry schedule; the log keeps numbering every attempt
    message.save(update_fields=["status", "next_attempt_at", "claimed_at", "attempts"])
    return message


@transaction.atomic
def endpoint_resume(*, actor, endpoint, now=None) -> Endpoint:
    """Resume a paused endpoint: it delivers for `actor` from now on (its creator of record),
    who may act in the network. The messages it held are sent; events recorded while it was
    paused were not queued and are not sent."""
    require_endpoint_manager(actor, endpoint.network)
    endpoint = (
        Endpoint.objects.select_for_update(of=("self",))
        .select_related("network", "organization", "created_by")
        .get(pk=endpoint.pk)
    )
    reason = pause_reason(endpoint)
    if not reason:
        raise ValidationError("The endpoint is not paused.")
    endpoint.created_by = actor
    endpoint.updated_at = now or timezone.now()
    endpoint.save(update_fields=["created_by", "updated_at"])
    endpoint = Endpoint.objects.select_related("network", "organization", "created_by").get(
        pk=endpoint.pk
    )
    _event(
        actor,
        endpoint,
        "webhook.endpoint_resumed",
        f"{actor} resumed a webhook endpoint ({reason[:200]})",
    )
    return endpoint
