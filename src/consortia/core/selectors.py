"""Reads of the person's notifications, narrowed in SQL by the apps that need it.

Who may see which event depends on network membership: `networks.selectors.events_visible_to`.
"""

# Apps whose notifications point at things a person may stop seeing (a shared item whose
# audience was narrowed) register a filter here in their AppConfig.ready: a function
# (notifications, now) -> the same queryset narrowed, in SQL, to the rows whose recipient (the
# row's own `person`) may still see them. It never needs the person as a Python object, so the
# inbox, the API, the daily digest and the header's unread count all apply the same filters in
# the same query shape (notifications_for and unread_notifications).
NOTIFICATION_FILTERS: list = []


def register_notification_filter(narrow) -> None:
    if narrow not in NOTIFICATION_FILTERS:
        NOTIFICATION_FILTERS.append(narrow)


def _narrowed(notifications, now=None):
    from django.utils import timezone

    now = now or timezone.now()
    for narrow in NOTIFICATION_FILTERS:
        notifications = narrow(notifications, now)
    return notifications


def notifications_for(*, person, now=None):
    from consortia.core.models import Notification

    return _narrowed(Notification.objects.filter(person=person), now).order_by("-created_at", "-id")


def unread_notifications(prefix: str = ""):
    """Expression: how many unread notifications the person reached by `prefix` has (a person
    annotation, so the header's count costs no query of its own). The same rows as the inbox:
    the apps' NOTIFICATION_FILTERS narrow them in this subquery too, so a notification about an
    item that went out of reach is not counted."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from consortia.core.models import Notification

    unread = (
        _narrowed(
            Notification.objects.filter(person_id=OuterRef(f"{prefix}pk"), read_at__isnull=True)
        )
        .order_by()
        .values("person_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))
