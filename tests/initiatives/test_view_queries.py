"""Query budgets of the initiative pages: pinned, and flat as rows grow."""

from datetime import timedelta

from django.urls import reverse

from consortia.initiatives import services
from consortia.networks import services as network_services
from tests.conftest import fresh, login, make_org_leader
from tests.initiatives.conftest import make_leader, today


def grow(world, initiative, n: int, start: int = 0) -> None:
    """n more participants, each with a nomination, a plan acceptance, a request each way and
    a commitment; and n plan versions."""
    for i in range(start, start + n):
        leader = make_org_leader(f"p{i}@p{i}.test", f"Partner {i}", f"Partner {i:02d}")
        membership = network_services.network_apply(
            actor=leader, network=world.network, message="Hi"
        )
        network_services.admission_vote(
            actor=fresh(world.leader), membership=membership, decision="approve"
        )
        network_services.charter_accept(actor=fresh(leader), network=world.network)
        participation = services.participation_request(actor=fresh(leader), initiative=initiative)
        services.participation_accept(actor=fresh(world.other_leader), participation=participation)
        services.nominate(actor=fresh(leader), initiative=initiative, person=fresh(leader))
        plan = services.plan_revise(
            actor=fresh(world.other_leader), initiative=initiative, goals=f"Goals {i}"
        )
        services.plan_accept(actor=fresh(leader), plan=plan)
        for sender, receiver, org in (
            (world.leader, leader, leader.organization),
            (leader, world.leader, world.acme),
        ):
            request = services.request_send(
                actor=fresh(sender),
                initiative=initiative,
                to_organization=org,
                title=f"Task {i}",
                due_on=today() + timedelta(days=3),
            )
            services.request_accept(actor=fresh(receiver), request=request)


# 2 who-is-asking + network, network membership (get_network_for), the initiative, the
# current term, the viewer's participation, the first active participations, their count,
# the first pending ones, plans (with acceptance counts and the viewer's acceptance), their
# first acceptances with organizations, nominations, requests, commitments, the
# election/recall/extension polls, then the header: current charter, charter accepted
DETAIL = 18
# 2 who-is-asking + received requests + sent requests
MY_REQUESTS = 4
# 2 who-is-asking + commitments
MY_COMMITMENTS = 3
# 2 who-is-asking + network, membership, charter, charter accepted, initiatives with counts
LIST = 7
# The header's exact unread count: one query when the viewer has unread notifications (the
# person's own annotation is only an upper bound; core.context_processors).
UNREAD = 1


def test_the_initiative_pages_keep_their_query_count_flat(
    world, initiative, django_assert_num_queries
):
    make_leader(initiative, world.other_leader)
    client = login(world.leader)
    pages = [
        (reverse("initiative_detail", args=["northwind", initiative.pk]), DETAIL + UNREAD),
        (reverse("initiative_list", args=["northwind"]), LIST + UNREAD),
        (reverse("my_requests"), MY_REQUESTS + UNREAD),
        (reverse("my_commitments"), MY_COMMITMENTS + UNREAD),
    ]
    grow(world, initiative, 1)
    for url, budget in pages:
        with django_assert_num_queries(budget):
            assert client.get(url).status_code == 200, url
    grow(world, initiative, 8, start=1)
    for url, budget in pages:
        with django_assert_num_queries(budget):
            assert client.get(url).status_code == 200, url
    # The leader also gets the organizations they may invite: one more query.
    leader = login(world.other_leader)
    with django_assert_num_queries(DETAIL + 1 + UNREAD):
        assert leader.get(pages[0][0]).status_code == 200
