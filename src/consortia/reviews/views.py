"""Review pages: the list and cadence of an initiative's reviews, one review (snapshot, entries,
kudos, action items, sign-off), exports, and the personal calendar feed.

parse → permissions.py → services.py/selectors.py → render. Entries and kudos are added with
HTMX (the entries section is swapped in place); every form also works without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consortia.core import flows, htmx
from consortia.core.models import hash_token
from consortia.initiatives import permissions as initiative_permissions
from consortia.networks.pages import network_page_context

from . import export, forms, ics, permissions, selectors, services
from .models import CalendarFeed, Review, ReviewSchedule


def _list_url(initiative) -> str:
    return reverse("review_list", args=[initiative.network.slug, initiative.pk])


def _load_initiative(request, slug, pk):
    initiative_permissions.get_network_for(request.user, slug)
    return permissions.get_initiative_for(request.user, pk, slug=slug)


def _load_review(request, slug, pk, rid) -> Review:
    initiative_permissions.get_network_for(request.user, slug)
    review = permissions.get_review_for(request.user, rid, initiative_id=pk)
    if review.initiative.network.slug != slug:
        raise Http404("No such review")
    return review


def _list_context(request, initiative, *, schedule_form=None, add_form=None):
    schedule = ReviewSchedule.objects.filter(initiative=initiative).first()
    may_steer = initiative_permissions.may_steer(request.user, initiative)
    return network_page_context(
        request,
        initiative.network,
        "initiatives",
        initiative=initiative,
        schedule=schedule,
        reviews=list(selectors.reviews_of(initiative)[:50]),
        may_steer=may_steer,
        schedule_form=schedule_form
        or forms.ScheduleForm(
            initial={"cadence": schedule.cadence, "first_on": schedule.first_on}
            if schedule
            else None
        ),
        add_form=add_form or forms.ReviewAddForm(),
    )


@login_required
def review_list(request, slug, pk):
    initiative = _load_initiative(request, slug, pk)
    services.ensure_scheduled(initiative)  # works without a worker
    return render(request, "reviews/review_list.html", _list_context(request, initiative))


@login_required
@require_POST
def schedule_set(request, slug, pk):
    initiative = _load_initiative(request, slug, pk)
    form = forms.ScheduleForm(request.POST)
    if response := flows.submit(
        request,
        form,
        lambda data: services.schedule_set(actor=request.user, initiative=initiative, **data),
        success="Review cadence saved; the next review is scheduled.",
        redirect_to=_list_url(initiative),
    ):
        return response
    context = _list_context(request, initiative, schedule_form=form)
    return render(request, "reviews/review_list.html", context, status=flows.form_status(form))


@login_required
@require_POST
def review_add(request, slug, pk):
    initiative = _load_initiative(request, slug, pk)
    form = forms.ReviewAddForm(request.POST)
    if response := flows.submit(
        request,
        form,
        lambda data: services.review_add(actor=request.user, initiative=initiative, **data),
        success="Review added.",
        redirect_to=services.review_url,
    ):
        return response
    context = _list_context(request, initiative, add_form=form)
    return render(request, "reviews/review_list.html", context, status=flows.form_status(form))


def _detail_context(request, review, *, entry_form=None, action_form=None):
    initiative = review.initiative
    participation = initiative_permissions.participation_of(request.user, initiative)
    signoffs = selectors.signoffs_of(review)
    mine = next(
        (
            s
            for s in signoffs
            if participation and s["organization"].pk == participation.organization_id
        ),
        None,
    )
    writable = review.status == Review.Status.HELD
    return network_page_context(
        request,
        initiative.network,
        "initiatives",
        initiative=initiative,
        review=review,
        snapshot=review.snapshot or {},
        charts=selectors.series_charts(review.snapshot or {}),
        metric_charts=selectors.metric_charts(review.snapshot or {}),
        groups=selectors.grouped_entries(review),
        signoffs=signoffs,
        may_steer=initiative_permissions.may_steer(request.user, initiative),
        writable=writable,
        may_sign=writable
        and mine is not None
        and not mine["current"]
        and services.may_sign(request.user, initiative, participation),
        renewing=bool(mine and mine["signoff"] is not None and not mine["current"]),
        entry_form=entry_form or forms.EntryForm(initiative=initiative),
        action_form=action_form or forms.ActionForm(initiative=initiative),
    )


@login_required
def review_detail(request, slug, pk, rid):
    review = _load_review(request, slug, pk, rid)
    return render(request, "reviews/review_detail.html", _detail_context(request, review))


@login_required
@require_POST
def review_hold(request, slug, pk, rid):
    review = _load_review(request, slug, pk, rid)
    flows.act(
        request,
        lambda: services.review_hold(actor=request.user, review=review),
        success="The review is held: its snapshot is frozen.",
    )
    return htmx.redirect(request, services.review_url(review))


@login_required
@require_POST
def entry_add(request, slug, pk, rid):
    review = _load_review(request, slug, pk, rid)
    form = forms.EntryForm(request.POST, initiative=review.initiative)
    accepted, _ = flows.run(
        form, lambda data: services.entry_add(actor=request.user, review=review, **data)
    )
    status = flows.form_status(form)
    if accepted:
        messages.success(request, "Added to the review.")
        if not htmx.is_htmx(request):
            return htmx.redirect(request, services.review_url(review))
        form = None
    review.refresh_from_db()
    context = _detail_context(request, review, entry_form=form)
    return htmx.page_or_fragment(
        request, "reviews/review_detail.html", "entries", context, status=status
    )


@login_required
@require_POST
def action_add(request, slug, pk, rid):
    review = _load_review(request, slug, pk, rid)
    form = forms.ActionForm(request.POST, initiative=review.initiative)
    if response := flows.submit(
        request,
        form,
        lambda data: services.action_add(actor=request.user, review=review, **data),
        success="Action item sent as a request.",
        redirect_to=services.review_url(review),
    ):
        return response
    context = _detail_context(request, review, action_form=form)
    return render(request, "reviews/review_detail.html", context, status=flows.form_status(form))


@login_required
@require_POST
def sign_off(request, slug, pk, rid):
    review = _load_review(request, slug, pk, rid)
    flows.act(
        request,
        lambda: services.review_sign_off(actor=request.user, review=review),
        success="Signed off for your organization, as the review reads now.",
    )
    return htmx.redirect(request, services.review_url(review))


@login_required
@require_GET
def review_export(request, slug, pk, rid, fmt):
    review = _load_review(request, slug, pk, rid)
    if fmt not in export.FORMATS:
        raise Http404("No such format")
    if fmt == "md":
        response = HttpResponse(
            export.markdown(review), content_type="text/markdown; charset=utf-8"
        )
    else:
        response = HttpResponse(export.pdf(review), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{export.filename(review, fmt)}"'
    return response


# Calendar -----------------------------------------------------------------------------------


@login_required
@flows.require_GET_or_POST
def calendar_settings(request):
    feed = CalendarFeed.objects.filter(person=request.user).first()
    url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(actor=request.user)
            messages.success(request, "The calendar address no longer works.")
            return htmx.redirect(request, reverse("calendar_settings"))
        raw = services.calendar_feed_rotate(actor=request.user)
        url = request.build_absolute_uri(reverse("calendar_feed", args=[raw]))
        feed = CalendarFeed.objects.filter(person=request.user).first()
    return render(request, "reviews/calendar.html", {"feed": feed, "url": url})


@require_GET
def calendar_feed(request, token):
    feed = (
        CalendarFeed.objects.select_related("person__org_membership__organization")
        .filter(digest=hash_token(token))
        .first()
    )
    if feed is None or not feed.person.is_active:
        raise Http404("No such calendar")
    body = ics.render(ics.events_for(feed.person), name=f"Consortia: {feed.person}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
