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
    """Expression: how many unread notifications the person reached by `prefix` has, before
    the apps' NOTIFICATION_FILTERS narrow them (a person annotation, so the header's count
    costs no query of its own when it is 0). It is an upper bound: a notification about an
    item that went out of reach is still counted here, so the header asks
    `unread_count_for` for the exact figure when this one is above 0. (Narrowing inside this
    annotation put the whole visibility rule, about 12 ms of Django building SQL, on every
    page of every person.)"""
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


def unread_count_for(person, now=None) -> int:
    """The exact number of unread notifications in the person's inbox (the inbox's own rows:
    NOTIFICATION_FILTERS applied), in one query."""
    return notifications_for(person=person, now=now).filter(read_at__isnull=True).count()
