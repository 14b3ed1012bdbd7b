"""A network that requires two-factor authentication shows nothing inside it to a person
without it: no item on any list path (pages, API, feed, search, notifications and their count,
dashboard, activity, calendar), not even their own organization's; the network pages say why
and link to the page that turns it on. Once they turn it on, everything is back."""

from allauth.mfa.models import Authenticator
from django.urls import reverse

from consortia.core.models import Notification
from consortia.networks.models import Network
from consortia.sharing.audience import readers_of, visible_items
from tests.api.conftest import ApiClient, token_for
from tests.conftest import fresh, login
from tests.sharing.reach_helpers import share

TITLE = "Zephyrine supply plan"


def require_two_factor(network):
    Network.objects.filter(pk=network.pk).update(requires_two_factor=True)


def two_factor_on(person):
    Authenticator.objects.create(user=person, type="totp", data={"secret": "x"})


def everything_listed(person, network, item) -> dict:
    """What every list path shows the person, as text (pages) or ids (API)."""
    client = login(person)
    api = ApiClient(token_for(fresh(person)))
    pages = {
        path: client.get(path)
        for path in (
            f"/n/{network.slug}/posts/",
            f"/n/{network.slug}/feed/",
            f"/n/{network.slug}/search/?q=Zephyrine",
            reverse("notifications"),
            "/",
            f"/n/{network.slug}/",
        )
    }
    return {
        "pages": pages,
        "detail": client.get(f"/n/{network.slug}/posts/{item.pk}/").status_code,
        "api_items": api.get(f"/networks/{network.slug}/items").json(),
        "api_search": api.get(f"/networks/{network.slug}/search", q="Zephyrine").json(),
        "api_notifications": api.get("/notifications").json(),
        "unread": pages[reverse("notifications")].context["unread_notifications"],
    }


def test_a_person_without_two_factor_sees_nothing_inside_and_is_told_why(world):
    item = share(world.leader, world.network, title=TITLE)
    assert Notification.objects.filter(person=world.other_member).exists()
    require_two_factor(world.network)
    for person in (world.other_member, world.member):  # a partner, and the author's colleague
        assert not visible_items(fresh(person)).exists()
        seen = everything_listed(person, world.network, item)
        for path, response in seen["pages"].items():
            assert response.status_code == 200, path
            assert TITLE not in response.content.decode(), path
        assert seen["detail"] == 404
        assert seen["api_items"] == [] or TITLE not in str(seen["api_items"])
        assert TITLE not in str(seen["api_search"])
        assert TITLE not in str(seen["api_notifications"])
        assert seen["unread"] == 0
        mfa = reverse("mfa_index")
        for path in (f"/n/{world.network.slug}/posts/", f"/n/{world.network.slug}/"):
            page = seen["pages"][path].content.decode()
            assert "requires two-factor authentication" in page and f'href="{mfa}"' in page
        members = login(person).get(f"/n/{world.network.slug}/members/")
        assert members.status_code == 403 and f'href="{mfa}"' in members.content.decode()
    assert set(readers_of(item).values_list("pk", flat=True)) == set()
    export = login(world.leader).get(f"/n/{world.network.slug}/export/?download=1")
    assert export.status_code == 403  # the author's own team leader, without two-factor
    # Turning it on brings everything back, the notification included.
    two_factor_on(world.other_member)
    seen = everything_listed(world.other_member, world.network, item)
    assert TITLE in seen["pages"][f"/n/{world.network.slug}/posts/"].content.decode()
    assert TITLE in str(seen["api_notifications"]) and seen["unread"] == 1
    assert seen["detail"] == 200
    assert world.other_member.pk in set(readers_of(item).values_list("pk", flat=True))


def test_nobody_without_two_factor_is_notified_of_new_items(world):
    require_two_factor(world.network)
    two_factor_on(world.other_leader)
    share(world.leader, world.network, title=TITLE)
    notified = set(Notification.objects.values_list("person_id", flat=True))
    assert world.other_leader.pk in notified and world.other_member.pk not in notified


def test_the_network_activity_and_dashboard_events_are_hidden(world):
    client = login(world.other_member)
    api = ApiClient(token_for(fresh(world.other_member)))
    event = "Gamma Group asked to join"
    assert event in client.get("/").content.decode()
    assert event in str(api.get(f"/networks/{world.network.slug}/activity").json())
    require_two_factor(world.network)
    assert event not in client.get("/").content.decode()
    response = api.get(f"/networks/{world.network.slug}/activity")
    assert response.status_code in (200, 403) and event not in response.content.decode()
