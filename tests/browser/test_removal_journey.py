"""Removal by vote, end to end in a real browser: a team leader proposes to remove a member
with a stated reason, the other members vote (the member concerned cannot), the poll closes by
the clock alone, the outcome applies itself, the member stays during its notice period, and
then the removed organization keeps its own data but no longer sees the network's member
pages."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.decisions import verify
from consortia.decisions.models import Poll
from consortia.networks.models import NetworkMembership
from tests.browser.helpers import sign_in as _sign_in
from tests.conftest import admit, make_org_leader


def sign_in(page, who, wait=False):
    _sign_in(page, who, wait=False)


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_is_removed_by_vote(world, new_page, shoot):
    third = make_org_leader("hal@hotel.test", "Hal Third", "Hotel Partners")
    admit(world.network, third, world.leader)

    # Ada proposes the removal of Beta Works, with the reason Beta will read.
    ada = new_page()
    sign_in(ada, world.leader.email, wait=False)
    ada.goto("/n/northwind/")
    ada.get_by_role("link", name="Decisions").click()
    ada.wait_for_url(re.compile(r".*/n/northwind/decisions/$"))
    shoot(ada, "decisions-empty")
    ada.get_by_role("link", name="New poll").click()
    ada.fill("input[name=title]", "Invite Beta Works to leave?")
    ada.fill("textarea[name=description]", "Beta has missed every commitment this year.")
    ada.select_option("select[name=kind]", "yes_no")
    ada.select_option("select[name=action]", "remove")
    ada.select_option("select[name=member]", label="Beta Works")
    ada.fill("textarea[name=reason]", "No commitment delivered in twelve months.")
    ada.fill("input[name=notice_days]", "7")
    shoot(ada, "removal-form")
    ada.get_by_role("button", name="Open the poll").click()
    ada.wait_for_url(re.compile(r".*/n/northwind/decisions/\d+/$"))
    poll = Poll.objects.get()
    assert poll.action == "remove"

    # Ada votes yes with HTMX: the receipt appears in place.
    ada.get_by_label("Yes").check()
    ada.get_by_role("button", name="Cast our vote").click()
    ada.get_by_text("Your receipt").wait_for()
    receipt = ada.locator("code.receipt").first.inner_text()
    assert len(receipt) == 64
    shoot(ada, "voted")

    # Bo, whose organization is concerned, sees the poll but cannot vote on it.
    bo = new_page()
    sign_in(bo, world.other_leader.email, wait=False)
    bo.goto(f"/n/northwind/decisions/{poll.pk}/")
    assert "not in this poll" in bo.locator("main").inner_text()
    assert bo.get_by_role("button", name="Cast our vote").count() == 0
    shoot(bo, "not-in-electorate")

    # Hal votes yes too, on a phone.
    hal = new_page(width=375, height=800)
    sign_in(hal, "hal@hotel.test", wait=False)
    hal.goto(f"/n/northwind/decisions/{poll.pk}/")
    hal.get_by_label("Yes").check()
    hal.get_by_role("button", name="Cast our vote").click()
    hal.get_by_text("Your receipt").wait_for()
    shoot(hal, "voted-phone")

    # Time passes: the poll closes by the clock; the first reader settles it.
    Poll.objects.filter(pk=poll.pk).update(
        opens_at=timezone.now() - timedelta(days=8), closes_at=timezone.now() - timedelta(minutes=1)
    )
    ada.goto(f"/n/northwind/decisions/{poll.pk}/")
    main = ada.locator("main").inner_text()
    assert "Passed" in main and "Download the ballots" in main
    shoot(ada, "outcome")
    membership = NetworkMembership.objects.get(network=world.network, organization=world.beta)
    closes_at = Poll.objects.get(pk=poll.pk).closes_at
    assert membership.status == NetworkMembership.Status.REMOVED
    assert membership.ended_at == closes_at + timedelta(days=7)
    assert verify.verify_poll(Poll.objects.get(pk=poll.pk)).ok

    # During the seven days of notice, Beta is still a member and is told when it ends.
    assert bo.goto("/n/northwind/members/").status == 200
    assert "stays a member during the notice period" in bo.locator("main").inner_text()
    shoot(bo, "notice-period")

    # The notice ends (time passes): Beta keeps its own organization and people, but not the
    # network's member pages.
    NetworkMembership.objects.filter(pk=membership.pk).update(
        ended_at=timezone.now() - timedelta(minutes=1)
    )
    bo.goto("/organization/")
    assert "Beta Works" in bo.locator("main").inner_text()
    assert bo.goto(f"/n/northwind/decisions/{poll.pk}/").status in (403, 404)
    assert bo.goto("/n/northwind/members/").status in (403, 404)
    shoot(bo, "removed")


def test_a_ranked_ballot_by_numbers_or_by_dragging(world, new_page, shoot):
    from consortia.decisions import services
    from consortia.decisions.models import BallotRecord

    poll = services.poll_create(
        actor=world.leader,
        network=world.network,
        title="Where do we meet?",
        kind="ranked",
        options=["Lyon", "Turin", "Geneva"],
        closes_at=timezone.now() + timedelta(days=1),
    )
    page = new_page()
    sign_in(page, world.leader.email, wait=False)
    page.goto(f"/n/northwind/decisions/{poll.pk}/")
    # Keyboard: type the ranks (Geneva and Lyon tie for second).
    page.get_by_label("Turin").fill("1")
    page.get_by_label("Geneva").fill("2")
    page.get_by_label("Lyon").fill("2")
    shoot(page, "ranked-by-numbers")
    page.get_by_role("button", name="Cast our vote").click()
    page.get_by_text("Your receipt").wait_for()
    assert BallotRecord.objects.get().choice == {"ranking": ["Turin", ["Lyon", "Geneva"]]}
    # Mouse: drag Geneva to the top; the numbers follow.
    page.reload()
    items = page.locator("[data-option]")
    items.nth(2).drag_to(items.nth(0))
    shoot(page, "ranked-by-dragging")
    page.get_by_role("button", name="Change our vote").click()
    page.get_by_text("Your receipt").wait_for()
    latest = BallotRecord.objects.order_by("-seq").first()
    assert latest.choice == {"ranking": ["Geneva", "Lyon", "Turin"]}
    shoot(page, "ranked-changed")
