"""REST operations: challenges, posts, documents, ndas and the access log.

Like the pages: parse → permissions.get_item_for (404 for anything the caller may not see —
missing, invisible or in another network) → services/selectors. Forbidden actions are 403
with a sentence; input a rule refuses is 422 and nothing changes.
"""

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from ninja import File, Form, Path, Query, Router, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from consortia.core.pagination import Pagination
from consortia.core.schemas import BODY_ERRORS, ERRORS, MAX_ID, SLUG_PATTERN
from consortia.networks.permissions import get_network_for, org_id_of

from . import selectors, services
from .audience import visible_items
from .models import AccessLog, DocumentVersion, Item, Nda, Offer
from .permissions import get_item_for, get_readable_network_for
from .schemas import (
    AccessLogOut,
    AudienceIn,
    CommentIn,
    CommentOut,
    ConvertIn,
    ConvertOut,
    DocumentForm,
    ItemDetailOut,
    ItemFilter,
    ItemIn,
    ItemKind,
    ItemOut,
    ItemUpdateIn,
    NdaAction,
    NdaIn,
    NdaOut,
    NetworkNdaOut,
    OfferAnswer,
    OfferIn,
    OfferOut,
    ResolveIn,
    VersionOut,
)

router = Router(tags=["sharing"])
NetworkSlug = Path(..., max_length=60, pattern=SLUG_PATTERN, description="The network's slug.")


def Id(description: str):
    return Path(..., ge=1, le=MAX_ID, description=description)


ItemId = Id("The item's id.")
KIND_QUERY = Query(None, description="challenge, post or document; every kind when omitted.")
SHOW_QUERY = Query(ItemFilter.all, description="all, open, mine or offered.")
ITEM_QUERY = Query(None, ge=1, le=MAX_ID, description="Only this item.")


def _item(request, slug, item_id, kind=None) -> Item:
    return get_item_for(request.auth, slug, item_id, kind=kind)


def _detail(request, item) -> dict:
    owner = org_id_of(request.auth) == item.organization_id
    data = {
        field: getattr(item, field)
        for field in (
            "id", "kind", "title", "organization", "author", "audience", "level", "initiative_id",
            "status", "created_at", "updated_at", "body", "body_html", "outcome",
            "converted_initiative_id",
        )
    }  # fmt: skip
    data["tags"] = item.tag_list
    data["partners"] = (
        list(item.partners.values_list("organization_id", flat=True)) if owner else None
    )
    data["readers"] = list(item.readers.values_list("person_id", flat=True)) if owner else None
    return data


def _ids_csv(value: str, field: str) -> list[int]:
    result = []
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not (0 < int(part) <= MAX_ID):
            raise ValidationError({field: "Give ids separated by commas."})
        result.append(int(part))
    return result


# Items ---------------------------------------------------------------------------------------


@router.get(
    "/networks/{slug}/items",
    response={200: list[ItemOut], **ERRORS},
    summary="List the shared items you may see",
)
@paginate(Pagination)
def list_items(
    request,
    slug: str = NetworkSlug,
    kind: ItemKind | None = KIND_QUERY,
    show: ItemFilter = SHOW_QUERY,
):
    """Most recently active first; only items whose audience and level include you."""
    network = get_readable_network_for(request.auth, slug)
    queryset = visible_items(request.auth, network=network)
    if kind is not None:
        return selectors.items_for(
            person=request.auth, network=network, kind=kind.value, filter=show.value
        )
    return queryset.select_related("organization", "author").order_by("-updated_at", "-id")


@router.post(
    "/networks/{slug}/items",
    response={201: ItemDetailOut, **BODY_ERRORS},
    summary="Share a challenge or a post",
)
def create_item(request, payload: ItemIn, slug: str = NetworkSlug):
    """Documents are uploaded with POST /networks/{slug}/documents (multipart)."""
    network = get_network_for(request.auth, slug, need="act")
    item = services.item_create(
        actor=request.auth, network=network, **payload.model_dump(mode="python")
    )
    return Status(201, _detail(request, _item(request, slug, item.pk)))


@router.post(
    "/networks/{slug}/documents",
    response={201: ItemDetailOut, **BODY_ERRORS},
    summary="Upload a document (multipart)",
)
def create_document(
    request, form: Form[DocumentForm], file: File[UploadedFile], slug: str = NetworkSlug
):
    """Fields as form data; `partners` and `readers` are comma-separated ids."""
    network = get_network_for(request.auth, slug, need="act")
    item = services.item_create(
        actor=request.auth,
        network=network,
        kind=Item.Kind.DOCUMENT,
        title=form.title,
        body=form.body,
        tags=form.tags,
        audience=form.audience,
        level=form.level,
        partners=_ids_csv(form.partners, "partners"),
        initiative=form.initiative,
        readers=_ids_csv(form.readers, "readers"),
        file=file,
    )
    return Status(201, _detail(request, _item(request, slug, item.pk)))


@router.get(
    "/networks/{slug}/items/{item_id}",
    response={200: ItemDetailOut, **ERRORS},
    summary="Get a shared item",
)
def get_item(request, slug: str = NetworkSlug, item_id: int = ItemId):
    """404 for an item you may not see. Viewing a confidential or restricted item is logged."""
    item = _item(request, slug, item_id)
    services.access_log(person=request.auth, item=item, action=AccessLog.Action.VIEW)
    return _detail(request, item)


@router.patch(
    "/networks/{slug}/items/{item_id}",
    response={200: ItemDetailOut, **BODY_ERRORS},
    summary="Edit an item's title, text or tags",
)
def update_item(request, payload: ItemUpdateIn, slug: str = NetworkSlug, item_id: int = ItemId):
    """Edit an item's title, text and tags (people of the owner organization: the author or a
    team leader). Its audience changes through the audience operation."""
    item = _item(request, slug, item_id)
    services.item_update(actor=request.auth, item=item, **payload.model_dump(exclude_unset=True))
    return _detail(request, _item(request, slug, item_id))


@router.put(
    "/networks/{slug}/items/{item_id}/audience",
    response={200: ItemDetailOut, **BODY_ERRORS},
    summary="Change who may see an item",
)
def update_audience(request, payload: AudienceIn, slug: str = NetworkSlug, item_id: int = ItemId):
    """Narrowing takes effect at once for everyone outside the new audience."""
    item = _item(request, slug, item_id)
    services.item_update_audience(
        actor=request.auth, item=item, **payload.model_dump(mode="python")
    )
    return _detail(request, _item(request, slug, item_id))


# Comments ------------------------------------------------------------------------------------


@router.get(
    "/networks/{slug}/items/{item_id}/comments",
    response={200: list[CommentOut], **ERRORS},
    summary="List an item's comments",
)
@paginate(Pagination)
def list_comments(request, slug: str = NetworkSlug, item_id: int = ItemId):
    """The comments on an item you may see, oldest first. Comments share the item's audience."""
    return selectors.comments_of(_item(request, slug, item_id)).order_by("created_at", "id")


@router.post(
    "/networks/{slug}/items/{item_id}/comments",
    response={201: CommentOut, **BODY_ERRORS},
    summary="Comment on an item",
)
def create_comment(request, payload: CommentIn, slug: str = NetworkSlug, item_id: int = ItemId):
    """Comment on an item you may see; the comment reaches exactly the item's audience."""
    item = _item(request, slug, item_id)
    return Status(201, services.comment_create(actor=request.auth, item=item, body=payload.body))


# Challenges: offers, resolution, conversion ------------------------------------------------


@router.get(
    "/networks/{slug}/items/{item_id}/offers",
    response={200: list[OfferOut], **ERRORS},
    summary="List offers of help on a challenge",
)
@paginate(Pagination)
def list_offers(request, slug: str = NetworkSlug, item_id: int = ItemId):
    """The owner organization sees every offer; others see their own organization's."""
    item = _item(request, slug, item_id, kind=Item.Kind.CHALLENGE)
    return selectors.offers_for(person=request.auth, item=item)


@router.post(
    "/networks/{slug}/items/{item_id}/offers",
    response={201: OfferOut, **BODY_ERRORS},
    summary="Offer help on a challenge",
)
def create_offer(request, payload: OfferIn, slug: str = NetworkSlug, item_id: int = ItemId):
    """Offer help on an open challenge, for your organization (one live offer per
    organization)."""
    item = _item(request, slug, item_id, kind=Item.Kind.CHALLENGE)
    offer = services.offer_create(actor=request.auth, item=item, **payload.model_dump())
    return Status(201, offer)


@router.post(
    "/networks/{slug}/items/{item_id}/offers/{offer_id}/{answer}",
    response={200: OfferOut, **ERRORS},
    summary="Accept or decline an offer",
)
def answer_offer(
    request,
    answer: OfferAnswer,
    slug: str = NetworkSlug,
    item_id: int = ItemId,
    offer_id: int = Id("The offer's id."),
):
    """The challenge's owner accepts or declines an offer (`answer`: accept or decline)."""
    item = _item(request, slug, item_id, kind=Item.Kind.CHALLENGE)
    offer = selectors.offers_for(person=request.auth, item=item).filter(pk=offer_id).first()
    if offer is None:
        raise Http404("No such offer")
    action = services.offer_accept if answer == OfferAnswer.accept else services.offer_decline
    action(actor=request.auth, offer=offer)
    return Offer.objects.select_related("organization", "person").get(pk=offer.pk)


@router.post(
    "/networks/{slug}/items/{item_id}/resolve",
    response={200: ItemDetailOut, **BODY_ERRORS},
    summary="Resolve a challenge with an outcome",
)
def resolve_challenge(request, payload: ResolveIn, slug: str = NetworkSlug, item_id: int = ItemId):
    """Close an open challenge with the outcome it had (owner organization only)."""
    item = _item(request, slug, item_id, kind=Item.Kind.CHALLENGE)
    services.challenge_resolve(actor=request.auth, item=item, outcome=payload.outcome)
    return _detail(request, _item(request, slug, item_id))


@router.post(
    "/networks/{slug}/items/{item_id}/convert",
    response={201: ConvertOut, **BODY_ERRORS},
    summary="Convert a challenge into a proposed initiative",
)
def convert_challenge(request, payload: ConvertIn, slug: str = NetworkSlug, item_id: int = ItemId):
    """The organizations that offered help are invited; they still have to accept."""
    item = _item(request, slug, item_id, kind=Item.Kind.CHALLENGE)
    initiative = services.challenge_convert(actor=request.auth, item=item, **payload.model_dump())
    return Status(201, {"initiative_id": initiative.pk})


# Documents -----------------------------------------------------------------------------------


@router.get(
    "/networks/{slug}/items/{item_id}/versions",
    response={200: list[VersionOut], **ERRORS},
    summary="List a document's versions",
)
def list_versions(request, slug: str = NetworkSlug, item_id: int = ItemId):
    """The versions of a document, newest first."""
    item = _item(request, slug, item_id, kind=Item.Kind.DOCUMENT)
    return list(selectors.versions_of(item))


@router.post(
    "/networks/{slug}/items/{item_id}/versions",
    response={201: VersionOut, **BODY_ERRORS},
    summary="Upload a new version of a document (multipart)",
)
def upload_version(
    request, file: File[UploadedFile], slug: str = NetworkSlug, item_id: int = ItemId
):
    """Upload a new version of a document (multipart; size and type are checked against the
    file's bytes)."""
    item = _item(request, slug, item_id, kind=Item.Kind.DOCUMENT)
    return Status(201, services.document_add_version(actor=request.auth, item=item, file=file))


def _download(request, item, number):
    versions = DocumentVersion.objects.filter(item=item)
    version = (
        versions.filter(number=number).first()
        if number is not None
        else versions.order_by("-number").first()
    )
    if version is None:
        raise Http404("No such version")
    services.access_log(
        person=request.auth, item=item, action=AccessLog.Action.DOWNLOAD, version=version
    )
    try:
        handle = version.file.open("rb")
    except OSError:
        raise Http404("The file is missing from storage") from None
    response = FileResponse(
        handle, as_attachment=True, filename=version.filename, content_type=version.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/networks/{slug}/items/{item_id}/file",
    response={200: None, **ERRORS},
    summary="Download a document's latest file",
)
def download_latest(request, slug: str = NetworkSlug, item_id: int = ItemId):
    """Checked against the item's audience on every request; the download is logged for
    confidential and restricted documents."""
    return _download(request, _item(request, slug, item_id, kind=Item.Kind.DOCUMENT), None)


@router.get(
    "/networks/{slug}/items/{item_id}/versions/{number}/file",
    response={200: None, **ERRORS},
    summary="Download one version of a document",
)
def download_version(
    request,
    slug: str = NetworkSlug,
    item_id: int = ItemId,
    number: int = Path(..., ge=1, le=1_000_000),
):
    """Download one version's file. Only through this permission-checked operation; views of
    confidential and restricted documents are logged."""
    return _download(request, _item(request, slug, item_id, kind=Item.Kind.DOCUMENT), number)


# Access log ----------------------------------------------------------------------------------


@router.get(
    "/networks/{slug}/access-log",
    response={200: list[AccessLogOut], **ERRORS},
    summary="Who viewed or downloaded your organization's confidential items",
)
@paginate(Pagination)
def list_access_log(
    request,
    slug: str = NetworkSlug,
    item: int | None = ITEM_QUERY,
):
    """Who viewed or downloaded your organization's confidential and restricted items, and when
    (newest first)."""
    network = get_readable_network_for(request.auth, slug)
    org_id = org_id_of(request.auth)
    if org_id is None:
        raise Http404("No organization")
    queryset = selectors.access_log_for(organization_id=org_id, network=network)
    if item is not None:
        queryset = queryset.filter(item_id=item)
    return queryset


# NDAs ----------------------------------------------------------------------------------------


def _nda(request, slug, nda_id) -> Nda:
    network = get_network_for(request.auth, slug, need="member")
    org_id = org_id_of(request.auth)
    nda = selectors.ndas_for(organization_id=org_id, network=network).filter(pk=nda_id).first()
    if nda is None:
        raise Http404("No such NDA")
    return nda


@router.get(
    "/networks/{slug}/ndas",
    response={200: list[NdaOut], **ERRORS},
    summary="List your organization's bilateral NDAs",
)
@paginate(Pagination)
def list_ndas(request, slug: str = NetworkSlug):
    """Bilateral NDAs your organization proposed or was offered in this network, with their
    status."""
    network = get_network_for(request.auth, slug, need="member")
    return selectors.ndas_for(organization_id=org_id_of(request.auth), network=network)


@router.post(
    "/networks/{slug}/ndas",
    response={201: NdaOut, **BODY_ERRORS},
    summary="Propose a bilateral NDA to a partner organization",
)
def propose_nda(request, payload: NdaIn, slug: str = NetworkSlug):
    """A new proposal supersedes your live NDA with that partner at once."""
    network = get_network_for(request.auth, slug, need="member")
    nda = services.nda_propose(actor=request.auth, network=network, **payload.model_dump())
    return Status(201, nda)


@router.post(
    "/networks/{slug}/ndas/{nda_id}/{action}",
    response={200: NdaOut, **ERRORS},
    summary="Accept, decline or withdraw a bilateral NDA",
)
def answer_nda(
    request, action: NdaAction, slug: str = NetworkSlug, nda_id: int = Id("The NDA's id.")
):
    """Act on a bilateral NDA: `accept` or `decline` (the other side), `withdraw` (either side;
    takes effect at once)."""
    nda = _nda(request, slug, nda_id)
    service = {
        NdaAction.accept: services.nda_accept,
        NdaAction.decline: services.nda_decline,
        NdaAction.withdraw: services.nda_withdraw,
    }[action]
    return service(actor=request.auth, nda=nda)


@router.get(
    "/networks/{slug}/nda",
    response={200: NetworkNdaOut, **ERRORS},
    summary="The network's current NDA and whether your organization accepted it",
)
def get_network_nda(request, slug: str = NetworkSlug):
    """The network's current NDA version and whether your organization accepted it."""
    network = get_network_for(request.auth, slug, need="member")
    agreement = services.current_network_nda(network)
    org_id = org_id_of(request.auth)
    accepted = bool(
        agreement and org_id and agreement.acceptances.filter(organization_id=org_id).exists()
    )
    return {
        "version": agreement.version if agreement else None,
        "title": agreement.title if agreement else None,
        "text": agreement.text if agreement else None,
        "accepted": accepted,
    }


@router.post(
    "/networks/{slug}/nda/accept",
    response={200: NetworkNdaOut, **ERRORS},
    summary="Accept the network's current NDA for your organization",
)
def accept_network_nda(request, slug: str = NetworkSlug):
    """Your organization (a team leader) accepts the network's current NDA version."""
    network = get_network_for(request.auth, slug, need="member")
    services.network_nda_accept(actor=request.auth, network=network)
    return get_network_nda(request, slug)


from consortia.sharing import api_reach  # noqa: E402,F401  (sharing-reach: search, feed, export)
