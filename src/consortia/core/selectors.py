"""Reads of the event log, filtered by audience in SQL."""

from django.db.models import Q, QuerySet

from consortia.core.models import Audience, Event


def events_visible_to(*, person, network=None) -> QuerySet[Event]:
    """Events `person` may see: network-wide events of networks where their organization is an
    active member, and their own organization's private events. One query, no Python loop."""
    from consortia.networks.permissions import active_network_ids, org_id_of

    org_id = org_id_of(person)
    if org_id is None:
        return Event.objects.none()
    visible = Q(audience=Audience.NETWORK, network_id__in=active_network_ids(org_id)) | Q(
        audience=Audience.ORGANIZATION, audience_organization_id=org_id
    )
    events = Event.objects.filter(visible)
    if network is not None:
        events = events.filter(network=network)
    return events.select_related("actor", "organization").order_by("-created_at", "-id")


def notifications_for(*, person):
    from consortia.core.models import Notification

    return Notification.objects.filter(person=person).order_by("-created_at", "-id")
