"""Health checks' deadlines in the private calendar feed (reviews.ics, through the
core.hooks.CALENDAR_EVENTS hook): only for the sides' people, and only while sealed."""

from datetime import timedelta

import icalendar
from django.urls import reverse
from django.utils import timezone

from consortia.reviews import services as reviews
from tests.conftest import fresh, login
from tests.healthchecks.conftest import answer


def events(client, person) -> dict[str, icalendar.Event]:
    raw = reviews.calendar_feed_rotate(actor=fresh(person))
    response = client.get(reverse("calendar_feed", args=[raw]))
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    for event in calendar.walk("VEVENT"):
        assert event.get("UID") and event.get("DTSTAMP") and event.get("DTSTART")
        assert event.get("DTEND").dt > event.get("DTSTART").dt
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_both_sides_see_the_deadline_while_sealed(world, check, client):
    uid = f"healthcheck-{check.pk}@consortia"
    for person in (world.leader, world.member, world.other_leader, world.other_member):
        event = events(client, person)[uid]
        assert str(event["SUMMARY"]) == f"Health check closes: {check.title}"
        assert event["DTSTART"].dt == check.deadline.replace(microsecond=0)
        assert str(event["URL"]).endswith(f"/health-checks/{check.pk}/")


def test_a_third_organization_and_outsiders_do_not_see_it(world, check, third, client):
    uid = f"healthcheck-{check.pk}@consortia"
    for person in (third, world.applicant, world.outsider):
        found = events(client, person)
        assert uid not in found
        assert not any("Health check" in str(e["SUMMARY"]) for e in found.values())
    # ... and the address in the event is a 404 for them, as for everyone outside the pair.
    url = reverse("healthcheck_detail", args=[world.network.slug, check.pk])
    assert login(third).get(url).status_code == 404


def test_it_leaves_the_feed_once_unsealed(world, check, client):
    uid = f"healthcheck-{check.pk}@consortia"
    answer(world.leader, check)
    assert uid in events(client, world.leader)  # one side answered: still sealed
    answer(world.other_leader, check)  # every side answered: unsealed
    assert uid not in events(client, world.leader)
    assert uid not in events(client, world.other_leader)


def test_a_passed_deadline_unseals_it_without_the_worker(world, check, client, monkeypatch):
    later = timezone.now() + timedelta(days=8)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert f"healthcheck-{check.pk}@consortia" not in events(client, world.leader)
