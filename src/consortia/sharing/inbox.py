"""Notifications about shared items vanish from the inbox once the item is out of reach.

Registered with core.selectors.register_notification_filter (sharing.apps.ready): the inbox
page, `/api/v1/notifications` and the daily digest keep a notification whose event points at a
shared item — or at a comment, offer, document version or access-log entry of one — only while
the person may still see that item. In SQL: each notification is annotated with the id of the
item its event concerns (a scalar subquery by object type), then one correlated EXISTS applies
the audience rule (`audience.item_visible_q`) to that item. Notifications about anything else
are untouched.
"""

from django.db.models import (
    BigIntegerField,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    When,
)

from consortia.networks.permissions import Viewer

# Event.object_type of a sharing object → its model name in the sharing app (items: None).
OBJECT_TYPES = {
    "sharing.item": None,
    "sharing.comment": "Comment",
    "sharing.offer": "Offer",
    "sharing.documentversion": "DocumentVersion",
    "sharing.accesslog": "AccessLog",
}


def _item_of_event():
    from django.apps import apps

    whens = [When(event__object_type="sharing.item", then=F("event__object_id"))]
    for object_type, model_name in OBJECT_TYPES.items():
        if model_name is None:
            continue
        model = apps.get_model("sharing", model_name)
        item_id = model.objects.filter(pk=OuterRef("event__object_id")).values("item_id")[:1]
        whens.append(When(event__object_type=object_type, then=Subquery(item_id)))
    return Case(*whens, default=None, output_field=BigIntegerField())


# Each notification's recipient, seen from a subquery over items inside the notifications query.
RECIPIENT = Viewer("person_id", "person__org_membership__organization_id", depth=1)


def still_visible(notifications, now):
    """`notifications` narrowed to those not about a shared item, or about one their recipient
    may still see at `now` (the recipient is each row's person, in SQL)."""
    from consortia.sharing.audience import item_visible_to_viewer_q
    from consortia.sharing.models import Item

    visible = Item.objects.filter(
        item_visible_to_viewer_q(RECIPIENT, now), pk=OuterRef("sharing_item_id")
    )
    return notifications.annotate(sharing_item_id=_item_of_event()).filter(
        Q(event__isnull=True) | ~Q(event__object_type__in=list(OBJECT_TYPES)) | Exists(visible)
    )


def register() -> None:
    from consortia.core.selectors import register_notification_filter

    register_notification_filter(still_visible)
