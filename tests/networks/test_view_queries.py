"""Query budgets: each page's query count is pinned, and does not grow with the data.

Every page pays two queries to know who is asking: the session, and the person loaded together
with their organization membership and organization (core.backends.PersonBackend).
"""

from django.urls import reverse

from consortia.networks import services
from tests.conftest import add_colleague, fresh, login, make_org_leader, make_person

MORE = 30


def grow(world, n: int = MORE, start: int = 0) -> None:
    """Add n of everything the pages list: member organizations (with people and charter
    acceptances), applicants, listed networks, colleagues, invitations and so events."""
    network = world.network
    for i in range(start, start + n):
        leader = make_org_leader(f"lead{i}@org{i}.test", f"Lead {i}", f"Org {i:02d}")
        add_colleague(leader, f"staff{i}@org{i}.test", f"Staff {i}", department="Ops")
        membership = services.network_apply(actor=leader, network=network, message="Hello")
        services.admission_vote(
            actor=fresh(world.leader), membership=membership, decision="approve"
        )
        services.charter_accept(actor=fresh(leader), network=network)
        services.network_found(
            actor=fresh(leader), name=f"Network {i:02d}", slug=f"network-{i}", charter_text="Hi"
        )
        applicant = make_org_leader(f"app{i}@app{i}.test", f"Applicant {i}", f"Applicant {i:02d}")
        services.network_apply(actor=applicant, network=network, message="Let us in")
        services.network_invite_organization(
            actor=fresh(world.leader), network=network, email=f"guest{i}@guest.test"
        )
        services.colleague_invite(actor=fresh(world.leader), email=f"new{i}@acme.test")
        add_colleague(fresh(world.leader), f"acme{i}@acme.test", f"Acme {i}", department="Sales")
        add_colleague(fresh(world.other_leader), f"beta{i}@beta.test", f"Beta {i}")


# (url name, args, queries): the comment names the queries.
BUDGETS = [
    # 2 who-is-asking + networks_of + recent events + "Waiting for you" (core.waiting): one
    # query a section — network invitations, admissions, polls, initiative invitations,
    # requests, nominations, charters, reviews, commitments, overlap proposals, overlap runs,
    # health checks, prospects' next steps, paused webhooks — and two for NDAs (bilateral,
    # network); tests/core/test_waiting.py shows it does not grow with the waiting things
    ("home", [], 20),
    # 2 who-is-asking + networks_of + directory count + directory page
    ("network_list", [], 5),
    # 2 who-is-asking + network, network membership, current charter, charter accepted,
    # member count, pending count, recent events
    ("network_detail", ["northwind"], 9),
    # the same first 6, member count, pending admissions with their votes, open invitations,
    # the page of members with people counts and charter state
    ("network_members", ["northwind"], 10),
    # the same first 6, the page of events (one row more than a page: no COUNT)
    ("network_activity", ["northwind"], 7),
    # the same first 6, acceptances with organizations and people, the viewer's
    # organization for the status panel (membership.organization)
    ("network_charter", ["northwind"], 8),
    # 2 who-is-asking + people + open colleague invitations + networks_of
    ("my_organization", [], 5),
    # 2 who-is-asking + the organization (through the visibility filter) + people +
    # shared networks
    ("organization_detail", ["beta-works"], 5),
]


def test_it_keeps_the_query_count_of_each_page_flat(world, django_assert_num_queries):
    client = login(world.leader)
    # One of everything first, so no list is empty (an empty page skips its query).
    grow(world, 1)
    for name, args, queries in BUDGETS:
        with django_assert_num_queries(queries):
            assert client.get(reverse(name, args=args)).status_code == 200, name
    grow(world, MORE, start=1)
    for name, args, queries in BUDGETS:
        with django_assert_num_queries(queries):
            assert client.get(reverse(name, args=args)).status_code == 200, name


def test_it_keeps_the_dashboard_of_a_person_without_organization_cheap(
    world, django_assert_num_queries
):
    client = login(make_person("new@example.test", "New"))
    # session, person with (no) organization: no networks, events or admissions to ask for;
    # only the network invitations to their verified address (they may found an organization
    # to accept one)
    with django_assert_num_queries(3):
        client.get(reverse("home"))


def test_it_caps_the_work_lists_on_the_members_page(world, settings):
    settings.PAGE_SIZE = 3
    for i in range(5):
        applicant = make_org_leader(f"cap{i}@cap{i}.test", f"Cap {i}", f"Cap {i}")
        services.network_apply(actor=applicant, network=world.network)
        services.network_invite_organization(
            actor=fresh(world.leader), network=world.network, email=f"inv{i}@x.test"
        )
    body = login(world.leader).get(reverse("network_members", args=["northwind"])).content.decode()
    assert "Showing the 3 oldest requests" in body
    assert "Showing the 3 most recent invitations" in body
    assert "Cap 4" not in body
