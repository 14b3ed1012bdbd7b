"""Reads for the integrations pages and API: an organization's endpoints and delivery log."""

from django.db.models import Count, Exists, Max, OuterRef, Q

from consortia.networks.permissions import org_id_of, viewer_lock_q

from .models import Attempt, Endpoint, Message
from .permissions import delivering_q

LOG_ATTEMPTS = 5  # attempts shown under each message in the log


def endpoints_of(person):
    """The endpoints of the person's organization, with their recent delivery figures and
    whether each is delivering (`delivering`: False when paused). Endpoints of a network the
    person may not see inside now (its lock, e.g. two-factor it requires) are left out."""
    org_id = org_id_of(person)
    if org_id is None:
        return Endpoint.objects.none()
    return (
        Endpoint.objects.filter(viewer_lock_q(person), organization_id=org_id)
        .select_related("network", "organization", "created_by")
        .annotate(
            delivering=Exists(Endpoint.objects.filter(delivering_q(), pk=OuterRef("pk"))),
            pending=Count("messages", filter=Q(messages__status=Message.Status.PENDING)),
            failed=Count("messages", filter=Q(messages__status=Message.Status.FAILED)),
            last_message_at=Max("messages__created_at"),
        )
        .order_by("network__name", "created_at", "id")
    )


def messages_of(endpoint, *, status: str | None = None):
    """The endpoint's messages, newest first (the delivery log)."""
    messages = Message.objects.filter(endpoint=endpoint)
    if status:
        messages = messages.filter(status=status)
    return messages.order_by("-created_at", "-id")


def with_attempts(messages: list) -> list:
    """Attach each message's latest attempts (one query for the page)."""
    ids = [m.pk for m in messages]
    by_message: dict[int, list] = {pk: [] for pk in ids}
    for attempt in Attempt.objects.filter(message_id__in=ids).order_by("-attempted_at", "-id"):
        if len(by_message[attempt.message_id]) < LOG_ATTEMPTS:
            by_message[attempt.message_id].append(attempt)
    for message in messages:
        message.recent_attempts = by_message[message.pk]
    return messages


def attempts_of(message):
    return Attempt.objects.filter(message=message).order_by("-attempted_at", "-id")


__all__ = ["attempts_of", "endpoints_of", "messages_of", "with_attempts"]
