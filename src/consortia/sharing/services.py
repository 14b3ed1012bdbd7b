"""Every write about shared items, offers, comments, document versions and NDAs.

Each function is `<thing>_<action>(*, actor, …)`, runs in one transaction, raises
ValidationError for bad input, PermissionDenied with a sentence for forbidden actions and
Http404 for items the actor may not see, emits an event and changes nothing when it refuses.

Events about items are for the owner organization only (audience "organization"): the network
activity page shows network events to every member, and an item's title must never reach
anyone outside its audience. People in the audience learn about items through notifications
sent to readers_of(item).
"""

import re
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from consortia.core.events import emit
from consortia.core.models import Audience as EventAudience
from consortia.core.notifications import notify
from consortia.core.validators import validate_name
from consortia.initiatives.models import Initiative, Participation
from consortia.networks import permissions as network_permissions
from consortia.networks.models import (
    Agreement,
    AgreementAcceptance,
    NetworkMembership,
    Organization,
    OrgMembership,
    Person,
)

from . import files, search
from .audience import addressable_initiatives, is_visible, readers_of
from .markup import render_markdown
from .models import (
    AccessLog,
    Comment,
    DocumentVersion,
    Item,
    ItemPartner,
    ItemReader,
    Nda,
    Offer,
)
from .permissions import require_item_owner

MAX_TAGS = 20
MAX_TAG_LENGTH = 40
MAX_BODY = 100_000


def item_url(item) -> str:
    return reverse(f"sharing_{item.kind}_detail", args=[item.network.slug, item.pk])


def _required(value, field: str, label: str, max_length: int | None = None) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if not value:
        raise ValidationError({field: f"{label} is required."})
    if max_length and len(value) > max_length:
        raise ValidationError({field: f"{label} is at most {max_length} characters."})
    if "\x00" in value:
        raise ValidationError({field: f"{label} cannot contain NUL characters."})
    return value


def _title(value, max_length: int = 200) -> str:
    """A title people will see: required, bounded, no hidden characters."""
    return validate_name(_required(value, "title", "A title", max_length), "title")


def _text(value, field: str, label: str, max_length: int = MAX_BODY) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if len(value) > max_length:
        raise ValidationError({field: f"{label} is at most {max_length:,} characters."})
    if "\x00" in value:
        raise ValidationError({field: f"{label} cannot contain NUL characters."})
    return value


def normalize_tags(tags) -> str:
    """ "Supply Chain, ai ,AI" -> "supply chain,ai": lowercase, trimmed, unique, in order."""
    if tags is None:
        return ""
    if isinstance(tags, str):
        parts = tags.split(",")
    elif isinstance(tags, list | tuple):
        parts = [str(t) for t in tags]
    else:
        raise ValidationError({"tags": "Tags are a comma-separated list."})
    seen: list[str] = []
    for part in parts:
        tag = re.sub(r"\s+", " ", part.replace("\x00", "")).strip().lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise ValidationError({"tags": f"A tag is at most {MAX_TAG_LENGTH} characters."})
        validate_name(tag, "tags")  # a tag is shown, and searched, as a name is
        if tag not in seen:
            seen.append(tag)
    if len(seen) > MAX_TAGS:
        raise ValidationError({"tags": f"At most {MAX_TAGS} tags."})
    return ",".join(seen)


def _ids(values, field: str) -> list[int]:
    result = []
    for value in values or ():
        value = getattr(value, "pk", value)
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError({field: "Unknown id."}) from None
        if not (0 < number < 2**63):
            raise ValidationError({field: "Unknown id."})
        if number not in result:
            result.append(number)
    return result


def _active_org_ids(network, org_ids, now=None) -> set[int]:
    return set(
        NetworkMembership.objects.filter(
            NetworkMembership.active_q(now), network=network, organization_id__in=org_ids
        ).values_list("organization_id", flat=True)
    )


def clean_audience(
    *,
    network,
    organization,
    audience,
    level,
    partners=(),
    initiative=None,
    readers=(),
    now=None,
):
    """Check an audience and level; return (audience, level, partner ids, initiative, reader
    ids) or raise ValidationError. Shared by creating and changing items, and by the live
    "visible to" preview."""
    if audience not in Item.Audience.values:
        raise ValidationError(
            {"audience": "Choose own organization, named partners, an initiative or the network."}
        )
    if level not in Item.Level.values:
        raise ValidationError({"level": "Choose open, confidential or restricted."})
    partner_ids = _ids(partners, "partners")
    reader_ids = _ids(readers, "readers")
    initiative_obj = None
    if audience == Item.Audience.PARTNERS:
        partner_ids = [pk for pk in partner_ids if pk != organization.pk]
        if not partner_ids:
            raise ValidationError({"partners": "Name at least one partner organization."})
        if len(partner_ids) > 200:
            raise ValidationError({"partners": "Name at most 200 partner organizations."})
        active = _active_org_ids(network, partner_ids, now)
        if set(partner_ids) - active:
            raise ValidationError(
                {"partners": "Only active member organizations of this network can be named."}
            )
    elif partner_ids:
        raise ValidationError(
            {"partners": "Partner organizations are named only for that audience."}
        )
    if audience == Item.Audience.INITIATIVE:
        initiative_id = getattr(initiative, "pk", initiative)
        initiative_obj = (
            Initiative.objects.filter(network=network, pk=initiative_id).first()
            if isinstance(initiative_id, int) and not isinstance(initiative_id, bool)
            else None
        )
        if initiative_obj is None:
            raise ValidationError({"initiative": "Choose an initiative of this network."})
        # Addressing an initiative's participants is for its participants: an outsider to the
        # initiative could otherwise push items (and notifications) into its circle.
        if not addressable_initiatives(network, organization.pk).filter(pk=initiative_obj.pk):
            raise ValidationError(
                {"initiative": "Choose an initiative your organization takes part in."}
            )
    elif initiative not in (None, "", 0):
        raise ValidationError({"initiative": "An initiative is chosen only for that audience."})
    if level == Item.Level.RESTRICTED:
        if len(reader_ids) > 500:
            raise ValidationError({"readers": "Name at most 500 people."})
        reader_orgs = dict(
            OrgMembership.objects.filter(person_id__in=reader_ids).values_list(
                "person_id", "organization_id"
            )
        )
        if set(reader_ids) - set(reader_orgs):
            raise ValidationError({"readers": "Unknown person."})
        allowed = _audience_org_ids(
            network, organization, audience, partner_ids, initiative_obj, set(reader_orgs.values())
        )
        if set(reader_orgs.values()) - allowed:
            raise ValidationError(
                {"readers": "Named readers must belong to organizations within the audience."}
            )
    elif reader_ids:
        raise ValidationError({"readers": "People are named only for restricted items."})
    return audience, level, partner_ids, initiative_obj, reader_ids


def _audience_org_ids(network, organization, audience, partner_ids, initiative, candidates):
    """Which of `candidates` (organization ids) are within the audience."""
    allowed = {organization.pk}
    others = set(candidates) - allowed
    if not others or audience == Item.Audience.ORGANIZATION:
        return allowed
    active = _active_org_ids(network, others)
    if audience == Item.Audience.NETWORK:
        return allowed | active
    if audience == Item.Audience.PARTNERS:
        return allowed | (active & set(partner_ids))
    participants = set(
        Participation.objects.filter(
            initiative=initiative, organization_id__in=others, status=Participation.Status.ACTIVE
        ).values_list("organization_id", flat=True)
    )
    return allowed | (active & participants)


def _event(actor, item, verb: str, summary: str, obj=None, **data):
    """An event about an item: for the owner organization only, never the network."""
    return emit(
        actor=actor,
        organization=actor.organization if actor else None,
        verb=verb,
        summary=summary,
        audience=EventAudience.ORGANIZATION,
        network=item.network,
        audience_organization=item.organization,
        obj=obj or item,
        data=data or None,
    )


def _notify_new_readers(item, before: set[int], actor, kind: str, title: str, event=None):
    """Tell the people of other organizations who can now see the item (and could not)."""
    recipients = (
        readers_of(item)
        .exclude(org_membership__organization_id=item.organization_id)
        .exclude(pk__in=before)
    )
    if actor is not None:
        recipients = recipients.exclude(pk=actor.pk)
    notify(recipients=list(recipients), kind=kind, title=title, url=item_url(item), event=event)


def _set_audience_rows(item, partner_ids, reader_ids):
    ItemPartner.objects.filter(item=item).exclude(organization_id__in=partner_ids).delete()
    existing = set(ItemPartner.objects.filter(item=item).values_list("organization_id", flat=True))
    ItemPartner.objects.bulk_create(
        ItemPartner(item=item, organization_id=pk) for pk in partner_ids if pk not in existing
    )
    ItemReader.objects.filter(item=item).exclude(person_id__in=reader_ids).delete()
    existing = set(ItemReader.objects.filter(item=item).values_list("person_id", flat=True))
    ItemReader.objects.bulk_create(
        ItemReader(item=item, person_id=pk) for pk in reader_ids if pk not in existing
    )


def _add_version(actor, item, upload, number: int, now) -> DocumentVersion:
    meta = files.check_upload(upload)
    version = DocumentVersion(item=item, number=number, uploaded_by=actor, created_at=now, **meta)
    version.file.save(meta["filename"], upload, save=False)
    try:
        version.full_clean(exclude=["file"])
        version.save()
    except Exception:
        version.file.delete(save=False)
        raise
    return version


# Items ---------------------------------------------------------------------------------------


@transaction.atomic
def item_create(
    *,
    actor: Person,
    network,
    kind: str,
    title: str,
    body: str = "",
    tags="",
    audience: str = Item.Audience.ORGANIZATION,
    level: str = Item.Level.OPEN,
    partners=(),
    initiative=None,
    readers=(),
    file=None,
    now=None,
) -> Item:
    """Share a challenge, a post or a document (with its first file) with a chosen audience.
    People of acting member organizations share; nothing is shared with more people than the
    audience and level say."""
    now = now or timezone.now()
    membership = network_permissions.require_acting_member(actor, network)
    if kind not in Item.Kind.values:
        raise ValidationError({"kind": "Choose a challenge, a post or a document."})
    organization = Organization.objects.get(pk=membership.organization_id)
    audience, level, partner_ids, initiative_obj, reader_ids = clean_audience(
        network=network,
        organization=organization,
        audience=audience,
        level=level,
        partners=partners,
        initiative=initiative,
        readers=readers,
        now=now,
    )
    body = _text(body, "body", "The text")
    if kind == Item.Kind.CHALLENGE and not body:
        raise ValidationError({"body": "Describe the challenge."})
    if kind == Item.Kind.DOCUMENT and file is None:
        raise ValidationError({"file": "Choose a file to upload."})
    if kind != Item.Kind.DOCUMENT and file is not None:
        raise ValidationError({"file": "Only documents have files."})
    item = Item(
        network=network,
        kind=kind,
        organization=organization,
        author=actor,
        title=_title(title),
        body=body,
        body_html=render_markdown(body),
        tags=normalize_tags(tags),
        audience=audience,
        initiative=initiative_obj,
        level=level,
        status=Item.Status.OPEN if kind == Item.Kind.CHALLENGE else Item.Status.PUBLISHED,
        created_at=now,
        updated_at=now,
    )
    item.full_clean()
    item.save()
    _set_audience_rows(item, partner_ids, reader_ids)
    if kind == Item.Kind.DOCUMENT:
        _add_version(actor, item, file, 1, now)
    event = _event(actor, item, f"{kind}.shared", f"{actor} shared the {kind} “{item}”")
    search.index_item(item)
    _notify_new_readers(
        item, set(), actor, f"{kind}.shared", f"{organization} shared the {kind} “{item}”", event
    )
    return item


@transaction.atomic
def item_update(*, actor: Person, item: Item, title=None, body=None, tags=None, now=None) -> Item:
    """The author or a team leader of the owner organization edits the text and tags."""
    item = Item.objects.select_for_update(of=("self",)).select_related("network").get(pk=item.pk)
    require_item_owner(actor, item, what="edit it")
    if title is not None:
        item.title = _title(title)
    if body is not None:
        item.body = _text(body, "body", "The text")
        item.body_html = render_markdown(item.body)
    if tags is not None:
        item.tags = normalize_tags(tags)
    item.updated_at = now or timezone.now()
    item.full_clean()
    item.save()
    _event(actor, item, f"{item.kind}.edited", f"{actor} edited “{item}”")
    search.index_item(item)
    return item


@transaction.atomic
def item_update_audience(
    *,
    actor: Person,
    item: Item,
    audience: str,
    level: str,
    partners=(),
    initiative=None,
    readers=(),
    now=None,
) -> Item:
    """Change who may see an item. Narrowing takes effect on the next request: visibility is
    computed from these rows on every read."""
    now = now or timezone.now()
    item = (
        Item.objects.select_for_update(of=("self",))
        .select_related("network", "organization")
        .get(pk=item.pk)
    )
    require_item_owner(actor, item, what="change who sees it")
    audience, level, partner_ids, initiative_obj, reader_ids = clean_audience(
        network=item.network,
        organization=item.organization,
        audience=audience,
        level=level,
        partners=partners,
        initiative=initiative,
        readers=readers,
        now=now,
    )
    before = set(readers_of(item, now).values_list("pk", flat=True))
    item.audience, item.level, item.initiative = audience, level, initiative_obj
    item.full_clean()
    item.save(update_fields=["audience", "level", "initiative"])
    _set_audience_rows(item, partner_ids, reader_ids)
    event = _event(
        actor,
        item,
        f"{item.kind}.audience_changed",
        f"{actor} changed who sees “{item}”: {item.get_audience_display().lower()}, "
        f"{item.get_level_display().lower()}",
    )
    _notify_new_readers(
        item,
        before,
        actor,
        f"{item.kind}.shared",
        f"{item.organization} shared the {item.kind} “{item}”",
        event,
    )
    return item


@transaction.atomic
def document_add_version(*, actor: Person, item: Item, file, now=None) -> DocumentVersion:
    """Upload a new version of a document's file; earlier versions are kept."""
    now = now or timezone.now()
    item = Item.objects.select_for_update(of=("self",)).select_related("network").get(pk=item.pk)
    if item.kind != Item.Kind.DOCUMENT:
        raise ValidationError({"file": "Only documents have files."})
    require_item_owner(actor, item, what="upload a new version")
    number = (DocumentVersion.objects.filter(item=item).aggregate(n=Max("number"))["n"] or 0) + 1
    version = _add_version(actor, item, file, number, now)
    Item.objects.filter(pk=item.pk).update(updated_at=now)
    _event(
        actor,
        item,
        "document.version_added",
        f"{actor} uploaded version {number} of “{item}”",
        obj=item,
        version=number,
    )
    search.index_item(item)
    return version


# Challenges: offers, resolution, conversion -------------------------------------------------


def _require_visible(actor, item, now=None):
    if not is_visible(actor, item, now):
        raise Http404("No such item")


def _require_open_challenge(item):
    if item.kind != Item.Kind.CHALLENGE:
        raise ValidationError("Only challenges take offers of help.")
    if item.status != Item.Status.OPEN:
        raise ValidationError(f"The challenge is {item.get_status_display().lower()}.")


@transaction.atomic
def offer_create(*, actor: Person, item: Item, offer: str, message: str = "", now=None) -> Offer:
    """A person of another acting member organization that sees the challenge offers help."""
    now = now or timezone.now()
    item = Item.objects.select_for_update(of=("self",)).select_related("network").get(pk=item.pk)
    _require_visible(actor, item, now)
    membership = network_permissions.require_acting_member(actor, item.network)
    if membership.organization_id == item.organization_id:
        raise ValidationError("Your organization posted this challenge; others offer help.")
    _require_open_challenge(item)
    if Offer.objects.filter(
        item=item,
        organization_id=membership.organization_id,
        status__in=[Offer.Status.PENDING, Offer.Status.ACCEPTED],
    ).exists():
        raise ValidationError("Your organization already offered help on this challenge.")
    row = Offer(
        item=item,
        organization_id=membership.organization_id,
        person=actor,
        offer=_required(offer, "offer", "What you offer", 5000),
        message=_text(message, "message", "The message", 5000),
        created_at=now,
    )
    row.full_clean()
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError("Your organization already offered help on this challenge.") from None
    Item.objects.filter(pk=item.pk).update(updated_at=now)
    offer_event = _event(
        actor,
        item,
        "challenge.offer_received",
        f"{actor.organization} offered help on “{item}”",
        row,
    )
    notify(
        recipients=list(
            readers_of(item, now).filter(org_membership__organization_id=item.organization_id)
        ),
        kind="challenge.offer",
        title=f"{actor.organization} offered help on “{item}”",
        body=row.offer[:500] if item.level == Item.Level.OPEN else "",  # emails: no secrets
        event=offer_event,
        url=item_url(item),
    )
    return row


def _answer_offer(actor, offer, status, now):
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("item__network", "organization")
        .get(pk=offer.pk)
    )
    item = offer.item
    require_item_owner(actor, item, what="answer offers")
    if offer.status != Offer.Status.PENDING:
        raise ValidationError(f"This offer is already {offer.get_status_display().lower()}.")
    if item.kind != Item.Kind.CHALLENGE or item.status != Item.Status.OPEN:
        raise ValidationError(f"The challenge is {item.get_status_display().lower()}.")
    offer.status, offer.answered_at = status, now
    offer.save(update_fields=["status", "answered_at"])
    verb = "accepted" if status == Offer.Status.ACCEPTED else "declined"
    event = _event(
        actor,
        item,
        f"challenge.offer_{verb}",
        f"{actor} {verb} the offer of {offer.organization}",
        offer,
    )
    notify(
        recipients=list(
            readers_of(item, now).filter(org_membership__organization_id=offer.organization_id)
        ),
        kind=f"challenge.offer_{verb}",
        title=f"{item.organization} {verb} your offer on “{item}”",
        url=item_url(item),
        event=event,
    )
    return offer


@transaction.atomic
def offer_accept(*, actor: Person, offer: Offer, now=None) -> Offer:
    return _answer_offer(actor, offer, Offer.Status.ACCEPTED, now or timezone.now())


@transaction.atomic
def offer_decline(*, actor: Person, offer: Offer, now=None) -> Offer:
    return _answer_offer(actor, offer, Offer.Status.DECLINED, now or timezone.now())


@transaction.atomic
def challenge_resolve(*, actor: Person, item: Item, outcome: str, now=None) -> Item:
    """The author (or a team leader of its organization) closes the challenge with an outcome."""
    now = now or timezone.now()
    item = Item.objects.select_for_update(of=("self",)).select_related("network").get(pk=item.pk)
    require_item_owner(actor, item, what="resolve it")
    _require_open_challenge(item)
    item.outcome = _required(outcome, "outcome", "The outcome", 10_000)
    item.status, item.updated_at = Item.Status.RESOLVED, now
    item.save(update_fields=["outcome", "status", "updated_at"])
    _event(actor, item, "challenge.resolved", f"{actor} resolved the challenge “{item}”")
    return item


@transaction.atomic
def challenge_convert(
    *,
    actor: Person,
    item: Item,
    starts_on: date,
    ends_on: date,
    title: str = "",
    objective: str = "",
    now=None,
) -> Initiative:
    """Turn a challenge into a proposed initiative, pre-filled from it, and invite the
    organizations that offered help (pending or accepted offers): they still have to accept."""
    from consortia.initiatives import services as initiative_services

    now = now or timezone.now()
    item = Item.objects.select_for_update(of=("self",)).select_related("network").get(pk=item.pk)
    require_item_owner(actor, item, what="convert it into an initiative")
    network_permissions.require_team_leader(
        actor, "Only a team leader can propose an initiative from a challenge and invite partners."
    )
    _require_open_challenge(item)
    title, objective = (title or "").strip(), (objective or "").strip()
    public = item.audience == Item.Audience.NETWORK and item.level == Item.Level.OPEN
    if not public and not (title and objective):
        # Initiatives are seen by every member of the network: copying a narrower challenge's
        # words into one would publish them beyond the audience its owner chose.
        raise ValidationError(
            {
                "objective": "This challenge is not open to the whole network: write the "
                "initiative's title and objective yourself (every member will see them)."
            }
        )
    initiative = initiative_services.initiative_propose(
        actor=actor,
        network=item.network,
        title=title or item.title,
        objective=objective or item.body or item.title,
        starts_on=starts_on,
        ends_on=ends_on,
        challenge_url=f"{settings.SITE_URL}{item_url(item)}" if public else "",
    )
    offering = (
        Offer.objects.filter(item=item, status__in=[Offer.Status.PENDING, Offer.Status.ACCEPTED])
        .select_related("organization")
        .order_by("id")
    )
    invited = []
    for offer in offering:
        if not NetworkMembership.objects.filter(
            NetworkMembership.active_q(now), network=item.network, organization=offer.organization
        ).exists():
            continue
        initiative_services.participation_invite(
            actor=actor, initiative=initiative, organization=offer.organization, now=now
        )
        invited.append(offer.organization.name)
    item.status, item.converted_initiative, item.updated_at = Item.Status.CONVERTED, initiative, now
    item.save(update_fields=["status", "converted_initiative", "updated_at"])
    _event(
        actor,
        item,
        "challenge.converted",
        f"{actor} turned the challenge “{item}” into a proposed initiative",
        invited=invited,
    )
    return initiative


# Comments ------------------------------------------------------------------------------------


@transaction.atomic
def comment_create(*, actor: Person, item: Item, body: str, now=None) -> Comment:
    """Comment on an item you can see; the comment is seen by exactly those who see the item."""
    now = now or timezone.now()
    item = Item.objects.select_for_update(of=("self",)).select_related("network").get(pk=item.pk)
    _require_visible(actor, item, now)
    body = _required(body, "body", "The comment", 20_000)
    comment = Comment(
        item=item,
        author=actor,
        organization=actor.organization,
        body=body,
        body_html=render_markdown(body),
        created_at=now,
    )
    comment.full_clean()
    comment.save()
    Item.objects.filter(pk=item.pk).update(updated_at=now)
    event = _event(actor, item, f"{item.kind}.commented", f"{actor} commented on “{item}”", comment)
    search.index_item(item)
    earlier = set(
        Comment.objects.filter(item=item).exclude(pk=comment.pk).values_list("author_id", flat=True)
    )
    if item.author_id:
        earlier.add(item.author_id)
    earlier.discard(actor.pk)
    if earlier:
        notify(
            recipients=list(readers_of(item, now).filter(pk__in=earlier)),
            kind=f"{item.kind}.comment",
            title=f"{actor} commented on “{item}”",
            body=body[:500] if item.level == Item.Level.OPEN else "",  # emails: no secrets
            event=event,
            url=item_url(item),
        )
    return comment


# Access log ----------------------------------------------------------------------------------


def access_log(*, person, item, action: str, version=None, now=None) -> AccessLog | None:
    """Record a view or download of a confidential or restricted item (by anyone, including
    the owner organization's own people). Open items are not logged."""
    if item.level == Item.Level.OPEN:
        return None
    return AccessLog.objects.create(
        item=item,
        person=person if getattr(person, "pk", None) else None,
        organization_id=network_permissions.org_id_of(person),
        action=action,
        version=version,
        at=now or timezone.now(),
    )


# Bilateral NDAs ------------------------------------------------------------------------------


def _nda_event(actor, nda, verb, summary):
    for organization in (nda.proposer, nda.counterparty):
        emit(
            actor=actor,
            organization=actor.organization if actor else None,
            verb=verb,
            summary=summary,
            audience=EventAudience.ORGANIZATION,
            network=nda.network,
            audience_organization=organization,
            obj=nda,
        )


def _nda_notify(nda, organization_id, title):
    notify(
        recipients=list(
            Person.objects.filter(
                is_active=True,
                org_membership__organization_id=organization_id,
                org_membership__role=OrgMembership.Role.TEAM_LEADER,
            )
        ),
        kind="nda",
        title=title,
        url=reverse("sharing_ndas", args=[nda.network.slug]),
    )


@transaction.atomic
def nda_propose(*, actor: Person, network, counterparty, title: str, text: str, now=None) -> Nda:
    """A team leader proposes a bilateral NDA to another member organization. A new version
    supersedes the pair's live NDA (in either direction) at once."""
    now = now or timezone.now()
    membership = network_permissions.require_acting_member(actor, network)
    network_permissions.require_team_leader(actor, "Only a team leader can propose an NDA.")
    counterparty_id = getattr(counterparty, "pk", counterparty)
    if not isinstance(counterparty_id, int) or isinstance(counterparty_id, bool):
        raise ValidationError({"counterparty": "Choose a member organization."})
    if counterparty_id == membership.organization_id:
        raise ValidationError({"counterparty": "An NDA is between two organizations."})
    if not _active_org_ids(network, [counterparty_id], now):
        raise ValidationError(
            {"counterparty": "Only active member organizations of this network can be chosen."}
        )
    own = membership.organization_id
    pair = Q(proposer_id=own, counterparty_id=counterparty_id) | Q(
        proposer_id=counterparty_id, counterparty_id=own
    )
    previous = Nda.objects.select_for_update().filter(pair, network=network)
    version = (previous.aggregate(v=Max("version"))["v"] or 0) + 1
    previous.filter(status__in=Nda.LIVE).update(status=Nda.Status.SUPERSEDED, ended_at=now)
    nda = Nda(
        network=network,
        proposer_id=own,
        counterparty_id=counterparty_id,
        title=_title(title),
        text=_required(text, "text", "The NDA text", 100_000),
        version=version,
        proposed_by=actor,
        created_at=now,
    )
    nda.full_clean()
    nda.save()
    nda = Nda.objects.select_related("network", "proposer", "counterparty").get(pk=nda.pk)
    _nda_event(
        actor,
        nda,
        "nda.proposed",
        f"{nda.proposer} proposed the NDA “{nda.title}” (v{version}) to {nda.counterparty}",
    )
    _nda_notify(nda, counterparty_id, f"{nda.proposer} proposes an NDA: “{nda.title}”")
    return nda


def _lock_nda(nda) -> Nda:
    return (
        Nda.objects.select_for_update(of=("self",))
        .select_related("network", "proposer", "counterparty")
        .get(pk=nda.pk)
    )


def _answer_nda(actor, nda, status, now):
    nda = _lock_nda(nda)
    network_permissions.require_team_leader(actor, "Only a team leader can answer an NDA.")
    if network_permissions.org_id_of(actor) != nda.counterparty_id:
        raise PermissionDenied("Only the organization the NDA was proposed to can answer it.")
    if nda.status != Nda.Status.PROPOSED:
        raise ValidationError(f"This NDA is {nda.get_status_display().lower()}.")
    nda.status, nda.answered_by, nda.answered_at = status, actor, now
    if status == Nda.Status.DECLINED:
        nda.ended_at = now
    nda.save(update_fields=["status", "answered_by", "answered_at", "ended_at"])
    verb = "accepted" if status == Nda.Status.ACCEPTED else "declined"
    _nda_event(actor, nda, f"nda.{verb}", f"{nda.counterparty} {verb} the NDA “{nda.title}”")
    _nda_notify(nda, nda.proposer_id, f"{nda.counterparty} {verb} the NDA “{nda.title}”")
    return nda


@transaction.atomic
def nda_accept(*, actor: Person, nda: Nda, now=None) -> Nda:
    return _answer_nda(actor, nda, Nda.Status.ACCEPTED, now or timezone.now())


@transaction.atomic
def nda_decline(*, actor: Person, nda: Nda, now=None) -> Nda:
    return _answer_nda(actor, nda, Nda.Status.DECLINED, now or timezone.now())


@transaction.atomic
def nda_withdraw(*, actor: Person, nda: Nda, now=None) -> Nda:
    """Either side withdraws a proposed or accepted NDA; confidential access it gave ends at
    once."""
    now = now or timezone.now()
    nda = _lock_nda(nda)
    network_permissions.require_team_leader(actor, "Only a team leader can withdraw an NDA.")
    own = network_permissions.org_id_of(actor)
    if own not in (nda.proposer_id, nda.counterparty_id):
        raise PermissionDenied("Only the two organizations of an NDA can withdraw it.")
    if nda.status not in Nda.LIVE:
        raise ValidationError(f"This NDA is {nda.get_status_display().lower()}.")
    nda.status, nda.ended_at = Nda.Status.WITHDRAWN, now
    nda.save(update_fields=["status", "ended_at"])
    _nda_event(actor, nda, "nda.withdrawn", f"{actor.organization} withdrew the NDA “{nda.title}”")
    other = nda.counterparty_id if own == nda.proposer_id else nda.proposer_id
    _nda_notify(nda, other, f"{actor.organization} withdrew the NDA “{nda.title}”")
    return nda


# The network NDA -----------------------------------------------------------------------------


def current_network_nda(network) -> Agreement | None:
    return (
        Agreement.objects.filter(network=network, kind=Agreement.Kind.NDA)
        .order_by("-version")
        .first()
    )


@transaction.atomic
def network_nda_propose(*, actor: Person, network, title: str, text: str, closes_at, now=None):
    """Put a new network NDA version to a yes/no poll of the members (action adopt_nda); it is
    published when the poll passes."""
    from consortia.decisions import services as decision_services

    from .outcomes import ACTION

    return decision_services.poll_create(
        actor=actor,
        network=network,
        title=f"Adopt the network NDA: {_title(title, 150)}",
        kind="yes_no",
        closes_at=closes_at,
        description="If this poll passes, the text becomes the network's NDA; each member "
        "organization accepts it before seeing confidential items.",
        action=ACTION,
        action_payload={"title": title, "text": _required(text, "text", "The NDA text")},
        now=now,
    )


@transaction.atomic
def network_nda_accept(*, actor: Person, network, now=None) -> AgreementAcceptance:
    """A team leader of an acting member organization accepts the network's current NDA."""
    membership = network_permissions.require_acting_member(actor, network)
    network_permissions.require_team_leader(
        actor, "Only a team leader can accept the NDA for the organization."
    )
    agreement = current_network_nda(network)
    if agreement is None:
        raise ValidationError("The network has not adopted an NDA.")
    acceptance, created = AgreementAcceptance.objects.get_or_create(
        agreement=agreement,
        organization_id=membership.organization_id,
        defaults={"person": actor, "accepted_at": now or timezone.now()},
    )
    if not created:
        raise ValidationError(f"Your organization already accepted version {agreement.version}.")
    emit(
        actor=actor,
        organization=actor.organization,
        verb="agreement.nda_accepted",
        summary=f"{actor.organization} accepted the network NDA (version {agreement.version})",
        audience=EventAudience.NETWORK,
        network=network,
        obj=agreement,
    )
    return acceptance
