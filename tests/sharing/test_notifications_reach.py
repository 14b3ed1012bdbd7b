"""Notifications about a shared item vanish when access to it ends; emails carry no secrets."""

import pytest
from django.urls import reverse

from consortia.core.models import Notification, NotificationPreference, OutboundEmail
from consortia.core.notifications import send_daily_digests
from consortia.core.selectors import notifications_for
from consortia.sharing import services
from tests.conftest import fresh, login
from tests.sharing.reach_helpers import comment, share


def inbox_titles(person) -> list[str]:
    return [n.title for n in notifications_for(person=fresh(person))]


def test_shared_notification_vanishes_when_the_audience_narrows(world):
    item = share(
        world.leader,
        world.network,
        title="Pricing plan",
        audience="partners",
        partners=[world.beta.pk],
    )
    (shared,) = Notification.objects.filter(person=world.other_member)
    assert shared.event is not None and shared.event.object_id == item.pk
    comment(world.other_leader, item, "Looks good")
    comment(world.leader, item, "Thanks")  # notifies Bo, who commented before
    assert len(inbox_titles(world.other_leader)) == 2
    Notification.objects.create(person=world.other_member, kind="other", title="Unrelated")
    client = login(world.other_member)
    page = client.get(reverse("notifications")).content.decode()
    assert "Pricing plan" in page
    api = client.get("/api/v1/notifications").json()
    assert any("Pricing plan" in row["title"] for row in api["items"])

    services.item_update_audience(
        actor=fresh(world.leader), item=item, audience="organization", level="open"
    )
    assert inbox_titles(world.other_member) == ["Unrelated"]
    assert inbox_titles(world.other_leader) == []
    page = client.get(reverse("notifications")).content.decode()
    assert "Pricing plan" not in page and "Unrelated" in page
    api = client.get("/api/v1/notifications").json()
    assert [row["title"] for row in api["items"]] == ["Unrelated"]

    services.item_update_audience(
        actor=fresh(world.leader), item=item, audience="network", level="open"
    )
    assert any("Pricing plan" in t for t in inbox_titles(world.other_member))


def test_daily_digest_skips_what_went_out_of_reach(world):
    NotificationPreference.objects.create(person=world.other_member, email="daily")
    item = share(world.leader, world.network, title="Digest item")
    share(world.leader, world.network, title="Still shared")
    services.item_update_audience(
        actor=fresh(world.leader), item=item, audience="organization", level="open"
    )
    OutboundEmail.objects.all().delete()
    assert send_daily_digests() == 1
    (email,) = OutboundEmail.objects.filter(to=world.other_member.email)
    assert "Still shared" in email.body and "Digest item" not in email.body


@pytest.mark.parametrize("level", ["confidential", "restricted"])
def test_emails_about_secret_items_carry_the_title_only(world, level):
    if level == "confidential":
        nda = services.nda_propose(
            actor=fresh(world.leader),
            network=world.network,
            counterparty=world.beta,
            title="NDA",
            text="Secret",
        )
        services.nda_accept(actor=fresh(world.other_leader), nda=nda)
    item = share(
        world.leader,
        world.network,
        title="Alloy",
        body="the body",
        level=level,
        readers=[world.other_leader.pk] if level == "restricted" else (),
    )
    comment(world.other_leader, item, "first")
    OutboundEmail.objects.all().delete()
    comment(world.leader, item, "THE-SECRET-FORMULA is 42")
    emails = list(OutboundEmail.objects.all())
    assert emails, "Bo commented before: he is told"
    for email in emails:
        assert "THE-SECRET-FORMULA" not in email.subject + email.body


def test_the_unread_count_follows_the_inbox(world):
    """The header's count uses the inbox's visibility rule (one person annotation, no query of
    its own): a notification about an item that went out of reach is not counted."""
    item = share(
        world.leader, world.network, title="Count me", audience="partners", partners=[world.beta.pk]
    )
    Notification.objects.create(person=world.other_member, kind="other", title="Unrelated")
    client = login(world.other_member)
    assert client.get(reverse("notifications")).context["unread_notifications"] == 2
    services.item_update_audience(
        actor=fresh(world.leader), item=item, audience="organization", level="open"
    )
    response = client.get(reverse("notifications"))
    assert response.context["unread_notifications"] == 1 == len(inbox_titles(world.other_member))
    assert client.get("/").context["unread_notifications"] == 1
