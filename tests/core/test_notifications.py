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
