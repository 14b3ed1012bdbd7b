"""The iCalendar feed: RFC 5545 structure, folding, escaping; only the person's events."""

from datetime import UTC, date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from consortia.reviews import ics, services
from tests.conftest import fresh


def unfold(body: str) -> list[str]:
    assert body.endswith("\r\n")
    raw = body.split("\r\n")[:-1]
    assert all("\n" not in line and "\r" not in line for line in raw)
    assert all(len(line.encode()) <= 75 for line in raw), "a line is longer than 75 octets"
    lines: list[str] = []
    for line in raw:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def parse(body: str) -> list[dict]:
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    for event in events:
        assert event["UID"] and event["DTSTAMP"].endswith("Z")
        assert "DTSTART" in event or "DTSTART;VALUE=DATE" in event
    return events


def unescape(value: str) -> str:
    out, i = "", 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out += {"n": "\n", "N": "\n"}.get(value[i + 1], value[i + 1])
            i += 2
        else:
            out += value[i]
            i += 1
    return out


def test_folding_and_escaping_round_trip():
    summary = "Réunion; commas, backslash \\ and a newline\n" + "é" * 80
    body = ics.render(
        [ics.CalendarEvent(uid="x@consortia", summary=summary, start=date(2026, 12, 1))],
        name="Test",
        now=datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
    )
    (event,) = parse(body)
    assert unescape(event["SUMMARY"]) == summary
    assert event["DTSTART;VALUE=DATE"] == "20261201" and event["DTEND;VALUE=DATE"] == "20261202"
    assert event["DTSTAMP"] == "20261122T120000Z"


def test_a_timed_event_is_in_utc():
    start = timezone.make_aware(datetime(2026, 12, 1, 15, 30))
    (event,) = parse(
        ics.render([ics.CalendarEvent(uid="p@c", summary="Poll", start=start)], name="T")
    )
    assert event["DTSTART"].endswith("Z")


def test_the_feed_holds_reviews_polls_and_commitments(world, held, client):
    from consortia.initiatives import services as initiative_services

    request = initiative_services.request_send(
        actor=fresh(world.other_leader),
        initiative=held.initiative,
        to_organization=world.acme,
        title="Calibrate, then report",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    initiative_services.request_accept(actor=fresh(world.leader), request=request)
    raw = services.calendar_feed_rotate(actor=fresh(world.member))
    response = client.get(reverse("calendar_feed", args=[raw]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = parse(response.content.decode())
    summaries = {unescape(e["SUMMARY"]) for e in events}
    assert "Joint review: Shared sensors" in summaries
    assert "Due: Calibrate, then report" in summaries
    assert len({e["UID"] for e in events}) == len(events)


def test_a_date_at_the_end_of_the_calendar_still_gives_a_feed(world, held, client):
    # Requests due on 9999-12-31 were accepted before dates were bounded; the day after it does
    # not exist, and the feed answered 500 to everyone of the organization, every time.
    from consortia.initiatives import services as initiative_services
    from consortia.initiatives.models import Request

    request = initiative_services.request_send(
        actor=fresh(world.other_leader),
        initiative=held.initiative,
        to_organization=world.acme,
        title="Typed the wrong year",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    Request.objects.filter(pk=request.pk).update(due_on=date.max)
    raw = services.calendar_feed_rotate(actor=fresh(world.leader))
    response = client.get(reverse("calendar_feed", args=[raw]))
    assert response.status_code == 200
    (event,) = [e for e in parse(response.content.decode()) if "wrong year" in e["SUMMARY"]]
    assert event["DTSTART;VALUE=DATE"] == "99991231" and "DTEND;VALUE=DATE" not in event
    last = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    (timed,) = parse(ics.render([ics.CalendarEvent(uid="p@c", summary="P", start=last)], name="T"))
    assert timed["DTSTART"] == "99991231T235900Z" and "DTEND" not in timed


def test_outsiders_feed_is_empty_and_bad_tokens_404(world, held, client):
    raw = services.calendar_feed_rotate(actor=fresh(world.outsider))
    assert parse(client.get(reverse("calendar_feed", args=[raw])).content.decode()) == []
    assert client.get(reverse("calendar_feed", args=["cal_nope"])).status_code == 404
    again = services.calendar_feed_rotate(actor=fresh(world.outsider))
    assert client.get(reverse("calendar_feed", args=[raw])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[again])).status_code == 200


def test_the_calendar_page_shows_the_address_once(world, as_member):
    assert "no calendar address yet" in as_member.get(reverse("calendar_settings")).content.decode()
    text = as_member.post(reverse("calendar_settings"), {"action": "rotate"}).content.decode()
    assert "/calendar/cal_" in text
    text = as_member.get(reverse("calendar_settings")).content.decode()
    assert "/calendar/cal_" not in text and "starting with" in text
    as_member.post(reverse("calendar_settings"), {"action": "revoke"})
    assert "no calendar address yet" in as_member.get(reverse("calendar_settings")).content.decode()


def test_poll_deadlines_appear_for_those_who_vote(world, client):
    from consortia.decisions import services as decisions

    poll = decisions.poll_create(
        actor=fresh(world.leader),
        network=world.network,
        title="Adopt the quarterly review",
        description="Yes or no.",
        kind="yes_no",
        closes_at=timezone.now() + timedelta(days=3),
    )
    leader = services.calendar_feed_rotate(actor=fresh(world.leader))
    member = services.calendar_feed_rotate(actor=fresh(world.member))
    leader_events = parse(client.get(reverse("calendar_feed", args=[leader])).content.decode())
    assert {e["UID"] for e in leader_events} == {f"poll-{poll.pk}@consortia"}
    (event,) = leader_events
    assert event["DTSTART"] == poll.closes_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    # Max is not a voter for Acme: no poll in his calendar.
    assert parse(client.get(reverse("calendar_feed", args=[member])).content.decode()) == []
