"""An RFC 5545 iCalendar feed, written by hand (no dependency): CRLF line ends, lines folded
at 75 octets without splitting a UTF-8 character, TEXT values escaped, UID and DTSTAMP on
every event.

A person's feed holds the reviews of initiatives their organization takes part in, the closing
times of polls they may vote in (their organization is in the electorate and they cast its
ballot), the due dates of their organization's open commitments, and those of the requests to
their organization still waiting for an answer, and whatever other apps add through the
`calendar.events` hook (core.hooks.CALENDAR_EVENTS: health checks' deadlines). Every feed
validates with the `icalendar` package (tests/reviews/test_ics_validation.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from consortia.core import hooks

CRLF = "\r\n"
LIMIT = 200  # per kind of event
PAST_DAYS = 90


@dataclass
class CalendarEvent:
    uid: str
    summary: str
    start: date | datetime  # a date: an all-day event
    description: str = ""
    url: str = ""


def escape(text: str) -> str:
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets, continuation lines starting with a
    space (which counts towards their 75)."""
    out, current, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        limit = 75 if not out else 74
        if size + n > limit:
            out.append(current)
            current, size = "", 0
        current += ch
        size += n
    out.append(current)
    return (CRLF + " ").join(out)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _end(start: date | datetime) -> date | datetime | None:
    """Half an hour after a time, the next day after a day; None at the very end of the calendar
    (a date stored before dates were kept within the years 2000 to 2199): without DTEND the event
    lasts its day, or is an instant (RFC 5545, 3.6.1), and the feed still answers."""
    try:
        return start + (timedelta(minutes=30) if isinstance(start, datetime) else timedelta(days=1))
    except OverflowError:
        return None


def render(events: list[CalendarEvent], *, name: str, now: datetime | None = None) -> str:
    now = now or timezone.now()
    stamp = _utc(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Consortia//Reviews and deadlines//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{stamp}"]
        end = _end(event.start)
        if isinstance(event.start, datetime):
            lines.append(f"DTSTART:{_utc(event.start)}")
            if end is not None:
                lines.append(f"DTEND:{_utc(end)}")
        else:
            lines.append(f"DTSTART;VALUE=DATE:{event.start:%Y%m%d}")
            if end is not None:
                lines.append(f"DTEND;VALUE=DATE:{end:%Y%m%d}")
        lines.append(f"SUMMARY:{escape(event.summary)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


def _host() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def events_for(person, *, now: datetime | None = None) -> list[CalendarEvent]:
    """The person's events (four queries, and one per hook listener), from 90 days ago on."""
    from consortia.decisions.models import Poll, PollVoter
    from consortia.initiatives import permissions as initiative_permissions
    from consortia.initiatives.models import Commitment, Participation, Request
    from consortia.networks.permissions import active_network_ids, org_id_of, viewer_lock_q

    from .models import Review

    now = now or timezone.now()
    org_id = org_id_of(person)
    if org_id is None:
        return []
    since = timezone.localdate(now) - timedelta(days=PAST_DAYS)
    visible = initiative_permissions.initiatives_visible_to(person)
    domain = "consortia"
    host = _host()
    events: list[CalendarEvent] = []
    reviews = (
        Review.objects.filter(
            initiative__in=visible.filter(
                participations__organization_id=org_id,
                participations__status=Participation.Status.ACTIVE,
            ),
            scheduled_for__gte=since,
        )
        .select_related("initiative__network")
        .order_by("scheduled_for", "id")[:LIMIT]
    )
    for r in reviews:
        path = reverse("review_detail", args=[r.initiative.network.slug, r.initiative_id, r.pk])
        events.append(
            CalendarEvent(
                uid=f"review-{r.pk}@{domain}",
                summary=f"Joint review: {r.initiative.title}",
                start=r.scheduled_for,
                description=f"{r.get_status_display()} review of {r.initiative.title} "
                f"({r.initiative.network.name}).",
                url=host + path,
            )
        )
    membership = person.membership
    if membership is not None and membership.votes_in_polls:
        polls = (
            Poll.objects.filter(
                network_id__in=active_network_ids(org_id),
                pk__in=PollVoter.objects.filter(organization_id=org_id).values("poll_id"),
                closes_at__gte=now - timedelta(days=PAST_DAYS),
            )
            .filter(viewer_lock_q(person))
            .select_related("network")
            .order_by("closes_at", "id")[:LIMIT]
        )
        for p in polls:
            events.append(
                CalendarEvent(
                    uid=f"poll-{p.pk}@{domain}",
                    summary=f"Poll closes: {p.title}",
                    start=p.closes_at,
                    description=f"Last moment to vote for your organization in {p.network.name}.",
                    url=host + reverse("poll_detail", args=[p.network.slug, p.pk]),
                )
            )
    commitments = (
        Commitment.objects.filter(
            owner_organization_id=org_id,
            initiative__in=visible,
            status=Commitment.Status.OPEN,
            due_on__gte=since,
        )
        .select_related("initiative__network")
        .order_by("due_on", "id")[:LIMIT]
    )
    for c in commitments:
        events.append(
            CalendarEvent(
                uid=f"commitment-{c.pk}@{domain}",
                summary=f"Due: {c.title}",
                start=c.due_on,
                description=f"Commitment of your organization in {c.initiative.title}.",
                url=host
                + reverse("initiative_detail", args=[c.initiative.network.slug, c.initiative_id]),
            )
        )
    # Requests to the organization still waiting for its answer: due dates too.
    requests = (
        Request.objects.filter(
            to_organization_id=org_id,
            initiative__in=visible,
            status=Request.Status.OPEN,
            due_on__gte=since,
        )
        .select_related("initiative__network")
        .order_by("due_on", "id")[:LIMIT]
    )
    for r in requests:
        events.append(
            CalendarEvent(
                uid=f"request-{r.pk}@{domain}",
                summary=f"Answer by: {r.title}",
                start=r.due_on,
                description=f"A request to your organization in {r.initiative.title}, "
                "waiting for its answer.",
                url=host + reverse("my_requests"),
            )
        )
    # Dates of apps this one knows nothing of (health checks), through the hook.
    added: list[dict] = []
    hooks.call(
        hooks.CALENDAR_EVENTS, person=person, org_id=org_id, since=since, now=now, events=added
    )
    for extra in added:
        url = extra.get("url", "")
        events.append(
            CalendarEvent(
                uid=f"{extra['uid']}@{domain}",
                summary=extra["summary"],
                start=extra["start"],
                description=extra.get("description", ""),
                url=host + url if url.startswith("/") else url,
            )
        )
    return events
