"""Outsiders get 404 on every overlap endpoint; a member of the network that is not one of the
two organizations gets 404 on everything about their partnership and runs."""

import pytest

from consortia.overlap import services
from tests.conftest import fresh, login

from .conftest import domains, run_between

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(pair):
    world = pair.world
    done, *_ = run_between(
        world, domains("a", range(30)), domains("a", range(10, 40)), pair.acme_pop, pair.beta_pop
    )
    open_run = services.run_start(
        actor=fresh(world.leader),
        network=world.network,
        partner=world.beta,
        population_ids=[pair.acme_pop.pk],
    )
    return done, open_run


def pair_endpoints(pair, runs):
    """(method, path) of everything about the Acme and Beta pair."""
    slug = pair.world.network.slug
    done, open_run = runs
    paths = [
        ("POST", f"/n/{slug}/overlap/partners/{pair.partnership.pk}/{a}/")
        for a in ("accept", "decline", "stop")
    ]
    for run in (done, open_run):
        base = f"/n/{slug}/overlap/runs/{run.uuid}"
        api = f"/api/v1/networks/{slug}/overlap/runs/{run.uuid}"
        paths += [
            ("GET", f"{base}/"),
            ("POST", f"{base}/join/"),
            ("POST", f"{base}/cancel/"),
            ("GET", f"{base}/matrix.csv"),
            ("GET", api),
            ("POST", f"{api}/join"),
            ("POST", f"{api}/blinded"),
            ("POST", f"{api}/doubled"),
            ("POST", f"{api}/opened"),
            ("POST", f"{api}/cancel"),
            ("GET", f"{api}/sealed"),
            ("GET", f"{api}/values/blinded/{pair.acme_pop.pk}"),
            ("GET", f"{api}/values/payload/{pair.acme_pop.pk}"),
            ("GET", f"{api}/values/evaluated/{pair.beta_pop.pk}"),
        ]
    paths += [
        ("GET", f"/n/{slug}/overlap/populations/{pair.acme_pop.pk}/"),
        ("POST", f"/n/{slug}/overlap/populations/{pair.acme_pop.pk}/"),
    ]
    return paths


def network_endpoints(pair):
    slug = pair.world.network.slug
    api = f"/api/v1/networks/{slug}/overlap"
    return [
        ("GET", f"/n/{slug}/overlap/"),
        ("POST", f"/n/{slug}/overlap/"),
        ("GET", f"/n/{slug}/overlap/psl.json"),
        ("POST", f"/n/{slug}/overlap/restricted/"),
        ("POST", f"/n/{slug}/overlap/runs/new/"),
        ("GET", f"{api}/populations"),
        ("GET", f"{api}/restricted"),
        ("GET", f"{api}/partnerships"),
        ("GET", f"{api}/runs"),
        ("POST", f"{api}/runs"),
    ]


def call(client, method, path):
    if method == "GET":
        return client.get(path)
    if "/api/" in path and path.endswith("/join"):
        return client.post(path, {"populations": ["customers"]}, content_type="application/json")
    if "/api/" in path and path.endswith("/runs"):
        body = {"partner": "beta-works", "populations": ["customers"]}
        return client.post(path, body, content_type="application/json")
    return client.post(path, data={})


def test_an_outsider_gets_404_everywhere(pair, runs):
    client = login(pair.world.outsider)
    for method, path in network_endpoints(pair) + pair_endpoints(pair, runs):
        assert call(client, method, path).status_code == 404, (method, path)


def test_an_applicant_gets_404_everywhere(pair, runs):
    client = login(pair.world.applicant)  # Gamma asked to join and is not admitted
    for method, path in network_endpoints(pair) + pair_endpoints(pair, runs):
        assert call(client, method, path).status_code == 404, (method, path)


def test_a_member_without_consent_gets_404_on_the_pairs_partnership_and_runs(pair, runs, bystander):
    client = login(bystander)
    for method, path in pair_endpoints(pair, runs):
        assert call(client, method, path).status_code == 404, (method, path)
    # Its own overlap page works, and shows nothing of the pair.
    page = client.get(f"/n/{pair.world.network.slug}/overlap/")
    assert page.status_code == 200
    assert str(runs[0].uuid) not in page.content.decode()
    assert client.get(f"/api/v1/networks/{pair.world.network.slug}/overlap/runs").json() == []


def test_anonymous_visitors_are_sent_to_sign_in_or_refused(pair, runs, client):
    slug = pair.world.network.slug
    assert client.get(f"/n/{slug}/overlap/").status_code == 302
    assert client.get(f"/api/v1/networks/{slug}/overlap/runs/{runs[0].uuid}").status_code == 401


def test_colleagues_may_run_but_only_team_leaders_change_levels_and_consent(pair):
    world = pair.world
    member = login(world.member)
    slug = world.network.slug
    response = member.post(
        f"/n/{slug}/overlap/populations/{pair.acme_pop.pk}/", {"form": "level", "level": "hidden"}
    )
    assert response.status_code == 422
    assert "Only a team leader" in response.content.decode()
    pair.acme_pop.refresh_from_db()
    assert pair.acme_pop.level == "records"
    run = services.run_start(
        actor=fresh(world.member),
        network=world.network,
        partner=world.beta,
        population_ids=[pair.acme_pop.pk],
    )
    assert run.started_by == world.member
