"""Reads for the integrations pages and API: an organization's endpoints and delivery log."""

from django.db.models import Count, Max, Q

from consortia.networks.permissions import org_id_of

from .models import Attempt, Endpoint, Message

LOG_ATTEMPTS = 5  # attempts shown under each message in the log


def endpoints_of(person):
    """The endpoints of the person's organization, with their recent delivery figures."""
    org_id = org_id_of(person)
    if org_id is None:
        return Endpoint.objects.none()
    return (
        Endpoint.objects.filter(organization_id=org_id)
        .select_related("network")
        .annotate(
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
