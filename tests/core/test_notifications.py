"""notify(): an inbox entry per person, email as each prefers, daily digests at most daily."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.core.models import Notification, NotificationPreference, OutboundEmail
from consortia.core.notifications import notify, send_daily_digests

pytestmark = pytest.mark.django_db


def test_it_lists_once_per_person_and_emails_those_who_want_it_now(world):
    NotificationPreference.objects.create(person=world.member, email="off")
    notify(
        recipients=[world.leader, world.member, world.leader],
        kind="test",
        title="Poll opened",
        url="/n/northwind/",
    )
    assert Notification.objects.filter(kind="test").count() == 2
    assert list(
        OutboundEmail.objects.filter(subject="Poll opened").values_list("to", flat=True)
    ) == [world.leader.email]


def test_it_sends_a_daily_digest_at_most_once_a_day(world):
    NotificationPreference.objects.create(person=world.member, email="daily")
    notify(recipients=[world.member], kind="test", title="First")
    notify(recipients=[world.member], kind="test", title="Second")
    assert not OutboundEmail.objects.filter(to=world.member.email, subject__contains="digest")
    assert send_daily_digests() == 1
    digest = OutboundEmail.objects.get(to=world.member.email, subject__contains="digest")
    assert "First" in digest.body and "Second" in digest.body
    notify(recipients=[world.member], kind="test", title="Third")
    assert send_daily_digests() == 0
    assert send_daily_digests(now=timezone.now() + timedelta(days=1, minutes=1)) == 1


def test_it_lists_a_persons_notifications_and_marks_them_read(world, client):
    notify(recipients=[world.member], kind="test", title="Your partner asked you something")
    notify(recipients=[world.leader], kind="test", title="Not for Max")
    client.force_login(world.member)
    body = client.get("/notifications/").content.decode()
    assert "Your partner asked you something" in body and "Not for Max" not in body
    assert client.post("/notifications/").status_code == 302
    assert not Notification.objects.filter(person=world.member, read_at__isnull=True).exists()
    assert Notification.objects.filter(person=world.leader, read_at__isnull=True).exists()


def test_it_saves_the_email_preference_and_refuses_nonsense(world, client):
    client.force_login(world.member)
    assert client.post("/settings/notifications/", {"email": "daily"}).status_code == 302
    assert NotificationPreference.objects.get(person=world.member).email == "daily"
    response = client.post("/settings/notifications/", {"email": "hourly"})
    assert response.status_code == 422
    assert NotificationPreference.objects.get(person=world.member).email == "daily"


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    for url in ("/notifications/", "/settings/notifications/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url


def test_it_lists_and_marks_notifications_through_the_api(world, client):
    from consortia.core import services

    _, raw = services.api_token_create(actor=world.member, name="inbox")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    notify(recipients=[world.member], kind="test", title="One")
    notify(recipients=[world.member], kind="test", title="Two")
    listed = client.get("/api/v1/notifications", **auth).json()
    assert listed["count"] == 2 and {n["title"] for n in listed["items"]} == {"One", "Two"}
    first = listed["items"][0]["id"]
    marked = client.post(
        "/api/v1/notifications/read", {"ids": [first]}, content_type="application/json", **auth
    )
    assert marked.json() == {"marked": 1}
    marked = client.post("/api/v1/notifications/read", {}, content_type="application/json", **auth)
    assert marked.json() == {"marked": 1}
    bad = client.post(
        "/api/v1/notifications/read", {"ids": "all"}, content_type="application/json", **auth
    )
    assert bad.status_code == 422
