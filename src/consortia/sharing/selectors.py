"""Reads for shared items: every list starts from audience.visible_items (SQL)."""

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from consortia.networks.models import Organization, Person
from consortia.networks.permissions import org_id_of

from .audience import visible_items
from .models import AccessLog, Comment, DocumentVersion, Item, Nda, Offer

FILTERS = {
    "challenge": ("all", "open", "mine", "offered"),
    "post": ("all", "mine"),
    "document": ("all", "mine"),
}
FILTER_LABELS = {"all": "All", "open": "Open", "mine": "Mine", "offered": "Offered to"}


def items_for(*, person, network, kind: str, filter: str = "all", now=None):
    """The list of one kind of item the person may see in the network, most recent first.
    One query whatever the number of items (organization and author joined)."""
    org_id = org_id_of(person)
    queryset = visible_items(person, network=network, now=now).filter(kind=kind)
    if filter == "open":
        queryset = queryset.filter(status=Item.Status.OPEN)
    elif filter == "mine":
        queryset = queryset.filter(organization_id=org_id)
    elif filter == "offered":
        queryset = queryset.filter(
            Exists(Offer.objects.filter(item=OuterRef("pk"), organization_id=org_id))
        )
    return (
        queryset.select_related("organization", "author", "initiative")
        # A correlated count, not a GROUP BY over every visible item: the database walks the
        # (network, kind, updated_at) index and stops after one page.
        .annotate(
            comment_count=Coalesce(
                Subquery(
                    Comment.objects.filter(item=OuterRef("pk"))
                    .order_by()
                    .values("item")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
                Value(0),
            )
        )
        .order_by("-updated_at", "-id")
    )


def comments_of(item):
    return Comment.objects.filter(item=item).select_related("author", "organization")


def offers_for(*, person, item):
    """The owner organization sees every offer; another organization sees only its own (who
    else offered help is not its business — partners can be competitors)."""
    queryset = Offer.objects.filter(item=item).select_related("organization", "person")
    org_id = org_id_of(person)
    if org_id != item.organization_id:
        queryset = queryset.filter(organization_id=org_id)
    return queryset.order_by("created_at", "id")


def versions_of(item):
    return (
        DocumentVersion.objects.filter(item=item).select_related("uploaded_by").order_by("-number")
    )


def access_log_for(*, organization_id, network, item=None):
    queryset = AccessLog.objects.filter(
        item__organization_id=organization_id, item__network=network
    ).select_related("item", "person", "organization", "version")
    if item is not None:
        queryset = queryset.filter(item=item)
    return queryset.order_by("-at", "-id")


def ndas_for(*, organization_id, network):
    return (
        Nda.objects.filter(network=network)
        .filter(Q(proposer_id=organization_id) | Q(counterparty_id=organization_id))
        .select_related("proposer", "counterparty", "proposed_by", "answered_by")
        .order_by("-created_at", "-id")
    )


def describe_audience(
    *, audience, level, organization, partners=(), initiative=None, readers=()
) -> str:
    """The audience and level in words, as the author sees it before posting."""
    own = f"your organization ({organization})" if organization else "your organization"
    if audience == Item.Audience.ORGANIZATION:
        who = f"only {own}"
    elif audience == Item.Audience.PARTNERS:
        names = sorted(str(o) for o in partners)
        who = f"{own} and {', '.join(names) if names else 'the partners you name'}"
    elif audience == Item.Audience.INITIATIVE:
        who = (
            f"{own} and the participants of “{initiative}”"
            if initiative
            else (f"{own} and the participants of the initiative you choose")
        )
    else:
        who = f"{own} and every active member organization of the network"
    if audience == Item.Audience.ORGANIZATION or level == Item.Level.OPEN:
        return f"Visible to {who}."
    if level == Item.Level.CONFIDENTIAL:
        return (
            f"Visible to {who} — confidential: outside your organization, only organizations "
            "that accepted the network NDA or an NDA with yours."
        )
    names = sorted(str(p) for p in readers)
    named = ", ".join(names) if names else "nobody else yet"
    return f"Visible to your organization and named people only: {named} (within {who})."


def describe_item(item) -> str:
    partners = Organization.objects.filter(pk__in=item.partners.values("organization_id"))
    readers = Person.objects.filter(pk__in=item.readers.values("person_id"))
    return describe_audience(
        audience=item.audience,
        level=item.level,
        organization=item.organization,
        partners=list(partners) if item.audience == Item.Audience.PARTNERS else (),
        initiative=item.initiative,
        readers=list(readers) if item.level == Item.Level.RESTRICTED else (),
    )
