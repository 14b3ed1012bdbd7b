"""GET /api/v1/networks/{slug}/match: the same ranking and funnel as the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..api.conftest import ApiClient, api_as, field_errors
from .conftest import COLD

URL = "/networks/northwind/match"


def test_it_returns_ranked_organizations_with_evidence(world, helpers):
    response = api_as(world.member).get(URL, q="Who can truck our vaccines cold?", top=3)
    assert response.status_code == 200
    data = response.json()
    assert data["candidates"] == 3
    assert len(data["results"]) == 3
    first = data["results"][0]
    assert first["organization"]["name"] == "Frost Freight"
    assert first["organization"]["slug"]
    assert first["strength"] in ("strong", "good", "weak")
    assert first["why"].startswith("Listed because")
    assert first["closest"]["field"] in ("description", "offerings", "values")
    assert all("<mark>" in p["html"] for p in first["phrases"])
    assert [r["score"] for r in data["results"]] == sorted(
        (r["score"] for r in data["results"]), reverse=True
    )


@pytest.mark.parametrize("q", ["", "   ", "!!!"])
def test_an_empty_text_is_422(world, helpers, q):
    errors = field_errors(api_as(world.member).get(URL, q=q))
    assert "q" in errors


def test_a_huge_text_is_422(world, helpers):
    assert api_as(world.member).get(URL, q="x" * 4001).status_code == 422


def test_a_missing_text_is_422(world, helpers):
    assert api_as(world.member).get(URL).status_code == 422


@pytest.mark.parametrize("top", [0, 51, "many"])
def test_a_bad_top_is_422(world, helpers, top):
    assert api_as(world.member).get(URL, q=COLD, top=top).status_code == 422


@pytest.mark.parametrize("who", ["outsider", "applicant"])
def test_outsiders_get_404(world, helpers, who):
    response = api_as(getattr(world, who)).get(URL, q=COLD)
    assert response.status_code == 404
    assert "Frost" not in response.content.decode()


def test_an_organization_that_left_gets_404(world, helpers):
    assert api_as(helpers["gone"]).get(URL, q=COLD).status_code == 404


def test_an_unknown_network_is_404(world, helpers):
    assert api_as(world.member).get("/networks/nowhere/match", q=COLD).status_code == 404


def test_anonymous_is_401(world, helpers):
    assert ApiClient().get(URL, q=COLD).status_code == 401


def test_the_schemas_have_unique_names(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"MatchingResultOut", "MatchingHitOut", "MatchingPhraseOut"} <= set(schemas)


def test_it_is_flat_in_the_number_of_organizations(world, helpers):
    from .test_views import _pad

    api = api_as(world.member)

    def count() -> int:
        api.get(URL, q=COLD)
        with CaptureQueriesContext(connection) as queries:
            assert api.get(URL, q=COLD).status_code == 200
        return len(queries)

    few = count()
    _pad(world, 40)
    assert count() == few


# A whole challenge with accents and line breaks: ~3,600 characters, far more once in a URL.
LONG = (
    "Nos échantillons doivent rester entre 2 et 8 °C — du labo jusqu'aux cliniques rurales.\n"
    "Who can truck vaccines cold, with a logged temperature on every leg?\n"
) * 24


def test_a_long_text_is_sent_in_a_json_body(world, helpers):
    response = api_as(world.member).post(URL, {"q": LONG, "top": 3})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["results"][0]["organization"]["name"] == "Frost Freight"
    assert len(data["results"]) == 3


@pytest.mark.parametrize(
    "body", [{}, {"q": ""}, {"q": "x" * 4001}, {"q": COLD, "top": 0}, {"q": COLD, "extra": 1}]
)
def test_a_bad_body_is_422(world, helpers, body):
    assert api_as(world.member).post(URL, body).status_code == 422


@pytest.mark.parametrize("who", ["outsider", "applicant"])
def test_outsiders_posting_get_404(world, helpers, who):
    response = api_as(getattr(world, who)).post(URL, {"q": LONG})
    assert response.status_code == 404
    assert "Frost" not in response.content.decode()
