"""Reads of the person's notifications, narrowed in SQL by the apps that need it.

Who may see which event depends on network membership: `networks.selectors.events_visible_to`.
"""

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


def unread_notifications(prefix: str = ""):
    """Expression: how many unread notifications the person reached by `prefix` has (a person
    annotation, so the header's count costs no query of its own). It counts the inbox's rows
    before the apps' NOTIFICATION_FILTERS narrow them (those need the person, not a column):
    a notification about an item that went out of reach counts until it is marked read."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from consortia.core.models import Notification

    unread = (
        Notification.objects.filter(person_id=OuterRef(f"{prefix}pk"), read_at__isnull=True)
        .order_by()
        .values("person_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))
