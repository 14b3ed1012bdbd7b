"""The one function through which every state change is recorded."""

from django.db import models

from consortia.core.models import Audience, Event

# Apps that act on every event (webhooks queue deliveries) register a function(event) here in
# their AppConfig.ready. It runs inside the caller's transaction, right after the event is
# written, so what it records commits or rolls back with the event itself (an outbox).
EVENT_LISTENERS: list = []


def register_listener(listener) -> None:
    if listener not in EVENT_LISTENERS:
        EVENT_LISTENERS.append(listener)


def emit(
    *,
    actor,
    verb: str,
    summary: str,
    audience: str,
    network=None,
    organization=None,
    audience_organization=None,
    obj: models.Model | None = None,
    data: dict | None = None,
) -> Event:
    """Record that `actor` (acting for `organization`) did `verb` to `obj`.

    `audience` says who may ever see the event: the active members of `network`, or only the
    people of `audience_organization`. Readers filter on it in SQL
    (networks.selectors.events_visible_to).
    """
    if audience == Audience.ORGANIZATION and audience_organization is None:
        audience_organization = organization
    event = Event.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        organization=organization,
        network=network,
        verb=verb,
        summary=summary[:500],
        audience=audience,
        audience_organization=audience_organization,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        object_repr=str(obj)[:300] if obj is not None else "",
        data=data or {},
    )
    for listener in EVENT_LISTENERS:
        listener(event)
    return event
