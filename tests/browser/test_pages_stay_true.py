"""Pages stay true after every HTMX action (one mechanism: the action's answer sends
`consortia:changed`, and every part of the page marked data-live is read again): after *Join*
on an initiative the actions joining enabled appear, after *Approve* on the members page the
counters and the member list change, after a vote the turnout (and, when it was the last
ballot of a poll that closes when everyone has voted, the outcome). No reloads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.decisions import services as decisions
from consortia.initiatives import services as initiatives
from tests.browser.helpers import sign_in
from tests.conftest import fresh
from tests.initiatives.conftest import propose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _post(page, button):
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        button.click()
    assert answer.value.ok, answer.value.status
    # The live parts are read once more after the swap.
    page.locator("body[data-live-refreshed]").wait_for(state="attached")


def test_join_shows_what_joining_enabled(new_page, shoot, world):
    initiative = propose(world)
    initiatives.participation_invite(
        actor=fresh(world.leader), initiative=initiative, organization=world.beta
    )
    bo = new_page()
    sign_in(bo, world.other_leader)
    bo.goto(f"/n/northwind/initiatives/{initiative.pk}/")
    requests = bo.locator("#requests")
    assert requests.get_by_role("link", name="Send a request").count() == 0
    assert bo.get_by_role("button", name="Nominate").count() == 0
    shoot(bo, "invited")
    _post(bo, bo.get_by_role("button", name="Join Beta Works"))
    requests.get_by_role("link", name="Send a request").wait_for()
    bo.get_by_role("button", name="Nominate").wait_for()
    bo.locator("#about").get_by_role("link", name="Investment and return").wait_for()
    shoot(bo, "joined")


def test_approve_changes_the_counters_and_the_member_list(new_page, shoot, world):
    ada = new_page()
    sign_in(ada, world.leader)
    ada.goto("/n/northwind/members/")
    members = ada.locator("#member-organizations")
    assert "Gamma Group" not in members.inner_text()
    assert ada.locator("#admissions-header .count").inner_text().strip() == "1"
    assert members.locator(".count").inner_text().strip() == "2"
    shoot(ada, "waiting")
    _post(ada, ada.get_by_role("button", name="Approve Gamma Group"))
    members.get_by_role("link", name="Gamma Group").wait_for()
    assert members.locator(".count").inner_text().strip() == "3"
    assert ada.locator("#admissions-header .count").inner_text().strip() == "0"
    ada.locator(".admission--decided").get_by_text("is now a member").wait_for()
    shoot(ada, "approved")


def test_a_vote_updates_the_turnout_and_the_last_one_the_outcome(new_page, shoot, world):
    poll = decisions.poll_create(
        actor=fresh(world.leader),
        network=world.network,
        title="Meet in Lyon?",
        kind="yes_no",
        closes_at=timezone.now() + timedelta(days=3),
        close_when_all_voted=True,
    )
    url = f"/n/northwind/decisions/{poll.pk}/"
    ada = new_page()
    sign_in(ada, world.leader)
    ada.goto(url)
    assert "closes when all 2 have voted" in ada.locator("#poll-summary").inner_text()
    assert "0 of 2" in ada.locator("#poll-turnout").inner_text()
    ada.get_by_label("Yes").check()
    _post(ada, ada.get_by_role("button", name="Cast our vote"))
    ada.locator("#poll-turnout").get_by_text("1 of 2").wait_for()
    ada.locator("#poll-results").get_by_text("yes").first.wait_for()
    shoot(ada, "first-vote")

    bo = new_page()
    sign_in(bo, world.other_leader)
    bo.goto(url)
    bo.get_by_label("Yes").check()
    _post(bo, bo.get_by_role("button", name="Cast our vote"))
    bo.locator("#poll-turnout").get_by_text("2 of 2").wait_for()
    bo.locator("#poll-summary").get_by_text("when every organization had voted").wait_for()
    bo.locator("#poll-results").get_by_text("Passed").wait_for()
    bo.locator("#ballot-panel").get_by_text("every organization has voted").wait_for()
    shoot(bo, "closed-at-last-vote")
