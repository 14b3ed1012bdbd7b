"""The ledger page's queries do not grow with the number of entries or partners."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consortia.ledger import services
from tests.conftest import admit, fresh, make_org_leader

pytestmark = pytest.mark.django_db


def add(person, network, n):
    for k in range(n):
        services.entry_create(
            actor=fresh(person), network=network, direction=("investment", "return")[k % 2],
            kind="money", amount=str(10 + k), currency="EUR", date=timezone.localdate(),
        )  # fmt: skip


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_ledger_page_is_flat(world, as_leader, django_assert_max_num_queries):
    url = reverse("ledger_network", args=["northwind"])
    add(world.leader, world.network, 2)
    small = count(as_leader, url)
    for k in range(5):
        partner = make_org_leader(f"p{k}@p{k}.test", f"P{k}", f"Partner {k}")
        admit(world.network, partner, world.leader)
        add(partner, world.network, 4)
    add(world.other_leader, world.network, 10)
    assert count(as_leader, url) == small
    # session, person, network, membership, charter, acceptance, settings, sums, entries…
    with django_assert_max_num_queries(12):
        as_leader.get(url)
