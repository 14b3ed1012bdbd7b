"""Health, trust list and trust evidence pages; API; permissions; query counts."""

import pytest
from django.urls import reverse

from consortia.insights import selectors
from tests.conftest import login

from .conftest import commitment


def health_url(world):
    return reverse("network_health", args=[world.network.slug])


def evidence_url(world, org):
    return reverse("organization_trust", args=[world.network.slug, org.slug])


def test_members_see_the_health_page(world, as_member, beta_history):
    response = as_member.get(health_url(world))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Trust distribution" in text and "Breadth and depth" in text
    assert "Who shares with your organization" in text and 'aria-current="page">Health<' in text


def test_outsiders_and_applicants_get_404(world, as_outsider, as_applicant):
    for url in (
        health_url(world),
        reverse("network_trust", args=[world.network.slug]),
        evidence_url(world, world.beta),
    ):
        assert as_outsider.get(url).status_code == 404
        assert as_applicant.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    assert client.get(health_url(world)).status_code == 302


def test_a_non_member_organization_has_no_trust_page(world, as_member):
    assert as_member.get(evidence_url(world, world.delta)).status_code == 404
    assert as_member.get(evidence_url(world, world.gamma)).status_code == 404


def test_the_evidence_page_shows_commitments_and_formula(world, as_member, beta_history):
    response = as_member.get(evidence_url(world, world.beta))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Task 0" in text and "on time" in text and "overdue" in text
    assert "not counted" in text and "halves every 180 days" in text


def test_the_trust_list_names_every_member(world, as_member, beta_history):
    text = as_member.get(reverse("network_trust", args=[world.network.slug])).content.decode()
    assert "Acme Labs" in text and "Beta Works" in text and "Gamma" not in text


@pytest.mark.parametrize("extra", [0, 6])
def test_health_page_queries_stay_flat(
    world, initiative, as_member, django_assert_num_queries, extra
):
    for i in range(extra):
        commitment(world, initiative, title=f"Extra {i}")
    as_member.get(health_url(world))  # computes the snapshot
    # session, person+org, network, membership, charter, charter acceptance (header),
    # snapshot key, snapshot, the items the viewer's organization addressed to partners and
    # those partners addressed to it (one GROUP BY each)
    with django_assert_num_queries(10):
        assert as_member.get(health_url(world)).status_code == 200


def test_computing_health_is_flat_in_the_data(world, initiative):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as captured:
            selectors.compute_health(world.network)
        return len(captured)

    before = count()
    for i in range(6):
        commitment(world, initiative, title=f"Extra {i}")
    assert count() == before <= 12


# API ----------------------------------------------------------------------------------------


def api(person):
    client = login(person)
    return client


def test_api_trust_list_and_evidence(world, beta_history):
    client = api(world.member)
    response = client.get(f"/api/v1/networks/{world.network.slug}/trust")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {row["organization"] for row in body["items"]} == {"Acme Labs", "Beta Works"}
    response = client.get(
        f"/api/v1/networks/{world.network.slug}/organizations/{world.beta.slug}/trust?limit=3"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["settled"] == 4 and body["count"] == 7 and len(body["evidence"]) == 3
    assert "180" in body["formula"]


def test_api_engagement_and_health(world, beta_history):
    client = api(world.member)
    body = client.get(f"/api/v1/networks/{world.network.slug}/engagement").json()
    assert body["count"] == 2 and "people" in body["items"][0]
    body = client.get(f"/api/v1/networks/{world.network.slug}/health").json()
    assert body["members"] == 2 and sum(body["trust_histogram"]) == 2


def test_api_outsiders_get_404(world):
    client = api(world.outsider)
    for path in ("trust", "engagement", "health", f"organizations/{world.acme.slug}/trust"):
        assert client.get(f"/api/v1/networks/{world.network.slug}/{path}").status_code == 404
    client = api(world.member)
    path = f"/api/v1/networks/{world.network.slug}/organizations/{world.delta.slug}/trust"
    assert client.get(path).status_code == 404


def test_api_trust_of_an_organization_across_shared_networks(world, beta_history):
    body = api(world.member).get(f"/api/v1/organizations/{world.beta.slug}/trust").json()
    assert [row["network"] for row in body] == ["northwind"]
    assert body[0]["settled"] == 4
    assert (
        api(world.outsider).get(f"/api/v1/organizations/{world.beta.slug}/trust").status_code == 404
    )
    assert api(world.member).get("/api/v1/organizations/nope/trust").status_code == 404


def test_api_lists_make_the_same_queries_whatever_the_data(world, initiative):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(world.member)
    paths = [
        f"/api/v1/networks/{world.network.slug}/{p}" for p in ("trust", "engagement", "health")
    ]

    def counts():
        out = []
        for path in paths:
            client.get(path)  # computes the snapshot when something changed
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200
            out.append(len(captured))
        return out

    before = counts()
    for i in range(5):
        commitment(world, initiative, title=f"More {i}")
    assert counts() == before
    assert max(before) <= 8


def test_names_in_the_scatter_are_escaped(world, as_member):
    from consortia.networks.models import Organization

    Organization.objects.filter(pk=world.acme.pk).update(name="<script>x</script> Labs")
    selectors.refresh(world.network)
    text = as_member.get(health_url(world)).content.decode()
    assert "<script>x</script>" not in text and "&lt;script&gt;x&lt;/script&gt; Labs" in text
