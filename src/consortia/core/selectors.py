"""Reads of the event log, filtered by audience in SQL."""

from django.db.models import Q, QuerySet

from consortia.core.models import Audience, Event


def event_visible_to_organization_q(org_id: int) -> Q:
    """THE event audience rule, for an organization: network-wide events of networks where it is
    an active member now, and its own private events (used by the activity page, the API and
    webhook deliveries alike)."""
    from consortia.networks.permissions import active_network_ids

    return Q(audience=Audience.NETWORK, network_id__in=active_network_ids(org_id)) | Q(
        audience=Audience.ORGANIZATION, audience_organization_id=org_id
    )


def events_visible_to(*, person, network=None) -> QuerySet[Event]:
    """Events `person` may see: network-wide events of networks where their organization is an
    active member, and their own organization's private events. One query, no Python loop."""
    from consortia.networks.permissions import org_id_of

    org_id = org_id_of(person)
    if org_id is None:
        return Event.objects.none()
    events = Event.objects.filter(event_visible_to_organization_q(org_id))
    if network is not None:
        events = events.filter(network=network)
    return events.select_related("actor", "organization").order_by("-created_at", "-id")


# Apps whose notifications point at things a person may stop seeing (a shared item whose
# audience was narrowed) register a filter here in their AppConfig.ready: a function
# (notifications, person, now) -> the same queryset narrowed to what the person may still see,
# in SQL. The inbox, the API and the daily digest all read through notifications_for.
NOTIFICATION_FILTERS: list = []


def register_notification_filter(narrow) -> None:
    if narrow not in NOTIFICATION_FILTERS:
        NOTIFICATION_FILTERS.append(narrow)


def notifications_for(*, person, now=None):
    from django.utils import timezone

    from consortia.core.models import Notification

    notifications = Notification.objects.filter(person=person)
    now = now or timezone.now()
    for narrow in NOTIFICATION_FILTERS:
        notifications = narrow(notifications, person, now)
    return notifications.order_by("-created_at", "-id")
