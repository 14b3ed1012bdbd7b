"""Search: full text over items, comments and documents, filtered by audience in the query."""

import pytest

from consortia.sharing import search
from consortia.sharing.models import Comment, Item


def make_item(
    world,
    *,
    org_person=None,
    title="Supply risk",
    body="",
    audience="network",
    level="open",
    kind="post",
):
    person = org_person or world.leader
    item = Item.objects.create(
        network=world.network,
        kind=kind,
        organization=person.organization,
        author=person,
        title=title,
        body=body,
        body_html=body,
        audience=audience,
        level=level,
        status="open" if kind == "challenge" else "published",
    )
    search.index_item(item)
    return item


def titles(page) -> set[str]:
    return {hit.item.title for hit in page}


def test_finds_visible_items_and_never_others(world):
    make_item(world, title="Castings shortage", body="We lack aluminium castings in Q3")
    make_item(world, title="Secret castings plan", audience="organization")
    page = search.search(world.other_leader, world.network, "castings")
    assert titles(page) == {"Castings shortage"}
    page = search.search(world.member, world.network, "castings")
    assert titles(page) == {"Castings shortage", "Secret castings plan"}
    assert search.search(world.outsider, world.network, "castings").hits == []


def test_snippet_highlights_and_escapes(world):
    make_item(world, title="<b>Bold</b> aluminium", body="The aluminium <script>x</script> plan")
    (hit,) = search.search(world.other_leader, world.network, "aluminium").hits
    assert "<mark>aluminium</mark>" in hit.title_html
    assert "<b>" not in hit.title_html and "&lt;b&gt;" in hit.title_html
    assert "<script>" not in hit.snippet_html


def test_comments_and_prefix(world):
    item = make_item(world, title="Logistics")
    Comment.objects.create(
        item=item, author=world.other_leader, body="pallets everywhere", body_html=""
    )
    search.index_item(item)
    assert titles(search.search(world.other_leader, world.network, "pallet")) == {"Logistics"}
    typing = search.search(world.other_leader, world.network, "pall", as_you_type=True)
    assert titles(typing) == {"Logistics"}
    assert titles(search.search(world.other_leader, world.network, "pall")) == set()


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "NOT",
        "AND OR",
        "*",
        "a:b",
        "(((",
        "title:x",
        '"unterminated',
        "-only",
        "ü*",
        "NEAR(a b)",
        "'; DROP TABLE x; --",
        "\x00",
        "x" * 5000,
        "a " * 50,
    ],
)
def test_bad_queries_never_raise(world, query):
    make_item(world, title="Anything")
    page = search.search(world.other_leader, world.network, query)
    assert page.hits == [] or all(hit.item.title == "Anything" for hit in page)


# Through the services, the page and the API ---------------------------------------------------

from django.urls import reverse  # noqa: E402

from tests.conftest import fresh, login  # noqa: E402
from tests.sharing.reach_helpers import comment, share  # noqa: E402


def test_search_page_and_htmx_fragment(world):
    share(world.leader, world.network, title="Hydrogen valve", body="Cheaper **valves** wanted")
    share(world.leader, world.network, title="Hydrogen secret", audience="organization")
    client = login(world.other_member)
    url = reverse("sharing_search", args=[world.network.slug])
    response = client.get(url, {"q": "hydrogen"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<mark>Hydrogen</mark> valve" in body and "secret" not in body
    fragment = client.get(url, {"q": "hydrog"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<mark>Hydrogen</mark> valve" in fragment and "<html" not in fragment
    for bad in ['"', "x" * 300, "-valve", "\x00"]:
        response = client.get(url, {"q": bad})
        assert response.status_code == 200
    assert "at most 200 characters" in client.get(url, {"q": "x" * 300}).content.decode()
    assert client.get(url).status_code == 200


def test_search_finds_comments_and_document_text(world):
    item = share(world.leader, world.network, title="Forecast")
    comment(world.other_leader, item, "what about tungsten supply")
    share(
        world.leader,
        world.network,
        title="Specs",
        kind="document",
        file_text="the molybdenum grade we need",
    )
    viewer = fresh(world.other_member)
    assert titles(search.search(viewer, world.network, "tungsten")) == {"Forecast"}
    (hit,) = search.search(viewer, world.network, "molybdenum").hits
    assert hit.item.title == "Specs" and "<mark>molybdenum</mark>" in hit.snippet_html


def test_confidential_needs_an_nda_and_narrowing_hides_at_once(world):
    from consortia.sharing import services

    item = share(
        world.leader,
        world.network,
        title="Crown jewel",
        body="The alloy recipe",
        level="confidential",
    )
    viewer = fresh(world.other_member)
    assert search.search(viewer, world.network, "alloy").hits == []
    nda = services.nda_propose(
        actor=fresh(world.leader),
        network=world.network,
        counterparty=world.beta,
        title="Mutual NDA",
        text="Keep it secret",
    )
    services.nda_accept(actor=fresh(world.other_leader), nda=nda)
    assert titles(search.search(fresh(world.other_member), world.network, "alloy")) == {
        "Crown jewel"
    }
    services.item_update_audience(
        actor=fresh(world.leader), item=item, audience="organization", level="confidential"
    )
    assert search.search(fresh(world.other_member), world.network, "alloy").hits == []


def test_search_query_count_is_flat(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        person = fresh(world.other_member)
        with CaptureQueriesContext(connection) as captured:
            search.search(person, world.network, "gasket")
        return len(captured)

    share(world.leader, world.network, title="gasket 0")
    small = count()
    for n in range(1, 30):
        share(world.leader, world.network, title=f"gasket {n}")
    assert count() == small == 2


def test_search_api(world):
    share(world.leader, world.network, title="Robot arm", body="Pick and place")
    client = login(world.other_member)
    url = f"/api/v1/networks/{world.network.slug}/search"
    data = client.get(url, {"q": "robot"}).json()
    assert [hit["item"]["title"] for hit in data["items"]] == ["Robot arm"]
    assert data["items"][0]["title_html"] == "<mark>Robot</mark> arm"
    assert client.get(url, {"q": ""}).status_code == 422
    assert client.get(url, {"q": "-robot"}).status_code == 422
    assert client.get(url, {"q": "x" * 201}).status_code == 422
    assert client.get(url, {"q": '"(*'}).status_code == 422
    assert client.get(url).status_code == 422
    assert client.get("/api/v1/networks/nope/search", {"q": "x"}).status_code == 404
    # Not a member: the network's search is not theirs to know of (404, not an empty list).
    assert login(world.outsider).get(url, {"q": "robot"}).status_code == 404
