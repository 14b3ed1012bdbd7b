"""Every write about joint reviews goes through here (keyword-only, one transaction each,
ValidationError for bad input, PermissionDenied with a sentence, an event per change)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from consortia.core.events import emit
from consortia.core.models import Audience, hash_token
from consortia.core.notifications import notify
from consortia.initiatives import permissions as initiative_permissions
from consortia.initiatives import services as initiative_services
from consortia.initiatives.models import Initiative, Participation
from consortia.networks.models import Organization, OrgMembership, Person

from . import selectors
from . import snapshot as snapshots
from .models import (
    MONTHS,
    Cadence,
    CalendarFeed,
    Review,
    ReviewEntry,
    ReviewSchedule,
    ReviewSignoff,
)

TEXT_LIMIT = 5000
EARLIEST = date(2000, 1, 1)
HORIZON = timedelta(days=5 * 366)


def review_url(review) -> str:
    return reverse(
        "review_detail", args=[review.initiative.network.slug, review.initiative_id, review.pk]
    )


def _event(actor, verb, summary, review_or_initiative, initiative):
    return emit(
        actor=actor,
        organization=actor.organization if actor else None,
        verb=verb,
        summary=summary,
        audience=Audience.NETWORK,
        network=initiative.network,
        obj=review_or_initiative,
    )


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def occurrences(schedule: ReviewSchedule, *, after: date, count: int = 1) -> list[date]:
    """The next `count` dates of the cadence on or after `after`."""
    step = MONTHS[schedule.cadence]
    found, k = [], 0
    day = schedule.first_on
    while len(found) < count and k < 1000:
        day = add_months(schedule.first_on, step * k)
        if day >= after:
            found.append(day)
        k += 1
    return found


def _require_steer(actor, initiative, what: str):
    initiative_permissions.require_steer(actor, initiative, what=what)
    initiative_permissions.require_open(initiative)


def _check_day(day, field: str, today: date) -> date:
    if not isinstance(day, date):
        raise ValidationError({field: "Give a date."})
    if day < today:
        raise ValidationError({field: "The date cannot be in the past."})
    if day > today + HORIZON:
        raise ValidationError({field: "Choose a date within five years."})
    return day


@transaction.atomic
def schedule_set(
    *, actor: Person, initiative: Initiative, cadence: str, first_on: date, now=None
) -> ReviewSchedule:
    """The initiative's leader (or, while nobody leads it, a participating team leader) sets
    how often the participants review it; the next review is scheduled at once."""
    _require_steer(actor, initiative, "set the review cadence")
    if cadence not in Cadence.values:
        raise ValidationError({"cadence": "Choose monthly, quarterly or every six months."})
    today = timezone.localdate(now)
    _check_day(first_on, "first_on", today)
    schedule, _ = ReviewSchedule.objects.update_or_create(
        initiative=initiative,
        defaults={
            "cadence": cadence,
            "first_on": first_on,
            "set_by": actor,
            "set_at": now or timezone.now(),
        },
    )
    # Upcoming reviews of the old cadence that nobody held give way to the new one.
    Review.objects.filter(
        initiative=initiative,
        from_schedule=True,
        status=Review.Status.SCHEDULED,
        scheduled_for__gte=today,
    ).delete()
    _event(
        actor,
        "review.schedule_set",
        f"{actor} set {schedule.get_cadence_display().lower()} reviews of “{initiative}” "
        f"from {first_on:%d %b %Y}",
        initiative,
        initiative,
    )
    ensure_scheduled(initiative, now=now)
    return schedule


def ensure_scheduled(initiative: Initiative, *, now=None) -> Review | None:
    """Create the next review of the cadence if it does not exist yet (idempotent; called on
    read of the reviews page and by the worker)."""
    schedule = ReviewSchedule.objects.filter(initiative=initiative).first()
    if schedule is None or initiative.status in (
        Initiative.Status.COMPLETED,
        Initiative.Status.CANCELLED,
    ):
        return None
    today = timezone.localdate(now)
    upcoming = occurrences(schedule, after=today)
    if not upcoming or upcoming[0] > initiative.ends_on:
        return None
    try:
        with transaction.atomic():
            review, created = Review.objects.get_or_create(
                initiative=initiative,
                scheduled_for=upcoming[0],
                defaults={"from_schedule": True, "created_by": schedule.set_by},
            )
            if created:
                _scheduled(review, initiative)
    except IntegrityError:  # another request created it at the same moment
        review = Review.objects.get(initiative=initiative, scheduled_for=upcoming[0])
    return review


def _scheduled(review, initiative) -> None:
    emit(
        actor=None,
        verb="review.scheduled",
        summary=f"A joint review of “{initiative}” is scheduled for "
        f"{review.scheduled_for:%d %b %Y}",
        audience=Audience.NETWORK,
        network=initiative.network,
        obj=review,
    )
    notify(
        recipients=_participant_leaders(initiative),
        kind="review.scheduled",
        title=f"Joint review of {initiative} on {review.scheduled_for:%d %b %Y}",
        body="Each participating organization reviews progress, lessons and wins, then signs off.",
        url=review_url(review),
    )


def schedule_upcoming_reviews() -> int:
    """Worker job: make sure every active initiative with a cadence has its next review."""
    made = 0
    for schedule in ReviewSchedule.objects.filter(
        initiative__status__in=(Initiative.Status.ACTIVE, Initiative.Status.PROPOSED)
    ).select_related("initiative"):
        before = Review.objects.filter(initiative=schedule.initiative).count()
        ensure_scheduled(schedule.initiative)
        made += Review.objects.filter(initiative=schedule.initiative).count() - before
    return made


@transaction.atomic
def review_add(*, actor: Person, initiative: Initiative, scheduled_for: date, now=None) -> Review:
    """The leader adds a review outside the cadence."""
    _require_steer(actor, initiative, "add a review")
    _check_day(scheduled_for, "scheduled_for", timezone.localdate(now))
    if Review.objects.filter(initiative=initiative, scheduled_for=scheduled_for).exists():
        raise ValidationError({"scheduled_for": "There is already a review on that day."})
    review = Review.objects.create(
        initiative=initiative, scheduled_for=scheduled_for, created_by=actor
    )
    _event(
        actor,
        "review.added",
        f"{actor} scheduled a review of “{initiative}” on {scheduled_for:%d %b %Y}",
        review,
        initiative,
    )
    return review


def _lock(review) -> Review:
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related("initiative__network")
        .get(pk=review.pk)
    )


@transaction.atomic
def review_hold(*, actor: Person, review: Review, now=None) -> Review:
    """The leader holds the review: the snapshot is frozen now and participants can write."""
    review = _lock(review)
    initiative = review.initiative
    initiative_permissions.require_steer(actor, initiative, what="hold the review")
    if review.status != Review.Status.SCHEDULED:
        raise ValidationError("This review was already held.")
    now = now or timezone.now()
    previous = (
        Review.objects.filter(initiative=initiative, held_at__isnull=False)
        .exclude(pk=review.pk)
        .order_by("-held_at")
        .first()
    )
    review.period_start = timezone.localdate(previous.held_at) if previous else initiative.starts_on
    review.snapshot = snapshots.build(review, person=actor, now=now)
    review.status = Review.Status.HELD
    review.held_at, review.held_by = now, actor
    review.save()
    _event(actor, "review.held", f"{actor} held the review of “{initiative}”", review, initiative)
    notify(
        recipients=_participant_leaders(initiative, exclude=actor),
        kind="review.held",
        title=f"The review of {initiative} is open: add what works, lessons, kudos; sign off",
        url=review_url(review),
    )
    return review


def _participant_leaders(initiative, *, exclude=None) -> list:
    org_ids = Participation.objects.filter(
        initiative=initiative, status=Participation.Status.ACTIVE
    ).values("organization_id")
    people = Person.objects.filter(
        org_membership__organization_id__in=org_ids,
        org_membership__role=OrgMembership.Role.TEAM_LEADER,
    )
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return list(people)


def _require_writable(actor, review) -> Participation:
    participation = initiative_permissions.require_participant(actor, review.initiative)
    if review.status == Review.Status.SCHEDULED:
        raise ValidationError("The review has not been held yet.")
    if review.status == Review.Status.SIGNED_OFF:
        raise ValidationError("Everyone signed this review off; it can no longer change.")
    return participation


@transaction.atomic
def entry_add(
    *,
    actor: Person,
    review: Review,
    kind: str,
    text: str,
    kudos_person: Person | None = None,
    kudos_organization: Organization | None = None,
) -> ReviewEntry:
    """A participant writes what works, what does not, a lesson or a celebration."""
    review = _lock(review)
    participation = _require_writable(actor, review)
    if kind not in ReviewEntry.Kind.values or kind == ReviewEntry.Kind.ACTION:
        raise ValidationError(
            {"kind": "Choose what works, what does not work, a lesson or a celebration."}
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write something."})
    if len(text) > TEXT_LIMIT:
        raise ValidationError({"text": f"Keep it under {TEXT_LIMIT} characters."})
    if kind != ReviewEntry.Kind.CELEBRATION and (kudos_person or kudos_organization):
        raise ValidationError({"kind": "Kudos go with a celebration."})
    participants = Participation.objects.filter(
        initiative=review.initiative, status=Participation.Status.ACTIVE
    ).values("organization_id")
    if (
        kudos_organization is not None
        and not Participation.objects.filter(
            initiative=review.initiative,
            organization=kudos_organization,
            status=Participation.Status.ACTIVE,
        ).exists()
    ):
        raise ValidationError({"kudos_organization": "Give kudos to a participating organization."})
    if (
        kudos_person is not None
        and not OrgMembership.objects.filter(
            person=kudos_person, organization_id__in=participants
        ).exists()
    ):
        raise ValidationError(
            {"kudos_person": "Give kudos to someone from a participating organization."}
        )
    entry = ReviewEntry.objects.create(
        review=review,
        kind=kind,
        text=text,
        author=actor,
        organization_id=participation.organization_id,
        kudos_person=kudos_person,
        kudos_organization=kudos_organization,
    )
    label = entry.get_kind_display().lower()
    _event(
        actor, "review.entry_added", f"{actor} added {label} to {review}", review, review.initiative
    )
    if kudos_person is not None and kudos_person.pk != actor.pk:
        notify(
            recipients=[kudos_person],
            kind="review.kudos",
            title=f"{actor} celebrated you in the review of {review.initiative}",
            body=text,
            url=review_url(review),
        )
    return entry


@transaction.atomic
def action_add(
    *,
    actor: Person,
    review: Review,
    to_organization: Organization,
    title: str,
    due_on: date,
    description: str = "",
    to_person: Person | None = None,
    now=None,
) -> ReviewEntry:
    """An action item: a request sent through the initiatives service (the receiver accepts,
    declines or proposes a date; once accepted it is a commitment)."""
    review = _lock(review)
    _require_writable(actor, review)
    request = initiative_services.request_send(
        actor=actor,
        initiative=review.initiative,
        to_organization=to_organization,
        to_person=to_person,
        title=title,
        due_on=due_on,
        description=description or f"Action item from {review}.",
        now=now,
    )
    return ReviewEntry.objects.create(
        review=review,
        kind=ReviewEntry.Kind.ACTION,
        text=request.title,
        author=actor,
        organization=actor.organization,
        kudos_organization=None,
        request=request,
    )


def may_sign(person, initiative, participation) -> bool:
    """A team leader of the participating organization, its delegate for polls, or the person
    it named as its team leader in the initiative."""
    membership = person.membership
    if membership is None or participation is None:
        return False
    return membership.votes_in_polls or participation.team_leader_id == person.pk


@transaction.atomic
def review_sign_off(*, actor: Person, review: Review, now=None) -> ReviewSignoff:
    """Sign the review off for the actor's organization, or renew a sign-off given before
    later entries were added. The review is signed off once every participating organization
    has a current sign-off."""
    review = _lock(review)
    participation = _require_writable(actor, review)
    if not may_sign(actor, review.initiative, participation):
        raise PermissionDenied(
            "Only a team leader of your organization, its delegate, or the team leader it named "
            "in the initiative can sign off for it."
        )
    now = now or timezone.now()
    last_change = selectors.last_change_at(review)
    signoff = ReviewSignoff.objects.filter(
        review=review, organization_id=participation.organization_id
    ).first()
    if signoff is not None:
        if selectors.signoff_is_current(signoff, last_change):
            raise ValidationError("Your organization already signed this review off.")
        signoff.person, signoff.signed_at = actor, now
        signoff.save(update_fields=["person", "signed_at"])
        verb, summary = "review.signoff_renewed", f"{actor.organization} renewed its sign-off"
    else:
        signoff = ReviewSignoff.objects.create(
            review=review,
            organization_id=participation.organization_id,
            person=actor,
            signed_at=now,
        )
        verb, summary = "review.signed_off", f"{actor.organization} signed off"
    _event(actor, verb, f"{summary} {review}", review, review.initiative)
    current = ReviewSignoff.objects.filter(review=review)
    if last_change is not None:
        current = current.filter(signed_at__gte=last_change)
    missing = (
        Participation.objects.filter(
            initiative=review.initiative, status=Participation.Status.ACTIVE
        )
        .exclude(organization_id__in=current.values("organization_id"))
        .exists()
    )
    if not missing:
        review.status = Review.Status.SIGNED_OFF
        review.signed_off_at = now
        review.save(update_fields=["status", "signed_off_at"])
        _event(
            actor,
            "review.completed",
            f"Every participant signed off {review}",
            review,
            review.initiative,
        )
    return signoff


@transaction.atomic
def calendar_feed_rotate(*, actor: Person) -> str:
    """A new private calendar address for the person; the previous one stops working. Returns
    the raw token, shown once."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in first.")
    raw = CalendarFeed.generate()
    feed, _ = CalendarFeed.objects.update_or_create(
        person=actor,
        defaults={"digest": hash_token(raw), "hint": raw[:8], "created_at": timezone.now()},
    )
    if actor.organization:
        emit(
            actor=actor,
            organization=actor.organization,
            verb="calendar_feed.created",
            obj=feed,
            audience=Audience.ORGANIZATION,
            summary=f"{actor} created a new private calendar address",
        )
    return raw


@transaction.atomic
def calendar_feed_revoke(*, actor: Person) -> None:
    CalendarFeed.objects.filter(person=actor).delete()
