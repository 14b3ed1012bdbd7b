"""Query budgets: lists and details cost the same number of queries whatever the data size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consortia.sharing import services

from .conftest import share


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _fill(world, n):
    for index in range(n):
        item = share(
            world.leader,
            world.network,
            kind="challenge",
            audience="partners" if index % 2 else "network",
            partners=[world.beta.pk] if index % 2 else (),
            tags="a,b",
        )
        services.comment_create(actor=world.other_member, item=item, body="hi")
        services.offer_create(actor=world.other_member, item=item, offer="help")


@pytest.mark.parametrize(
    "url",
    [
        "/n/northwind/challenges/",
        "/n/northwind/challenges/?show=offered",
        "/n/northwind/posts/",
        "/api/v1/networks/northwind/items",
        "/api/v1/networks/northwind/items?kind=challenge",
    ],
)
def test_lists_are_flat_in_the_number_of_items(world, as_other, url):
    _fill(world, 2)
    few = count(as_other, url)
    _fill(world, 10)
    assert count(as_other, url) == few


def test_detail_is_flat_in_comments_and_offers(world, as_leader):
    from ..conftest import admit, make_org_leader

    item = share(world.leader, world.network, kind="challenge", audience="network")
    services.comment_create(actor=world.other_member, item=item, body="one")
    url = f"/n/northwind/challenges/{item.pk}/"
    few = count(as_leader, url)
    for index in range(5):
        rival = make_org_leader(f"r{index}@r.test", f"R{index}", f"Rival {index}")
        admit(world.network, rival, world.leader)
        services.offer_create(actor=rival, item=item, offer="help")
        services.comment_create(actor=rival, item=item, body="more")
    # The session and membership lookups of a fresh client are the same either way.
    assert count(as_leader, url) == few


def test_access_log_nda_and_document_pages_are_flat(world, as_leader, as_member):
    from .conftest import text_file

    document = share(
        world.leader, world.network, kind="document", audience="network", level="confidential"
    )
    as_member.get(f"/n/northwind/documents/{document.pk}/")
    urls = [
        "/n/northwind/access-log/",
        "/n/northwind/ndas/",
        f"/n/northwind/documents/{document.pk}/",
    ]
    few = [count(as_leader, url) for url in urls]
    for _ in range(5):
        services.document_add_version(actor=world.leader, item=document, file=text_file())
        as_member.get(f"/n/northwind/documents/{document.pk}/")
    services.nda_propose(
        actor=world.leader, network=world.network, counterparty=world.beta, title="A", text="t"
    )
    services.nda_propose(
        actor=world.leader, network=world.network, counterparty=world.beta, title="B", text="t"
    )
    # The detail page logs the leader's own view too (one INSERT), like the first time.
    assert [count(as_leader, url) for url in urls] == few
