"""Query budgets: the poll pages cost the same number of queries whatever the electorate."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consortia.decisions import services
from consortia.decisions.models import Poll
from consortia.networks import services as network_services
from tests.conftest import fresh, login, make_org_leader
from tests.decisions.conftest import open_poll


def grow(world, n: int, start: int = 0) -> list:
    leaders = []
    for i in range(start, start + n):
        leader = make_org_leader(f"v{i}@org{i}.test", f"Voter {i}", f"Voter Org {i:03d}")
        membership = network_services.network_apply(actor=leader, network=world.network)
        network_services.admission_vote(
            actor=fresh(world.leader), membership=membership, decision="approve"
        )
        network_services.charter_accept(actor=fresh(leader), network=world.network)
        leaders.append(fresh(leader))
    return leaders


def count(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx)


def _vote_all(poll, leaders):
    for i, leader in enumerate(leaders):
        services.ballot_cast(
            actor=leader, poll=poll, choice=["Alpha", "Bravo"] if i % 2 else ["Charlie"]
        )


def test_the_poll_page_is_flat_in_the_number_of_voters(world):
    small = grow(world, 2)
    poll = open_poll(world, "ranked")
    _vote_all(poll, small)
    client = login(world.other_member)
    path = reverse("poll_detail", args=["northwind", poll.pk])
    count(client, path)  # warm: nothing lazy left to do
    before = count(client, path)
    more = grow(world, 12, start=2)
    poll2 = open_poll(world, "ranked")
    _vote_all(poll2, small + more)
    path2 = reverse("poll_detail", args=["northwind", poll2.pk])
    count(client, path2)
    after = count(client, path2)
    # 2 who-is-asking + network, membership, poll, charter, charter accepted, options,
    # voter counts, ballot counts, the log (live results)
    assert before == after <= 12


def test_the_poll_list_is_flat_in_the_number_of_polls(world):
    client = login(world.leader)
    path = reverse("poll_list", args=["northwind"])
    open_poll(world)
    before = count(client, path)
    for _ in range(5):
        open_poll(world)
    assert count(client, path) == before
    assert Poll.objects.count() == 6
