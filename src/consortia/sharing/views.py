"""The web pages of challenges, posts, documents, NDAs and the access log.

parse → permissions (get_item_for: 404 for anything invisible) → services/selectors → render.
Offers, comments and list filters swap fragments with HTMX; every action also works as a plain
POST that redirects back.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.http import require_POST

from consortia.core import flows, htmx
from consortia.core.paging import feed_page
from consortia.networks.models import Person
from consortia.networks.pages import network_page_context
from consortia.networks.permissions import get_network_for, org_id_of, require_team_leader

from . import forms, selectors, services
from .models import AccessLog, DocumentVersion, Item, Nda, Offer
from .permissions import get_item_for, get_readable_network_for, in_owner_org, is_item_owner

LIST_LIMIT = 50
KIND_TABS = {"challenge": "challenges", "post": "posts", "document": "documents"}
KIND_PLURAL = {"challenge": "Challenges", "post": "Posts", "document": "Documents"}


def _detail_url(item) -> str:
    return reverse(f"sharing_{item.kind}_detail", args=[item.network.slug, item.pk])


@login_required
def item_list(request, slug, kind):
    network = get_readable_network_for(request.user, slug)
    show = request.GET.get("show", "all")
    if show not in selectors.FILTERS[kind]:
        show = "all"
    # Newer/older pages without counting every visible item (core.paging).
    page = feed_page(
        selectors.items_for(person=request.user, network=network, kind=kind, filter=show),
        request.GET.get("page"),
        per_page=LIST_LIMIT,
    )
    context = network_page_context(
        request,
        network,
        KIND_TABS[kind],
        kind=kind,
        kind_plural=KIND_PLURAL[kind],
        items=page.object_list,
        page=page,
        show=show,
        filters=[(f, selectors.FILTER_LABELS[f]) for f in selectors.FILTERS[kind]],
    )
    return htmx.page_or_fragment(request, "sharing/item_list.html", "items", context)


def _detail_context(request, item, **extra):
    person = request.user
    context = network_page_context(
        request,
        item.network,
        KIND_TABS[item.kind],
        item=item,
        kind=item.kind,
        kind_plural=KIND_PLURAL[item.kind],
        is_owner=is_item_owner(person, item),
        in_owner_org=in_owner_org(person, item),
        visible_to=selectors.describe_item(item),
        comments=list(selectors.comments_of(item)),
        comment_form=extra.pop("comment_form", None) or forms.CommentForm(),
        **extra,
    )
    if item.kind == Item.Kind.CHALLENGE:
        context["offers"] = list(selectors.offers_for(person=person, item=item))
        context["offer_form"] = context.get("offer_form") or forms.OfferForm()
        context["may_offer"] = (
            item.status == Item.Status.OPEN
            and context["can_act"]
            and not context["in_owner_org"]
            and not any(o.status != Offer.Status.DECLINED for o in context["offers"])
        )
        context["resolve_form"] = context.get("resolve_form") or forms.ResolveForm()
        context["convert_form"] = context.get("convert_form") or forms.ConvertForm()
    if item.kind == Item.Kind.DOCUMENT:
        context["versions"] = list(selectors.versions_of(item))
        context["version_form"] = context.get("version_form") or forms.VersionForm()
    return context


def _detail_again(request, item, **forms_with_errors):
    """The item's page again with a rejected form: what was typed and each error next to its
    field, answered 422."""
    item.refresh_from_db()
    context = _detail_context(request, item, **forms_with_errors)
    status = max(flows.form_status(f) for f in forms_with_errors.values())
    return render(request, "sharing/item_detail.html", context, status=status)


@login_required
def item_detail(request, slug, pk, kind):
    item = get_item_for(request.user, slug, pk, kind=kind)
    services.access_log(person=request.user, item=item, action=AccessLog.Action.VIEW)
    return render(request, "sharing/item_detail.html", _detail_context(request, item))


@login_required
@flows.require_GET_or_POST
def item_create(request, slug, kind):
    if kind not in Item.Kind.values:
        raise Http404("No such kind")
    network = get_network_for(request.user, slug, need="act")
    org_id = org_id_of(request.user)
    form_kwargs = {"network": network, "organization_id": org_id, "kind": kind}
    if request.method == "POST":
        form = forms.ItemForm(request.POST, request.FILES, **form_kwargs)
    else:
        form = forms.ItemForm(**form_kwargs)
    if response := flows.submit(
        request,
        form,
        lambda data: services.item_create(
            actor=request.user,
            network=network,
            kind=kind,
            title=data["title"],
            body=data["body"],
            tags=data["tags"],
            file=data.get("file"),
            **form.audience_data(),
        ),
        success=lambda item: f"“{item}” is shared. {selectors.describe_item(item)}",
        redirect_to=_detail_url,
    ):
        return response
    context = network_page_context(
        request,
        network,
        KIND_TABS[kind],
        form=form,
        kind=kind,
        kind_plural=KIND_PLURAL[kind],
        visible_to=_preview_text(request, network, form),
    )
    return render(request, "sharing/item_form.html", context, status=flows.form_status(form))


def _preview_text(request, network, form) -> str:
    organization = request.user.organization
    if not form.is_bound:
        return selectors.describe_audience(
            audience=Item.Audience.ORGANIZATION, level=Item.Level.OPEN, organization=organization
        )
    data = form.data
    audience = data.get("audience", "")
    level = data.get("level", "")
    partners = forms.partner_choices(network, organization.pk).filter(
        pk__in=[v for v in data.getlist("partners") if v.isdigit()]
    )
    initiative_id = data.get("initiative", "")
    initiative = (
        form.fields["initiative"].queryset.filter(pk=initiative_id).first()
        if initiative_id.isdigit()
        else None
    )
    readers = Person.objects.filter(pk__in=[v for v in data.getlist("readers") if v.isdigit()])
    if audience not in Item.Audience.values or level not in Item.Level.values:
        return "Choose an audience and a confidentiality level."
    # Choices left over from another audience are ignored, as when the form is saved.
    if audience != Item.Audience.PARTNERS:
        partners = partners.none()
    if audience != Item.Audience.INITIATIVE:
        initiative = None
    if level != Item.Level.RESTRICTED:
        readers = readers.none()
    try:
        services.clean_audience(
            network=network,
            organization=organization,
            audience=audience,
            level=level,
            partners=[o.pk for o in partners],
            initiative=initiative.pk if initiative else None,
            readers=[p.pk for p in readers],
        )
    except ValidationError as exc:
        return "Not yet valid: " + " ".join(exc.messages)
    return selectors.describe_audience(
        audience=audience,
        level=level,
        organization=organization,
        partners=list(partners),
        initiative=initiative,
        readers=list(readers),
    )


@login_required
@require_POST
def audience_preview(request, slug):
    """HTMX: the "visible to: …" sentence for the audience chosen so far (nothing is saved)."""
    network = get_network_for(request.user, slug, need="act")
    form = forms.AudienceForm(
        request.POST, network=network, organization_id=org_id_of(request.user)
    )
    text = _preview_text(request, network, form)
    return HttpResponse(f'<span class="badge badge--info visible-to">{escape(text)}</span>')


@login_required
@flows.require_GET_or_POST
def item_audience(request, slug, pk):
    item = get_item_for(request.user, slug, pk)
    if not is_item_owner(request.user, item):
        raise PermissionDenied(
            f"Only the author or a team leader of {item.organization} can change who sees it."
        )
    form_kwargs = {"network": item.network, "organization_id": item.organization_id}
    if request.method == "POST":
        form = forms.AudienceForm(request.POST, **form_kwargs)
    else:
        form = forms.AudienceForm(
            initial={
                "audience": item.audience,
                "level": item.level,
                "partners": list(item.partners.values_list("organization_id", flat=True)),
                "initiative": item.initiative_id,
                "readers": list(item.readers.values_list("person_id", flat=True)),
            },
            **form_kwargs,
        )

    def saved(_result) -> str:
        item.refresh_from_db()
        return f"Saved. {selectors.describe_item(item)}"

    if response := flows.submit(
        request,
        form,
        lambda _data: services.item_update_audience(
            actor=request.user, item=item, **form.audience_data()
        ),
        success=saved,
        redirect_to=_detail_url(item),
    ):
        return response
    context = network_page_context(
        request,
        item.network,
        KIND_TABS[item.kind],
        item=item,
        form=form,
        kind=item.kind,
        visible_to=selectors.describe_item(item),
    )
    return render(request, "sharing/audience_form.html", context, status=flows.form_status(form))


@login_required
@require_POST
def comment_create(request, slug, pk):
    item = get_item_for(request.user, slug, pk)
    form = forms.CommentForm(request.POST)
    accepted, _ = flows.run(
        form,
        lambda data: services.comment_create(actor=request.user, item=item, body=data["body"]),
    )
    if accepted:
        form = forms.CommentForm()
    context = _detail_context(request, item, comment_form=form)
    status = flows.form_status(form)
    if htmx.is_htmx(request):
        return htmx.fragment(
            request, "sharing/item_detail.html", "comments", context, status=status
        )
    if form.errors:
        return render(request, "sharing/item_detail.html", context, status=status)
    return htmx.redirect(request, _detail_url(item))


@login_required
@require_POST
def offer_create(request, slug, pk):
    item = get_item_for(request.user, slug, pk, kind=Item.Kind.CHALLENGE)
    form = forms.OfferForm(request.POST)
    accepted, _ = flows.run(
        form, lambda data: services.offer_create(actor=request.user, item=item, **data)
    )
    if accepted:
        messages.success(request, "Your offer is sent.")
        form = None
    context = _detail_context(request, item, offer_form=form)
    status = flows.form_status(form)
    if htmx.is_htmx(request):
        return htmx.fragment(request, "sharing/item_detail.html", "offers", context, status=status)
    if status != 200:
        return render(request, "sharing/item_detail.html", context, status=status)
    return htmx.redirect(request, _detail_url(item))


@login_required
@require_POST
def offer_answer(request, slug, pk, offer_id, answer):
    item = get_item_for(request.user, slug, pk, kind=Item.Kind.CHALLENGE)
    offer = Offer.objects.filter(item=item, pk=offer_id).first()
    if offer is None or answer not in ("accept", "decline"):
        raise Http404("No such offer")
    action = services.offer_accept if answer == "accept" else services.offer_decline
    flows.act(
        request,
        lambda: action(actor=request.user, offer=offer),
        success=f"The offer of {offer.organization} is {answer}ed.",
    )
    item.refresh_from_db()
    if htmx.is_htmx(request):
        context = _detail_context(request, item)
        return htmx.fragment(request, "sharing/item_detail.html", "offers", context)
    return htmx.redirect(request, _detail_url(item))


@login_required
@require_POST
def challenge_resolve(request, slug, pk):
    item = get_item_for(request.user, slug, pk, kind=Item.Kind.CHALLENGE)
    form = forms.ResolveForm(request.POST)
    if response := flows.submit(
        request,
        form,
        lambda data: services.challenge_resolve(
            actor=request.user, item=item, outcome=data["outcome"]
        ),
        success="The challenge is resolved.",
        redirect_to=_detail_url(item),
    ):
        return response
    return _detail_again(request, item, resolve_form=form)


@login_required
@require_POST
def challenge_convert(request, slug, pk):
    item = get_item_for(request.user, slug, pk, kind=Item.Kind.CHALLENGE)
    form = forms.ConvertForm(request.POST)
    if response := flows.submit(
        request,
        form,
        lambda data: services.challenge_convert(actor=request.user, item=item, **data),
        success=lambda initiative: (
            f"The initiative “{initiative}” is proposed; the organizations that offered help "
            "are invited and still have to accept."
        ),
        redirect_to=lambda initiative: reverse(
            "initiative_detail", args=[item.network.slug, initiative.pk]
        ),
    ):
        return response
    # What was typed stays, each error next to its field (the page answers 422).
    return _detail_again(request, item, convert_form=form)


@login_required
@require_POST
def document_upload(request, slug, pk):
    item = get_item_for(request.user, slug, pk, kind=Item.Kind.DOCUMENT)
    form = forms.VersionForm(request.POST, request.FILES)
    if response := flows.submit(
        request,
        form,
        lambda data: services.document_add_version(
            actor=request.user, item=item, file=data["file"]
        ),
        success=lambda version: f"Version {version.number} is uploaded.",
        redirect_to=_detail_url(item),
    ):
        return response
    return _detail_again(request, item, version_form=form)


@login_required
def document_download(request, slug, pk, number=None):
    """The only way to a file: checked against the item's audience on every request."""
    item = get_item_for(request.user, slug, pk, kind=Item.Kind.DOCUMENT)
    versions = DocumentVersion.objects.filter(item=item)
    version = (
        versions.filter(number=number).first()
        if number is not None
        else versions.order_by("-number").first()
    )
    if version is None:
        raise Http404("No such version")
    services.access_log(
        person=request.user, item=item, action=AccessLog.Action.DOWNLOAD, version=version
    )
    try:
        handle = version.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing from storage") from None
    response = FileResponse(
        handle, as_attachment=True, filename=version.filename, content_type=version.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def access_log(request, slug):
    network = get_readable_network_for(request.user, slug)
    org_id = org_id_of(request.user)
    if org_id is None:
        raise Http404("No organization")
    rows = list(selectors.access_log_for(organization_id=org_id, network=network)[:200])
    context = network_page_context(request, network, "access_log", rows=rows)
    return render(request, "sharing/access_log.html", context)


# NDAs ----------------------------------------------------------------------------------------


def _nda_context(request, network, form=None, network_nda_form=None):
    org_id = org_id_of(request.user)
    agreement = services.current_network_nda(network)
    accepted = bool(
        agreement and org_id and agreement.acceptances.filter(organization_id=org_id).exists()
    )
    return network_page_context(
        request,
        network,
        "ndas",
        ndas=list(selectors.ndas_for(organization_id=org_id, network=network)),
        own_org_id=org_id,
        form=form or forms.NdaForm(network=network, organization_id=org_id),
        network_nda=agreement,
        network_nda_accepted=accepted,
        network_nda_form=network_nda_form or forms.NetworkNdaForm(auto_id="network-nda-%s"),
    )


@login_required
@flows.require_GET_or_POST
def nda_list(request, slug):
    network = get_network_for(request.user, slug, need="member")
    form = None
    if request.method == "POST":
        form = forms.NdaForm(request.POST, network=network, organization_id=org_id_of(request.user))
        if response := flows.submit(
            request,
            form,
            lambda data: services.nda_propose(actor=request.user, network=network, **data),
            success="The NDA is proposed; the partner accepts or declines.",
            redirect_to=reverse("sharing_ndas", args=[slug]),
        ):
            return response
    context = _nda_context(request, network, form)
    return render(request, "sharing/ndas.html", context, status=flows.form_status(form))


@login_required
@require_POST
def nda_answer(request, slug, pk, action):
    network = get_network_for(request.user, slug, need="member")
    org_id = org_id_of(request.user)
    nda = (
        Nda.objects.filter(network=network, pk=pk)
        .filter(Q(proposer_id=org_id) | Q(counterparty_id=org_id))
        .first()
    )
    if nda is None:
        raise Http404("No such NDA")
    service = {
        "accept": services.nda_accept,
        "decline": services.nda_decline,
        "withdraw": services.nda_withdraw,
    }.get(action)
    if service is None:
        raise Http404("No such action")
    flows.act(
        request,
        lambda: service(actor=request.user, nda=nda),
        success=f"The NDA is {action}{'n' if action == 'withdraw' else 'd'}.",
    )
    return htmx.redirect(request, reverse("sharing_ndas", args=[slug]))


@login_required
@require_POST
def network_nda_accept(request, slug):
    network = get_network_for(request.user, slug, need="member")
    require_team_leader(request.user, "Only a team leader can accept the NDA.")
    flows.act(
        request,
        lambda: services.network_nda_accept(actor=request.user, network=network),
        success="Your organization accepted the network NDA.",
    )
    return htmx.redirect(request, reverse("sharing_ndas", args=[slug]))


@login_required
@require_POST
def network_nda_propose(request, slug):
    """Open a yes/no poll of the members on a new network NDA version (action adopt_nda)."""
    network = get_network_for(request.user, slug, need="act")
    form = forms.NetworkNdaForm(request.POST, auto_id="network-nda-%s")
    if response := flows.submit(
        request,
        form,
        lambda data: services.network_nda_propose(actor=request.user, network=network, **data),
        success="The poll is open; the NDA is published if the members agree.",
        redirect_to=lambda poll: reverse("poll_detail", args=[slug, poll.pk]),
    ):
        return response
    # The page again with what was typed and each error next to its field.
    context = _nda_context(request, network, network_nda_form=form)
    return render(request, "sharing/ndas.html", context, status=flows.form_status(form))


@login_required
@flows.require_GET_or_POST
def item_edit(request, slug, pk):
    """The author or a team leader of the owner organization edits the text and tags."""
    item = get_item_for(request.user, slug, pk)
    if not is_item_owner(request.user, item):
        raise PermissionDenied(
            f"Only the author or a team leader of {item.organization} can edit it."
        )
    form = forms.ItemEditForm(
        flows.posted(request),
        initial={"title": item.title, "body": item.body, "tags": ", ".join(item.tag_list)},
    )
    if response := flows.submit(
        request,
        form,
        lambda data: services.item_update(actor=request.user, item=item, **data),
        success="Saved.",
        redirect_to=_detail_url(item),
    ):
        return response
    context = network_page_context(
        request, item.network, KIND_TABS[item.kind], item=item, form=form, kind=item.kind
    )
    return render(request, "sharing/item_edit.html", context, status=flows.form_status(form))
