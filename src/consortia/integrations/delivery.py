"""Webhook messages: queued with each event (in its transaction), sent by `consortia worker`.

Reach is decided twice with the same rules as the pages — when the event is recorded (no
message is queued for an organization that may not see it) and again when each attempt is
made: what an organization may no longer see is not sent, and the attempt says so.

Retries follow the schedule below (≈ 3 days), each delay stretched by up to 10 % of jitter so
that a receiver coming back is not hit by every queued message in the same second; a longer
`Retry-After` is respected. 410 Gone disables the endpoint; a message that exhausts its schedule
disables it too; either way the organization's team leaders are notified.

A paused endpoint (its creator is locked out of its network, e.g. by two-factor authentication
the network requires, or no longer belongs to the organization: `permissions.delivering_q`) gets
no new message and its queued ones are held, both decided in SQL, until it is resumed.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook

from consortia.core.models import Event
from consortia.networks.selectors import event_visible_to_organization_q

from . import catalog, crypto, net
from .models import Attempt, Endpoint, Message
from .permissions import delivering_ids, delivering_q

log = logging.getLogger(__name__)

# Delay before attempt n+1 after attempt n failed: immediately, 5 s, 5 min, 30 min, 2 h, 5 h,
# 10 h, 14 h, 20 h, 24 h (ten attempts over about three days).
SCHEDULE = (0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
JITTER = 0.1
MAX_RETRY_AFTER = 86400
CLAIM_TIMEOUT = timedelta(minutes=5)
USER_AGENT = "Consortia-Webhooks/1"


# Queueing ------------------------------------------------------------------------------------


def on_event(event: Event) -> None:
    """Queue a message for every enabled endpoint of the event's network that subscribed to its
    type and whose organization may see it now, unless it is paused. One query when nobody
    listens."""
    if event.network_id is None:
        return
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(
            delivering_q(), network_id=event.network_id, enabled=True
        ).only("id", "organization_id", "network_id", "event_types")
        if catalog.matches(endpoint.event_types, event.verb)
    ]
    if not endpoints:
        return
    now = event.created_at
    messages = [
        Message(
            endpoint=endpoint,
            event=event,
            event_type=event.verb,
            next_attempt_at=now,
            created_at=now,
        )
        for endpoint in endpoints
        if build_payload(event, endpoint.organization_id, endpoint.network_id) is not None
    ]
    Message.objects.bulk_create(messages)


def queue_test(endpoint: Endpoint, *, actor, now=None) -> Message:
    now = now or timezone.now()
    return Message.objects.create(
        endpoint=endpoint,
        event_type=catalog.TEST_TYPE,
        test_data={
            "message": "A test event from Consortia: your endpoint receives and verifies "
            "signed webhooks.",
            "endpoint_id": endpoint.pk,
            "sent_by": actor.name if actor else None,
        },
        next_attempt_at=now,
        created_at=now,
    )


# Payloads (the visibility rules) ----------------------------------------------------------


def _org(organization) -> dict | None:
    if organization is None:
        return None
    return {"slug": organization.slug, "name": organization.name}


def _event_data(event: Event, network_slug: str) -> dict:
    """The fields the activity API shows of an event (networks.schemas.EventOut)."""
    return {
        "id": event.pk,
        "verb": event.verb,
        "summary": event.summary,
        "actor": event.actor.name if event.actor else None,
        "organization": _org(event.organization),
        "network": network_slug,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "created_at": event.created_at.isoformat(),
    }


def _item_of(event: Event) -> int | None:
    from consortia.sharing.models import Comment

    if event.object_type == "sharing.item":
        return event.object_id
    if event.object_type == "sharing.comment":
        return Comment.objects.filter(pk=event.object_id).values_list("item_id", flat=True).first()
    return None


def build_payload(event: Event, org_id: int, network_id: int, now=None) -> dict | None:
    """The webhook body for organization `org_id`, or None when it may not see the event now.

    Item events go through the sharing visibility rule (the feed's); every other event through
    the event audience rule (the activity page's). Only fields those pages show are sent."""
    from consortia.sharing.audience import item_visible_to_organization_q
    from consortia.sharing.models import Comment, Item

    if event.network_id != network_id:
        return None
    visible_event = (
        Event.objects.filter(pk=event.pk).select_related("actor", "organization", "network").first()
    )
    if visible_event is None:
        return None
    network_slug = visible_event.network.slug
    data: dict = {}
    if event.verb in catalog.ITEM_TYPES:
        item_id = _item_of(visible_event)
        item = (
            Item.objects.filter(item_visible_to_organization_q(org_id, now), pk=item_id)
            .select_related("organization")
            .first()
            if item_id
            else None
        )
        if item is None:
            return None
        data["event"] = _event_data(visible_event, network_slug)
        data["item"] = {
            "id": item.pk,
            "kind": item.kind,
            "title": item.title,
            "status": item.status,
            "tags": [t for t in item.tags.split(",") if t],
            "organization": _org(item.organization),
            "url": settings.SITE_URL + _item_path(item, network_slug),
            "created_at": item.created_at.isoformat(),
            "updated_at": item.updated_at.isoformat(),
        }
        if visible_event.object_type == "sharing.comment":
            comment = (
                Comment.objects.filter(pk=visible_event.object_id, item=item)
                .select_related("author")
                .first()
            )
            if comment is None:
                return None
            data["comment"] = {
                "id": comment.pk,
                "author": comment.author.name if comment.author else None,
                "body": comment.body,
                "created_at": comment.created_at.isoformat(),
            }
        return data
    if not Event.objects.filter(event_visible_to_organization_q(org_id), pk=event.pk).exists():
        return None
    data["event"] = _event_data(visible_event, network_slug)
    return data


def _item_path(item, network_slug: str) -> str:
    plural = {"challenge": "challenges", "post": "posts", "document": "documents"}[item.kind]
    return f"/n/{network_slug}/{plural}/{item.pk}/"


def body_for(message: Message, now=None) -> dict | None:
    """The Standard Webhooks body {type, timestamp, data}, or None when nothing may be sent."""
    if message.event_id is None:
        data = message.test_data or {}
        timestamp = message.created_at
    else:
        endpoint = message.endpoint
        data = build_payload(message.event, endpoint.organization_id, endpoint.network_id, now)
        if data is None:
            return None
        timestamp = message.event.created_at
    return {"type": message.event_type, "timestamp": timestamp.isoformat(), "data": data}


# Signing -------------------------------------------------------------------------------------


def signature(endpoint: Endpoint, webhook_id: str, timestamp, body: bytes, now=None) -> str:
    """`v1,<sig>`; during a rotation also the previous secret's, space-separated."""
    now = now or timezone.now()
    secrets_ = [crypto.decrypt(endpoint.secret_ciphertext)]
    if (
        endpoint.previous_secret_ciphertext
        and endpoint.previous_secret_expires_at
        and endpoint.previous_secret_expires_at > now
    ):
        secrets_.append(crypto.decrypt(endpoint.previous_secret_ciphertext))
    return " ".join(Webhook(s).sign(webhook_id, timestamp, body) for s in secrets_)


# Sending -------------------------------------------------------------------------------------


def next_delay(attempts_done: int, retry_after: float | None = None, rng=random) -> float | None:
    """Seconds before the next attempt, or None when the schedule is exhausted."""
    if attempts_done >= len(SCHEDULE):
        return None
    base = SCHEDULE[attempts_done]
    delay = base * (1 + rng.uniform(0, JITTER))
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def _claim(now, limit: int) -> list[int]:
    candidates = Message.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT),
        status=Message.Status.PENDING,
        next_attempt_at__lte=now,
        endpoint_id__in=delivering_ids(),  # a paused endpoint's messages wait
    ).values_list("pk", "claimed_at")[:limit]
    claimed = []
    for pk, claimed_at in list(candidates):
        # Another worker may have claimed it since: only one conditional UPDATE wins.
        if Message.objects.filter(
            pk=pk, status=Message.Status.PENDING, claimed_at=claimed_at
        ).update(claimed_at=now):
            claimed.append(pk)
    return claimed


def deliver_due(
    *, now=None, limit: int = 50, send: Callable[..., net.Answer] | None = None, rng=random
) -> int:
    """Send the messages that are due; returns how many were attempted. Safe with several
    workers (rows claimed with a conditional UPDATE)."""
    now = now or timezone.now()
    send = send or net.post
    done = 0
    for pk in _claim(now, limit):
        message = (
            Message.objects.select_related("endpoint__organization", "endpoint__network", "event")
            .filter(pk=pk)
            .first()
        )
        if message is None:
            continue
        try:
            _attempt(message, now=now, send=send, rng=rng)
        except Exception:
            log.exception("webhook message %s failed unexpectedly", pk)
            Message.objects.filter(pk=pk).update(claimed_at=None)
        done += 1
    return done


def _record(message, now, outcome, *, answer=None, error="") -> Attempt:
    return Attempt.objects.create(
        message=message,
        endpoint_id=message.endpoint_id,
        number=Attempt.objects.filter(message=message).count() + 1,
        attempted_at=now,
        outcome=outcome,
        status_code=answer.status_code if answer else None,
        duration_ms=answer.duration_ms if answer else 0,
        response_excerpt=answer.excerpt if answer else "",
        error=(error or (answer.error if answer else ""))[:300],
    )


def _finish(message, status, now, *, status_code=None, next_at=None):
    Message.objects.filter(pk=message.pk).update(
        status=status,
        attempts=message.attempts + 1,
        claimed_at=None,
        next_attempt_at=next_at,
        last_status_code=status_code,
    )


def _attempt(message: Message, *, now, send, rng) -> None:
    endpoint = message.endpoint
    if not endpoint.enabled:
        _record(message, now, Attempt.Outcome.DISABLED, error="The endpoint is disabled.")
        _finish(message, Message.Status.SKIPPED, now)
        return
    body = body_for(message, now)
    if body is None:
        _record(
            message,
            now,
            Attempt.Outcome.NOT_VISIBLE,
            error="Not sent: your organization may no longer see this.",
        )
        _finish(message, Message.Status.SKIPPED, now)
        return
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    sent_at = timezone.now()  # the signed timestamp is the real sending time
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message.webhook_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature(endpoint, message.webhook_id, sent_at, raw, now),
    }
    answer = send(endpoint.url, raw, headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    if answer.status_code is not None and 200 <= answer.status_code < 300:
        _record(message, now, Attempt.Outcome.SUCCEEDED, answer=answer)
        _finish(message, Message.Status.SUCCEEDED, now, status_code=answer.status_code)
        if endpoint.failing_since is not None:
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        return
    outcome = Attempt.Outcome.REFUSED if answer.refused else Attempt.Outcome.FAILED
    error = answer.error
    if answer.status_code is not None and not error:
        error = f"The receiver answered {answer.status_code}; only 2xx counts as delivered."
    _record(message, now, outcome, answer=answer, error=error)
    if endpoint.failing_since is None:
        Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
            failing_since=now
        )
    if answer.status_code == 410:
        _finish(message, Message.Status.FAILED, now, status_code=410)
        disable(endpoint, "The receiver answered 410 Gone: it asked not to be called again.")
        return
    delay = next_delay(message.attempts + 1, answer.retry_after, rng)
    if delay is None:
        _finish(message, Message.Status.FAILED, now, status_code=answer.status_code)
        disable(
            endpoint,
            f"Every attempt to deliver a message failed for about three days "
            f"(last: {error[:120]}).",
        )
        return
    _finish(
        message,
        Message.Status.PENDING,
        now,
        status_code=answer.status_code,
        next_at=now + timedelta(seconds=delay),
    )


@transaction.atomic
def disable(endpoint: Endpoint, reason: str) -> bool:
    """Disable the endpoint and tell its organization's team leaders (once)."""
    from consortia.core.notifications import notify
    from consortia.networks.models import OrgMembership

    changed = Endpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
        enabled=False, disabled_reason=reason[:300], updated_at=timezone.now()
    )
    if not changed:
        return False
    leaders = [
        m.person
        for m in OrgMembership.objects.filter(
            organization_id=endpoint.organization_id, role=OrgMembership.Role.TEAM_LEADER
        ).select_related("person")
    ]
    notify(
        recipients=leaders,
        kind="webhook.disabled",
        title=f"Webhook endpoint disabled: {endpoint.url[:120]}",
        body=f"{reason} Fix the receiver, then enable the endpoint again; messages that "
        f"failed can be resent from its delivery log.",
        url=reverse("integrations_endpoint", args=[endpoint.pk]),
    )
    return True


def prune(now=None) -> int:
    """Forget finished deliveries (and their attempts) older than WEBHOOK_LOG_DAYS, so the
    delivery log does not grow for ever (a `consortia worker` job). Pending ones stay."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.WEBHOOK_LOG_DAYS)
    deleted, _ = (
        Message.objects.filter(created_at__lt=cutoff).exclude(status=Message.Status.PENDING)
    ).delete()
    return deleted
