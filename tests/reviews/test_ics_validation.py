"""Every calendar feed parses with the `icalendar` package and holds poll closings, due dates
(commitments, requests waiting for an answer) and reviews."""

from datetime import timedelta

import icalendar
from django.urls import reverse
from django.utils import timezone

from consortia.decisions import services as decisions
from consortia.initiatives import services as initiative_services
from consortia.reviews import services
from tests.conftest import fresh


def feed(client, person) -> icalendar.Calendar:
    raw = services.calendar_feed_rotate(actor=fresh(person))
    response = client.get(reverse("calendar_feed", args=[raw]))
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar.get("PRODID")
    for event in calendar.walk("VEVENT"):
        assert event.get("UID") and event.get("DTSTAMP") and event.get("DTSTART")
        assert event.get("DTEND").dt > event.get("DTSTART").dt
    return calendar


def test_every_feed_validates_and_holds_each_kind_of_date(world, held, client):
    now = timezone.now()
    decisions.poll_create(
        actor=world.leader,
        network=world.network,
        title="Adopt the sensor standard?",
        kind="yes_no",
        closes_at=now + timedelta(days=2),
        now=now,
    )
    soon = timezone.localdate() + timedelta(days=3)
    committed = initiative_services.request_send(
        actor=fresh(world.other_leader),
        initiative=held.initiative,
        to_organization=world.acme,
        title="Calibrate; then report, \\ twice",
        due_on=soon,
    )
    initiative_services.request_accept(actor=fresh(world.leader), request=committed)
    initiative_services.request_send(
        actor=fresh(world.other_leader),
        initiative=held.initiative,
        to_organization=world.acme,
        title="Share the test rig",
        due_on=soon,
    )
    summaries = {str(event["SUMMARY"]) for event in feed(client, world.leader).walk("VEVENT")}
    assert "Joint review: Shared sensors" in summaries
    assert "Poll closes: Adopt the sensor standard?" in summaries
    assert "Due: Calibrate; then report, \\ twice" in summaries
    assert "Answer by: Share the test rig" in summaries
    for person in (world.member, world.other_leader, world.other_member, world.outsider):
        feed(client, person)  # each one parses
