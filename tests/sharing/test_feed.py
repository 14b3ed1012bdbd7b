"""The sharing feed: visible items only, latest activity first, "new since my last visit"."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from consortia.sharing import feed
from consortia.sharing.models import Item
from tests.conftest import fresh, login
from tests.sharing.reach_helpers import comment, share


def titles(page) -> list[str]:
    return [item.title for item in page]


def test_feed_lists_visible_items_latest_activity_first(world):
    first = share(world.leader, world.network, title="First")
    share(world.leader, world.network, title="Private", audience="organization")
    share(world.other_leader, world.network, title="Second")
    assert titles(feed.feed(fresh(world.other_member), world.network)) == ["Second", "First"]
    assert titles(feed.feed(fresh(world.member), world.network)) == ["Second", "Private", "First"]
    comment(world.other_leader, first, "A comment moves it up")
    page = feed.feed(fresh(world.other_member), world.network)
    assert titles(page) == ["First", "Second"]
    assert page.object_list[0].activity == "new comment"
    assert titles(feed.feed(fresh(world.outsider), world.network)) == []


def test_new_since_last_visit(world):
    share(world.leader, world.network, title="Old news")
    viewer = fresh(world.other_member)
    assert feed.last_visit(viewer, world.network) is None
    first = feed.feed(viewer, world.network, since=None)
    assert [item.is_new for item in first] == [True]
    feed.record_visit(viewer, world.network)
    seen = feed.last_visit(viewer, world.network)
    later = timezone.now() + timedelta(seconds=5)
    item = share(world.leader, world.network, title="Fresh")
    Item.objects.filter(pk=item.pk).update(updated_at=later)
    page = feed.feed(viewer, world.network, since=seen)
    assert [(i.title, i.is_new) for i in page] == [("Fresh", True), ("Old news", False)]
    assert titles(feed.feed(viewer, world.network, since=seen, only_new=True)) == ["Fresh"]
    feed.record_visit(viewer, world.network, now=later)
    assert abs((feed.last_visit(viewer, world.network) - later).total_seconds()) < 0.001


def test_feed_page_records_the_visit_and_marks_new(world):
    share(world.leader, world.network, title="Hello partners")
    client = login(world.other_member)
    url = reverse("sharing_feed", args=[world.network.slug])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hello partners" in body and ">New</span>" in body
    assert 'aria-current="page">Feed' in body
    assert feed.last_visit(world.other_member, world.network) is not None
    body = client.get(url).content.decode()
    assert "Hello partners" in body and ">New</span>" not in body
    assert client.get(url + "?show=new").status_code == 200
    assert client.get(url + "?show=bogus&since=nan&page=x").status_code == 200
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200


def test_feed_query_count_is_flat(world, django_assert_num_queries):
    viewer = fresh(world.other_member)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        person = fresh(world.other_member)
        with CaptureQueriesContext(connection) as captured:
            list(feed.feed(person, world.network))
        return len(captured)

    share(world.leader, world.network, title="One")
    small = count()
    for n in range(30):
        share(
            world.leader,
            world.network,
            title=f"Item {n}",
            level="confidential" if n % 2 else "open",
        )
    assert count() == small
    assert len(feed.feed(viewer, world.network)) == 16


def test_feed_api(world):
    share(world.leader, world.network, title="Via API")
    client = login(world.other_member)
    url = f"/api/v1/networks/{world.network.slug}/feed"
    data = client.get(url).json()
    assert [row["title"] for row in data["items"]] == ["Via API"]
    assert data["items"][0]["is_new"] is True and data["has_next"] is False
    assert client.get(url + "?record_visit=true").status_code == 200
    assert client.get(url).json()["items"][0]["is_new"] is False
    assert client.get(url + "?since=2000-01-01T00:00:00Z").json()["items"][0]["is_new"] is True
    assert client.get(url + "?since=2000-01-01T00:00:00").status_code == 422
    assert client.get(url + "?page=0").status_code == 422
    assert client.get("/api/v1/networks/nope/feed").status_code == 404
