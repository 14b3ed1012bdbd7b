"""An initiative in a real browser: Ada proposes it, Beta asks to join and is accepted, Bo is
nominated and accepts, the participants give him the leadership (a consensus, until the
decisions app runs the election), he asks Acme for a task on behalf of the initiative, Ada
accepts it and delivers the commitment."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.initiatives import services
from consortia.initiatives.models import Commitment, Initiative, Participation
from tests.conftest import PASSWORD, fresh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, person):
    page.goto("/login/")
    page.fill("input[name=username]", person.email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))


def test_it_proposes_joins_leads_requests_and_delivers(new_page, shoot, world):
    today = timezone.localdate()
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

    # Ada nominates Bo; Bo accepts the nomination.
    ada.reload()
    ada.select_option("select[name=person]", str(world.other_leader.pk))
    ada.get_by_role("button", name="Nominate").click()
    ada.wait_for_url(url)
    bo.reload()
    bo.get_by_role("button", name="Accept the nomination").click()
    bo.wait_for_url(url)
    assert "Stands" in bo.locator("#leader").inner_text()

    # The participants give Bo the leadership for the initiative's period.
    services.leadership_term_grant(
        initiative=initiative, person=fresh(world.other_leader), source="consensus"
    )
    bo.reload()
    leader = bo.locator("#leader").inner_text()
    assert "Bo Other" in leader and "days left in the term" in leader
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
