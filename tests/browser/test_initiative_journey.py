"""An initiative in a real browser: Ada proposes it, Beta and Epsilon ask to join and are
accepted, Bo and Eve are nominated and accept, Ada opens an election, each participating
organization's team leader ranks the nominees on the poll page, the poll closes when the last
has voted and Bo is elected by Schulze; he asks Acme for a task on behalf of the initiative,
Ada accepts it and delivers the commitment."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.decisions.models import Poll
from consortia.initiatives import permissions
from consortia.initiatives.models import Commitment, Initiative, Participation
from tests.browser.helpers import sign_in
from tests.conftest import admit, make_org_leader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_proposes_joins_elects_requests_and_delivers(new_page, shoot, world):
    today = timezone.localdate()
    eve = make_org_leader("eve@epsilon.test", "Eve Third", "Epsilon Ltd")
    admit(world.network, eve, world.leader)
    ada = new_page()
    sign_in(ada, world.leader)
    ada.goto("/n/northwind/")
    ada.locator("nav.tabs").get_by_role("link", name="Initiatives").click()
    ada.get_by_role("link", name="Propose an initiative").first.click()
    ada.fill("input[name=title]", "Shared sensors")
    ada.fill("textarea[name=objective]", "Pool sensor data to predict supply shortages.")
    ada.fill("textarea[name=boundaries]", "No pricing data.")
    ada.fill("input[name=starts_on]", today.isoformat())
    ada.fill("input[name=ends_on]", (today + timedelta(days=90)).isoformat())
    shoot(ada, "propose-form")
    ada.get_by_role("button", name="Propose the initiative").click()
    ada.wait_for_url(re.compile(r".*/initiatives/\d+/$"))
    initiative = Initiative.objects.get()
    url = ada.url
    assert "Nobody leads this initiative now" in ada.locator("main").inner_text()
    shoot(ada, "proposed")

    # Bo asks for Beta Works to join; the participants section updates in place.
    bo = new_page()
    sign_in(bo, world.other_leader)
    bo.goto(url)
    bo.fill("textarea[name=message]", "We make the sensors.")
    bo.get_by_role("button", name="Ask to join").click()
    bo.locator("#participants").get_by_text("Asked to join").wait_for()
    shoot(bo, "asked-to-join")

    # Ada, a participating team leader with no leader elected yet, accepts inline.
    ada.reload()
    with ada.expect_response(lambda r: r.request.method == "POST") as answer:
        ada.get_by_role("button", name="Accept Beta Works").click()
    assert answer.value.ok
    ada.locator("#participants").get_by_text("Team leader: Bo Other").wait_for()
    assert Participation.objects.get(organization=world.beta).status == "active"
    shoot(ada, "beta-joined")

    # Eve asks for Epsilon Ltd to join; Ada accepts it too.
    ev = new_page()
    sign_in(ev, eve)
    ev.goto(url)
    ev.get_by_role("button", name="Ask to join").click()
    ev.locator("#participants").get_by_text("Asked to join").wait_for()
    ada.reload()
    with ada.expect_response(lambda r: r.request.method == "POST") as answer:
        ada.get_by_role("button", name="Accept Epsilon Ltd").click()
    assert answer.value.ok
    ada.locator("#participants").get_by_text("Team leader: Eve Third").wait_for()

    # Ada nominates Bo and Eve; both accept the nomination.
    for nominee in (world.other_leader, eve):
        ada.reload()
        ada.select_option("select[name=person]", str(nominee.pk))
        ada.get_by_role("button", name="Nominate").click()
        ada.wait_for_url(url)
    for page in (bo, ev):
        page.reload()
        page.get_by_role("button", name="Accept the nomination").click()
        page.wait_for_url(url)
    assert ev.locator("#election").inner_text().count("Stands") == 2

    # Ada opens an election by ranked choice (Schulze), closing tomorrow.
    ada.reload()
    ada.select_option("select[name=method]", "schulze")
    closes = timezone.localtime() + timedelta(days=1)
    ada.fill("input#election-closes_at", closes.strftime("%Y-%m-%dT%H:%M"))
    shoot(ada, "election-form")
    ada.get_by_role("button", name="Open the election").click()
    ada.wait_for_url(url)
    poll = Poll.objects.get()
    assert (poll.kind, poll.method) == ("ranked", "schulze")
    ada.locator("#election").get_by_role("link", name=poll.title).click()
    ada.wait_for_url(re.compile(rf".*/decisions/{poll.pk}/$"))

    # Each participating organization's team leader ranks the nominees on the poll page.
    options = {o.label: o.pk for o in poll.options.all()}
    ballots = {ada: ("Bo Other", "Eve Third"), bo: ("Bo Other", "Eve Third")}
    ballots[ev] = ("Eve Third", "Bo Other")
    for page, (first, second) in ballots.items():
        if page is not ada:
            page.goto(ada.url)
        page.fill(f"input[name=rank-{options[first]}]", "1")
        page.fill(f"input[name=rank-{options[second]}]", "2")
        if page is ev:
            # Two of three have voted: nobody leads yet.
            assert permissions.current_leader(initiative) is None
        page.get_by_role("button", name="Cast our vote").click()
        page.get_by_text("Your receipt").wait_for()
    # Every participant has voted: the election closes at once, and the page says so.
    ev.locator("#poll-summary").get_by_text("when every organization had voted").wait_for()
    ev.locator("#poll-results").get_by_text("Chosen").wait_for()
    shoot(ev, "ranked")
    bo.goto(url)
    leader = bo.locator("#leader").inner_text()
    assert "Bo Other" in leader and "days left in the term" in leader
    assert f"election poll #{poll.pk}" in leader
    shoot(bo, "leader")

    # As leader, Bo asks Acme on behalf of the initiative.
    bo.get_by_role("link", name="Send a request").click()
    bo.select_option("select[name=to_organization]", str(world.acme.pk))
    bo.fill("input[name=title]", "Install sensors at the Leeds plant")
    bo.fill("input[name=due_on]", (today + timedelta(days=14)).isoformat())
    bo.check("input[name=on_behalf_of_initiative]")
    shoot(bo, "request-form")
    bo.get_by_role("button", name="Send the request").click()
    bo.wait_for_url(re.compile(r".*/initiatives/\d+/#requests$"))
    assert "Install sensors" in bo.locator("#requests").inner_text()

    # Ada finds it in "My requests", accepts, and delivers the commitment.
    ada.goto("/")
    ada.locator(".menu__toggle").click()
    ada.get_by_role("link", name="My requests").click()
    ada.wait_for_url(re.compile(r".*/requests/$"))
    shoot(ada, "my-requests")
    ada.get_by_role("button", name="Accept “Install sensors at the Leeds plant”").click()
    ada.wait_for_url(re.compile(r".*/requests/$"))
    ada.goto("/commitments/")
    shoot(ada, "my-commitments")
    ada.get_by_role("button", name="Mark delivered “Install sensors at the Leeds plant”").click()
    ada.wait_for_url(re.compile(r".*/commitments/$"))
    assert "On time" in ada.locator("main").inner_text()
    shoot(ada, "delivered")
    commitment = Commitment.objects.get()
    assert commitment.status == "delivered" and commitment.timeliness == "on time"

    # On a phone, the initiative page does not scroll sideways.
    phone = new_page(width=375, height=800)
    sign_in(phone, world.other_leader)
    phone.goto(url)
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 375px"
    shoot(phone, "initiative-phone")
