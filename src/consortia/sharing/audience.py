"""THE visibility rule for shared items, in SQL. The specification is sharing.oracle.

A viewer P whose organization is O sees item I iff
  (a) O owns I (at every level, even after leaving or being removed from the network), or
  (b) O is an active member of I's network now (NetworkMembership.active_q), and
      - audience: network → yes; partners → O is a named partner; initiative → O actively
        participates in I's initiative; organization → no; and
      - level: open → yes; confidential → O accepted the network's current NDA version, or an
        accepted bilateral NDA links O and I's organization in I's network; restricted → P is
        a named reader.
Everything is evaluated by the database at request time, so narrowing an audience, leaving,
a removal's notice ending or an NDA being withdrawn takes effect on the next request.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from consortia.initiatives.models import Initiative, Participation
from consortia.networks.models import (
    Agreement,
    AgreementAcceptance,
    NetworkMembership,
    Person,
)
from consortia.networks.permissions import org_id_of, people_lock_q, viewer_lock_q

from .models import Item, ItemPartner, ItemReader, Nda

NOTHING = Q(pk__in=[])


def current_network_nda_accepted(org_id, network_ref) -> Exists:
    """EXISTS: organization `org_id` (an id or an OuterRef) accepted the latest NDA version of
    network `network_ref` (an id or an OuterRef)."""
    newer = Agreement.objects.filter(
        network=OuterRef("agreement__network"),
        kind=Agreement.Kind.NDA,
        version__gt=OuterRef("agreement__version"),
    )
    return Exists(
        AgreementAcceptance.objects.filter(
            organization_id=org_id,
            agreement__kind=Agreement.Kind.NDA,
            agreement__network_id=network_ref,
        ).filter(~Exists(newer))
    )


def bilateral_nda_accepted(org_a, org_b, network_ref) -> Exists:
    """EXISTS: an accepted bilateral NDA between the two organizations (either direction)."""
    return Exists(
        Nda.objects.filter(network_id=network_ref, status=Nda.Status.ACCEPTED).filter(
            Q(proposer_id=org_a, counterparty_id=org_b)
            | Q(proposer_id=org_b, counterparty_id=org_a)
        )
    )


def _visible_q(org_id, person_id, now, *, viewer=None, person=None) -> Q:
    """The rule for a viewer of organization `org_id`; `person_id` None is the organization as
    a whole (a webhook endpoint), which is never a named reader of a restricted item. With a
    `viewer` (networks.permissions.Viewer) instead of ids, the viewer is each row's own person,
    known only in SQL (the recipient of a notification), and `org_id`/`person_id` are ignored.

    A person (a Person object, or a viewer) also passes the networks' locks: nothing inside a
    network that requires two-factor authentication reaches a person without it — not even
    their own organization's items there — until they turn it on."""
    now = now or timezone.now()
    if viewer is not None:
        org_row, org_inner = viewer.row("org"), viewer.inner("org")
        person_inner = viewer.inner("person")
    else:
        org_row = org_inner = org_id
        person_inner = person_id
    active_networks = NetworkMembership.objects.filter(
        NetworkMembership.active_q(now), organization_id=org_inner
    ).values("network_id")
    named_partner = Exists(
        ItemPartner.objects.filter(item=OuterRef("pk"), organization_id=org_inner)
    )
    participant = Exists(
        Participation.objects.filter(
            initiative=OuterRef("initiative_id"),
            organization_id=org_inner,
            status=Participation.Status.ACTIVE,
        )
    )
    audience_ok = (
        Q(audience=Item.Audience.NETWORK)
        | (Q(audience=Item.Audience.PARTNERS) & named_partner)
        | (Q(audience=Item.Audience.INITIATIVE) & participant)
    )
    level_ok = Q(level=Item.Level.OPEN) | (
        Q(level=Item.Level.CONFIDENTIAL)
        & (
            current_network_nda_accepted(org_inner, OuterRef("network_id"))
            | bilateral_nda_accepted(org_inner, OuterRef("organization_id"), OuterRef("network_id"))
        )
    )
    if person_inner is not None:
        named_reader = Exists(
            ItemReader.objects.filter(item=OuterRef("pk"), person_id=person_inner)
        )
        level_ok |= Q(level=Item.Level.RESTRICTED) & named_reader
    rule = Q(organization_id=org_row) | (Q(network_id__in=active_networks) & audience_ok & level_ok)
    if viewer is not None:
        return rule & viewer_lock_q(viewer=viewer)
    if person is not None:
        return rule & viewer_lock_q(person)
    return rule


def item_visible_q(person, now=None) -> Q:
    """A filter for Item querysets: the items `person` may see at `now` (one SQL query)."""
    org_id = org_id_of(person)
    if org_id is None:
        return NOTHING
    return _visible_q(org_id, person.pk, now, person=person)


def item_visible_to_viewer_q(viewer, now=None) -> Q:
    """The same rule for a person known only in SQL (networks.permissions.Viewer): e.g. inside
    a query over notifications, each notification's recipient. A person without an
    organization (a NULL organization id) matches nothing."""
    return _visible_q(None, None, now, viewer=viewer)


def item_visible_to_organization_q(org_id: int, now=None) -> Q:
    """The items an organization as a whole may see at `now`: the same rule, with nobody named
    as a reader — restricted items reach only their own organization (webhook endpoints)."""
    return _visible_q(org_id, None, now)


def visible_items(person, *, network=None, now=None) -> QuerySet:
    """The items `person` may see (optionally in one network), newest activity first."""
    queryset = Item.objects.filter(item_visible_q(person, now))
    if network is not None:
        queryset = queryset.filter(network=network)
    return queryset


def is_visible(person, item, now=None) -> bool:
    return visible_items(person, now=now).filter(pk=item.pk).exists()


def readers_of(item, now=None) -> QuerySet:
    """The people who may see `item` at `now` (the inverse of item_visible_q), in SQL.

    The audience and level are read afresh from the database, so a stale object in the caller's
    hands can never widen who is told about the item."""
    now = now or timezone.now()
    item = (
        Item.objects.only(
            "pk", "network_id", "organization_id", "audience", "level", "initiative_id"
        )
        .filter(pk=item.pk)
        .first()
    )
    if item is None:
        return Person.objects.none()
    org_ref = OuterRef("org_membership__organization_id")
    people = Person.objects.filter(is_active=True, org_membership__isnull=False).filter(
        people_lock_q(item.network_id)
    )
    own = Q(org_membership__organization_id=item.organization_id)
    if item.audience == Item.Audience.ORGANIZATION:
        return people.filter(own)
    member = Exists(
        NetworkMembership.objects.filter(
            NetworkMembership.active_q(now), network_id=item.network_id, organization_id=org_ref
        )
    )
    if item.audience == Item.Audience.NETWORK:
        audience_ok = Q()
    elif item.audience == Item.Audience.PARTNERS:
        audience_ok = Q(
            Exists(ItemPartner.objects.filter(item_id=item.pk, organization_id=org_ref))
        )
    else:
        audience_ok = Q(
            Exists(
                Participation.objects.filter(
                    initiative_id=item.initiative_id,
                    organization_id=org_ref,
                    status=Participation.Status.ACTIVE,
                )
            )
        )
    if item.level == Item.Level.OPEN:
        level_ok = Q()
    elif item.level == Item.Level.CONFIDENTIAL:
        level_ok = Q(current_network_nda_accepted(org_ref, item.network_id)) | Q(
            bilateral_nda_accepted(org_ref, item.organization_id, item.network_id)
        )
    else:
        level_ok = Q(Exists(ItemReader.objects.filter(item_id=item.pk, person_id=OuterRef("pk"))))
    return people.filter(own | (Q(member) & audience_ok & level_ok)).distinct()


def people_of(organization_ids) -> QuerySet:
    return Person.objects.filter(
        is_active=True, org_membership__organization_id__in=organization_ids
    ).order_by("name", "id")


__all__ = [
    "bilateral_nda_accepted",
    "current_network_nda_accepted",
    "is_visible",
    "item_visible_q",
    "item_visible_to_organization_q",
    "item_visible_to_viewer_q",
    "people_of",
    "readers_of",
    "visible_items",
]


def addressable_initiatives(network, organization_id):
    """The initiatives of `network` whose participants the organization may address: those it
    takes part in (an active participation)."""
    return Initiative.objects.filter(
        network=network,
        participations__organization_id=organization_id,
        participations__status=Participation.Status.ACTIVE,
    )
