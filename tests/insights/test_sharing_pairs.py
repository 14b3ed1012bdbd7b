"""Who shares with whom is confidential between partners (finding 1).

The health page and `GET /networks/{slug}/health` show each organization only the pairs it is
part of — and, of what others addressed to it, only what its person may see — plus totals for
the whole network. Beta addressing Epsilon is none of Acme's business.
"""

import re

import pytest
from django.urls import reverse

from consortia.networks.models import NetworkMembership
from consortia.sharing.models import Item, ItemPartner
from tests.api.conftest import api_as
from tests.conftest import admit, fresh, login, make_org_leader


def shared(network, author_org, to_orgs, *, level="open", audience="partners", title="x"):
    item = Item.objects.create(
        network=network,
        kind="post",
        organization=author_org,
        title=title,
        audience=audience,
        level=level,
        status="published",
    )
    for org in to_orgs:
        ItemPartner.objects.create(item=item, organization=org)
    return item


@pytest.fixture
def three(world):
    """Acme, Beta and Epsilon are members; Beta and Epsilon share with each other; Acme and
    Beta share with each other (one of Beta's items to Acme is confidential, and Acme has no
    NDA); Epsilon shares one item with the whole network."""
    leader = make_org_leader("eve@epsilon.test", "Eve Epsilon", "Epsilon Inc")
    admit(world.network, leader, world.leader)
    assert NetworkMembership.objects.get(organization=leader.organization).status == "active"
    epsilon = leader.organization
    net = world.network
    shared(net, world.beta, [epsilon], level="confidential", title="Beta to Epsilon secret")
    shared(net, world.beta, [epsilon], level="restricted", title="Beta to Epsilon restricted")
    shared(net, epsilon, [world.beta], title="Epsilon to Beta")
    shared(net, world.acme, [world.beta], title="Acme to Beta")
    shared(net, world.acme, [world.beta, epsilon], level="restricted", title="Acme restricted")
    shared(net, world.beta, [world.acme], title="Beta to Acme")
    shared(net, world.beta, [world.acme], level="confidential", title="Beta to Acme secret")
    shared(net, epsilon, [], audience="network", title="Epsilon to all")
    return epsilon


def pairs_of(body, world, epsilon):
    names = {world.acme.pk: "acme", world.beta.pk: "beta", epsilon.pk: "epsilon"}
    return {
        (names[p["from_organization_id"]], names[p["to_organization_id"]]): p["items"]
        for p in body["sharing_pairs"]
    }


def test_the_api_shows_only_the_pairs_of_the_callers_organization(world, three):
    body = api_as(world.member).get(f"/networks/{world.network.slug}/health").json()
    # Acme's own items (restricted too: its own), and only the item of Beta it may open.
    assert pairs_of(body, world, three) == {
        ("acme", "beta"): 2,
        ("acme", "epsilon"): 1,
        ("beta", "acme"): 1,
    }
    totals = body["sharing_totals"]
    assert totals == {
        "pairs": 5,  # acme>beta, acme>epsilon, beta>acme, beta>epsilon, epsilon>beta
        "mutual_pairs": 2,
        "items_to_partners": 7,
        "items_to_network": 1,
        "organizations_sharing": 3,
    }
    assert body["sharing_pair_count"] == 5


def test_another_member_sees_its_own_pairs(world, three):
    body = api_as(world.other_leader).get(f"/networks/{world.network.slug}/health").json()
    assert pairs_of(body, world, three) == {
        ("beta", "acme"): 2,
        ("beta", "epsilon"): 2,
        ("epsilon", "beta"): 1,
        ("acme", "beta"): 1,  # Acme's restricted item names no reader at Beta
    }


def sharing_section(html: str) -> str:
    return re.search(r'aria-labelledby="sharing-title">.*?</section>', html, re.S).group(0)


def test_the_health_page_shows_the_viewers_pairs_and_network_totals(world, three):
    html = login(world.member).get(reverse("network_health", args=[world.network.slug]))
    section = sharing_section(html.content.decode())
    assert "Epsilon Inc" in section  # Acme addressed Epsilon
    assert "Beta Works" in section
    # Beta to Epsilon is not Acme's business: the table has one row per partner of Acme, and
    # Epsilon's row shows only what Acme sent.
    rows = re.findall(
        r"<tr><th scope=\"row\">([^<]*?)(?: <span[^>]*>both ways</span>)?</th>"
        r"<td>(\d+)</td><td>(\d+)</td>",
        section,
    )
    assert rows == [("Beta Works", "2", "1"), ("Epsilon Inc", "1", "0")]
    assert section.count("both ways") == 1  # Acme and Beta share with each other
    assert "5 directed pairs" in section and "2 mutual" in section
    assert "secret" not in section.lower()


def test_an_organization_sharing_nothing_sees_only_totals(world, three):
    client = login(fresh(world.member))
    Item.objects.filter(organization=world.acme).delete()
    Item.objects.filter(partners__organization=world.acme).delete()
    section = sharing_section(
        client.get(reverse("network_health", args=[world.network.slug])).content.decode()
    )
    assert "Beta Works" not in section and "Epsilon Inc" not in section
    assert "2 directed pairs" in section


def test_a_snapshot_of_the_old_shape_is_computed_again(world, three):
    """Snapshots stored before this change held every pair; they are never served."""
    from consortia.insights import selectors
    from consortia.insights.models import HealthSnapshot

    key = selectors.snapshot_key(world.network).replace(selectors.SNAPSHOT_VERSION, "v1", 1)
    HealthSnapshot.objects.create(
        network=world.network, key=key, summary={"matrix": {"rows": ["all"]}}, orgs=[]
    )
    summary = selectors.health(world.network)
    assert "matrix" not in summary and "sharing" not in summary
    assert summary["sharing_totals"]["pairs"] == 5
