"""The "Who could help?" page and the challenge panel: members only (404 for everyone else),
bad input in words, HTMX fragments, and query counts that do not grow with the network."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consortia.matching import labelled
from consortia.sharing import services as sharing_services

from ..conftest import fresh, login
from .conftest import COLD

PAGE = "/n/northwind/match/"


def test_the_page_ranks_with_evidence(world, helpers, as_member):
    response = as_member.get(PAGE, {"q": "Who can truck our vaccines cold?"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Who could help?" in body
    assert "Frost Freight" in body and "<mark>" in body
    assert "closest in meaning" in body
    assert body.index("Frost Freight") < body.index("Dairy Delights")
    assert "Acme Labs</a>" not in body  # the viewer's own organization


def test_the_page_without_a_question_shows_the_form(world, helpers, as_member):
    response = as_member.get(PAGE)
    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()
    assert "match-results" in response.content.decode()


def test_the_network_navigation_links_the_page(world, helpers, as_member):
    body = as_member.get("/n/northwind/").content.decode()
    assert 'href="/n/northwind/match/"' in body


@pytest.mark.parametrize(
    "q, message",
    [("", "Describe what you need help with."), ("x" * 5000, "at most 4,000 characters")],
)
def test_bad_input_is_a_sentence_on_the_page(world, helpers, as_member, q, message):
    response = as_member.get(PAGE, {"q": q})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_htmx_gets_the_results_alone(world, helpers, as_member):
    response = as_member.get(PAGE, {"q": COLD}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Frost Freight" in body and "<html" not in body


def test_a_strange_top_falls_back_to_ten(world, helpers, as_member):
    assert as_member.get(PAGE, {"q": COLD, "top": "lots"}).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "applicant"])
def test_outsiders_and_applicants_get_404(world, helpers, who):
    client = login(getattr(world, who))
    assert client.get(PAGE, {"q": COLD}).status_code == 404


def test_an_organization_that_left_gets_404(world, helpers):
    assert login(helpers["gone"]).get(PAGE, {"q": COLD}).status_code == 404


def test_an_unknown_network_is_404(world, helpers, as_member):
    assert as_member.get("/n/nowhere/match/", {"q": COLD}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    response = client.get(PAGE, {"q": COLD})
    assert response.status_code == 302 and "/login/" in response["Location"]


# A whole challenge in the words of its author: accents, dashes and line breaks, ~3,600 characters
# (under the page's 4,000) that percent-encode to far more than an address may hold.
LONG = (
    "Nos échantillons doivent rester entre 2 et 8 °C — du labo jusqu'aux cliniques rurales.\n"
    "Who can truck vaccines cold, with a logged temperature on every leg?\n"
) * 24


def test_the_form_is_sent_with_post_so_a_whole_challenge_fits(world, helpers, as_member):
    assert 'method="post"' in as_member.get(PAGE).content.decode()
    assert len(LONG) < 4000
    response = as_member.post(PAGE, {"q": LONG, "top": "5"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Frost Freight" in body and "closest in meaning" in body
    assert "rester entre 2 et 8" in body  # the text stays in the form


def test_a_short_search_is_redirected_to_its_address(world, helpers, as_member):
    response = as_member.post(PAGE, {"q": "trucks for cold vaccines", "top": "5"})
    assert response.status_code == 302
    assert response["Location"] == PAGE + "?q=trucks+for+cold+vaccines&top=5"


def test_htmx_gets_the_results_and_the_address_to_show(world, helpers, as_member):
    htmx = {"HX-Request": "true"}
    short = as_member.post(PAGE, {"q": COLD, "top": "10"}, headers=htmx)
    assert short.status_code == 200 and "<html" not in short.content.decode()
    assert "Frost Freight" in short.content.decode()
    assert short["HX-Push-Url"].startswith(PAGE + "?q=")
    assert "HX-Trigger-After-Settle" not in short  # a search changes nothing on the page
    long = as_member.post(PAGE, {"q": LONG}, headers=htmx)
    assert long.status_code == 200 and "Frost Freight" in long.content.decode()
    assert long["HX-Push-Url"] == "false"  # too long for an address: the address stays


def test_bad_input_sent_with_post_is_a_sentence_too(world, helpers, as_member):
    body = as_member.post(PAGE, {"q": "x" * 5000}).content.decode()
    assert "at most 4,000 characters" in body
    empty = as_member.post(PAGE, {}, follow=True)
    assert "Describe what you need help with." in empty.content.decode()


@pytest.mark.parametrize("who", ["outsider", "applicant"])
def test_outsiders_posting_a_search_get_404(world, helpers, who):
    assert login(getattr(world, who)).post(PAGE, {"q": LONG}).status_code == 404


def test_other_methods_are_refused(world, helpers, as_member):
    assert as_member.put(PAGE, {"q": COLD}).status_code == 405


# The panel on a challenge ----------------------------------------------------------------------


@pytest.fixture
def challenge(world, helpers):
    return sharing_services.item_create(
        actor=fresh(world.leader),
        network=world.network,
        kind="challenge",
        title="Vaccines arrive warm",
        body="Our samples must stay between 2 and 8 degrees on the way to the clinics.",
        audience="network",
    )


def test_the_challenge_page_loads_the_panel_with_htmx(world, challenge, as_other):
    body = as_other.get(f"/n/northwind/challenges/{challenge.pk}/").content.decode()
    assert f'hx-get="/n/northwind/challenges/{challenge.pk}/helpers/"' in body
    assert 'hx-trigger="load"' in body
    assert "Frost Freight" not in body  # not ranked on the challenge page itself


def test_the_panel_lists_helpers_but_not_the_challenge_author(world, challenge, as_other):
    url = f"/n/northwind/challenges/{challenge.pk}/helpers/"
    response = as_other.get(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "Frost Freight" in body
    assert "Acme Labs</a>" not in body  # the author's organization
    assert "Beta Works</a>" not in body  # the viewer's own
    full = as_other.get(url)  # without JavaScript: a page
    assert "<html" in full.content.decode() and "Frost Freight" in full.content.decode()


def test_the_panel_of_an_invisible_challenge_is_404(world, helpers, as_other):
    private = sharing_services.item_create(
        actor=fresh(world.leader),
        network=world.network,
        kind="challenge",
        title="Internal only",
        body="Cold chain for our own samples.",
        audience="organization",
    )
    url = f"/n/northwind/challenges/{private.pk}/helpers/"
    assert as_other.get(url).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "applicant"])
def test_the_panel_is_404_for_outsiders(world, challenge, who):
    url = f"/n/northwind/challenges/{challenge.pk}/helpers/"
    assert login(getattr(world, who)).get(url).status_code == 404


def test_the_panel_of_a_post_is_404(world, helpers, as_other):
    post = sharing_services.item_create(
        actor=fresh(world.leader),
        network=world.network,
        kind="post",
        title="A post",
        body="Cold chain news.",
        audience="network",
    )
    assert as_other.get(f"/n/northwind/challenges/{post.pk}/helpers/").status_code == 404


# Query budgets ---------------------------------------------------------------------------------


def _pad(world, n):
    """n more active members with profiles, bulk-created and indexed."""
    rows = [
        (
            f"pad-{world.network.pk}-{len_}-{i}",
            f"Padding {len_} {i}",
            "company",
            "Cold storage and refrigerated transport of food.",
            "Chilled transport\nFrozen storage",
            "",
            "",
        )
        for len_ in [n]
        for i in range(n)
    ]
    labelled.load(
        labelled.LabelledSet(organizations=[], challenges=[]),
        network=world.network,
        extra_rows=rows,
    )


def _count(client, url, params=None, headers=None) -> int:
    client.get(url, params, headers=headers)  # warm: the process's vector copy is loaded
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params, headers=headers)
    assert response.status_code == 200
    return len(queries)


def test_the_page_and_the_panel_are_flat_in_the_number_of_organizations(world, challenge, as_other):
    panel = f"/n/northwind/challenges/{challenge.pk}/helpers/"
    few_page = _count(as_other, PAGE, {"q": COLD})
    few_panel = _count(as_other, panel, headers={"HX-Request": "true"})
    _pad(world, 40)
    assert _count(as_other, PAGE, {"q": COLD}) == few_page
    assert _count(as_other, panel, headers={"HX-Request": "true"}) == few_panel
    # session, person, membership (+ network, its charter, acceptance) for the page frame;
    # candidates, lexical, index token, top documents, highlights, organizations for the search.
    assert few_page <= 16, few_page
