"""The six journeys of a newcomer, in a real browser, driven only by what the pages show.

Each journey signs in (the only address typed), starts from the dashboard and moves by clicking
links and buttons found by their role and visible text; it ends by checking the new state on
the page. Every step is a screenshot at 1280 px and at 375 px (helpers.Journey).

1. found a network; 2. admit a partner; 3. share a challenge and turn it into an initiative;
4. elect its leader; 5. requests, commitments and metrics; 6. a joint review.
Each builds only what it needs on the shared `world` (Acme: Ada, team leader, and Max; Beta:
Bo; Gamma: Gil, who asked to join).
"""

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from consortia.initiatives import services as initiative_services
from consortia.metrics import services as metric_services
from consortia.metrics.models import Metric
from tests.browser.helpers import Journey, main_nav_or_menu, open_network, open_section, sign_in
from tests.conftest import fresh, make_org_leader
from tests.initiatives.conftest import join, make_leader, propose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NETWORK = "Northwind Alliance"


@pytest.fixture
def journey(screenshot_dir, request) -> Journey:
    return Journey(screenshot_dir, request.node.name.removeprefix("test_"))


def main(page):
    return page.locator("main")


def on_dashboard(page) -> None:
    """Signed in, the first page is the dashboard (the site's home, with the main navigation)."""
    assert urlparse(page.url).path == "/"
    assert page.get_by_role("heading", level=1).first.is_visible()
    assert page.get_by_role("navigation", name="Main").is_visible()


def active_initiative(world, *, leader=None):
    """Acme's "Shared sensors" with Beta taking part, started; `leader` leads it."""
    initiative = propose(world)
    join(initiative, world.other_leader, world.leader)
    if leader is not None:
        make_leader(initiative, leader)
    initiative_services.initiative_start(actor=fresh(leader or world.leader), initiative=initiative)
    return initiative


def test_1_found_a_network(new_page, journey, world):
    """A team leader whose organization is on Consortia founds a network with its charter."""
    hana = make_org_leader("hana@hanse.test", "Hana Founder", "Hanse Freight")
    page = new_page()
    sign_in(page, hana)
    on_dashboard(page)
    journey.step(page, "dashboard")

    found = main(page).get_by_role("link", name="Found a network")
    if not found.count():  # the dashboard leads to it through "My networks" otherwise
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My networks").click()
    found.first.click()
    page.get_by_label(re.compile(r"^Network name")).fill("Baltic Freight Circle")
    page.get_by_label(re.compile(r"^Web address")).fill("baltic")
    page.get_by_label(re.compile(r"^What the network is for")).fill(
        "Carriers sharing capacity across the Baltic ports."
    )
    page.get_by_label("Charter", exact=True).fill("We share capacity fairly and decide together.")
    journey.step(page, "found-form")
    page.get_by_role("button", name="Found the network").click()
    page.get_by_role("heading", level=1, name="Baltic Freight Circle").wait_for()
    journey.step(page, "founded")

    # The network is among the organization's networks, as an active member with its charter.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My networks").click()
    main(page).get_by_role("link", name="Baltic Freight Circle").first.wait_for()
    journey.step(page, "my-networks")
    main(page).get_by_role("link", name="Baltic Freight Circle").first.click()
    open_section(page, "Members")
    assert "Hanse Freight" in main(page).inner_text()
    journey.step(page, "members")


def test_2_admit_a_partner(new_page, journey, world):
    """Iris Optics finds the network and asks to join; Ada approves it from the members page;
    Ines sees her organization admitted."""
    ines = make_org_leader("ines@iris.test", "Ines Optics", "Iris Optics")
    iris = new_page()
    sign_in(iris, ines)
    on_dashboard(iris)
    journey.step(iris, "dashboard")
    iris.get_by_role("navigation", name="Main").get_by_role("link", name="My networks").click()
    main(iris).get_by_role("link", name=NETWORK).first.click()
    journey.step(iris, "network-outside")
    main(iris).get_by_role("link", name="Ask to join").first.click()
    iris.get_by_label(re.compile(r"^Why your organization wants to join")).fill(
        "We make the lenses for your inspection cameras."
    )
    journey.step(iris, "apply-form")
    iris.get_by_role("button", name="Send our request").click()
    main(iris).get_by_text("Admission is now up to the member organizations").wait_for()
    journey.step(iris, "applied")

    ada = new_page()
    sign_in(ada, world.leader)
    on_dashboard(ada)
    journey.step(ada, "dashboard")
    open_network(ada, NETWORK)
    open_section(ada, "Members")
    main(ada).get_by_text("We make the lenses for your inspection cameras.").first.wait_for()
    journey.step(ada, "members-pending")
    with ada.expect_response(lambda r: r.request.method == "POST") as answer:
        ada.get_by_role("button", name="Approve Iris Optics").click()
    assert answer.value.ok
    ada.reload()
    assert not ada.get_by_role("button", name="Approve Iris Optics").count()
    journey.step(ada, "approved")

    # Ines: the network's sections are open to Iris Optics now; it is listed as a member.
    iris.reload()
    assert "Admission is now up to" not in main(iris).inner_text()
    open_section(iris, "Members")
    members = main(iris).inner_text()
    assert "Iris Optics" in members and "Acme Labs" in members
    journey.step(iris, "admitted")


def test_3_share_a_challenge_and_turn_it_into_an_initiative(new_page, journey, world):
    """Ada shares a challenge, Bo offers help, Ada converts it into an initiative (Beta is
    invited because it offered help) and Bo joins it."""
    today = timezone.localdate()
    ada = new_page()
    sign_in(ada, world.leader)
    on_dashboard(ada)
    open_network(ada, NETWORK)
    open_section(ada, "Challenges")
    ada.get_by_role("link", name="Share a challenge").first.click()
    ada.get_by_label(re.compile(r"^Title")).fill("Cold-chain sensors for the harbour")
    ada.get_by_label(re.compile(r"^Description")).fill("Who can help us monitor reefers?")
    ada.get_by_label("The whole network").check()
    journey.step(ada, "challenge-form")
    ada.get_by_role("button", name="Share", exact=True).click()
    ada.get_by_role("heading", name="Cold-chain sensors for the harbour").first.wait_for()
    assert "every active member organization" in main(ada).inner_text()
    journey.step(ada, "challenge-shared")

    bo = new_page()
    sign_in(bo, world.other_leader)
    on_dashboard(bo)
    open_network(bo, NETWORK)
    open_section(bo, "Challenges")
    main(bo).get_by_role("link", name="Cold-chain sensors for the harbour").first.click()
    bo.get_by_label(re.compile(r"^What you offer")).fill("Our lab has 40 wireless probes.")
    bo.get_by_role("button", name="Offer help").click()
    main(bo).get_by_text("Our lab has 40 wireless probes.").first.wait_for()
    journey.step(bo, "offered-help")

    ada.reload()
    ada.get_by_label(re.compile(r"^Initiative title")).fill("Harbour cold chain")
    ada.get_by_label(re.compile(r"^Objective")).fill("Monitor every reefer at the harbour.")
    ada.get_by_label(re.compile(r"^Starts on")).fill(today.isoformat())
    ada.get_by_label(re.compile(r"^Ends on")).fill((today + timedelta(days=120)).isoformat())
    journey.step(ada, "convert-form")
    ada.get_by_role("button", name="Convert into an initiative").click()
    ada.get_by_role("heading", name="Harbour cold chain").first.wait_for()
    assert main(ada).get_by_role("link", name="The challenge it addresses").is_visible()
    journey.step(ada, "initiative")

    # Bo finds the initiative from the network's initiatives and joins it.
    bo.get_by_role("navigation", name="Main").get_by_role("link", name="My networks").click()
    main(bo).get_by_role("link", name=NETWORK).first.click()
    open_section(bo, "Initiatives")
    main(bo).get_by_role("link", name="Harbour cold chain").first.click()
    journey.step(bo, "invited")
    with bo.expect_response(lambda r: r.request.method == "POST") as answer:
        bo.get_by_role("button", name=re.compile(r"^Join")).first.click()
    assert answer.value.ok
    bo.reload()
    participants = bo.locator("#participants").inner_text()
    assert "Beta Works" in participants and "Asked to join" not in participants
    assert "Team leader: Bo Other" in participants
    journey.step(bo, "joined")


def test_4_elect_its_leader(new_page, journey, world):
    """Ada nominates Bo, Bo accepts, Ada opens a consensus election, both organizations agree,
    and Bo leads the initiative for its period."""
    initiative = active_initiative(world)
    ada = new_page()
    sign_in(ada, world.leader)
    on_dashboard(ada)
    open_network(ada, NETWORK)
    open_section(ada, "Initiatives")
    main(ada).get_by_role("link", name=initiative.title).first.click()
    assert "Nobody leads this initiative now" in main(ada).inner_text()
    journey.step(ada, "initiative")
    ada.get_by_label(re.compile(r"^Nominate")).select_option(label="Bo Other (Beta Works)")
    ada.get_by_role("button", name="Nominate").click()
    main(ada).get_by_text("Awaiting answer").first.wait_for()
    journey.step(ada, "nominated")

    bo = new_page()
    sign_in(bo, world.other_leader)
    on_dashboard(bo)
    open_network(bo, NETWORK)
    open_section(bo, "Initiatives")
    main(bo).get_by_role("link", name=initiative.title).first.click()
    bo.get_by_role("button", name="Accept the nomination").click()
    main(bo).get_by_text("Stands").first.wait_for()
    journey.step(bo, "accepted")

    ada.reload()
    election = ada.get_by_role("form", name="Open an election")
    election.get_by_label(re.compile(r"^Method")).select_option(
        label="Consensus on the one nominee"
    )
    closes = timezone.localtime() + timedelta(days=2)
    election.get_by_label(re.compile(r"^Voting closes")).fill(closes.strftime("%Y-%m-%dT%H:%M"))
    journey.step(ada, "election-form")
    election.get_by_role("button", name="Open the election").click()
    poll_link = main(ada).get_by_role("link", name=re.compile(r"^Do we agree Bo Other leads"))
    poll_link.first.click()
    journey.step(ada, "poll")

    for page in (ada, bo):
        if page is bo:
            bo.reload()
            bo.get_by_role("link", name=re.compile(r"^Do we agree Bo Other leads")).first.click()
        page.get_by_label("Agree", exact=True).check()
        page.get_by_role("button", name=re.compile(r"^Cast")).click()
        page.get_by_text("Your receipt").first.wait_for()
    journey.step(bo, "voted")

    # Everyone voted: the decision is taken without waiting for the deadline.
    from consortia.decisions.models import Poll

    poll = Poll.objects.get(action="initiative.elect_leader")
    if poll.outcome_applied_at is None:
        # Until polls close when every voter has voted (issue 11 §2, decisions), the clock
        # stands in for it.
        Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now())
    bo.reload()
    main(bo).get_by_role("link", name=initiative.title).first.click()  # "About" the poll
    leader = bo.locator("#leader").inner_text()
    assert "Bo Other" in leader and "days left in the term" in leader
    journey.step(bo, "leader")


def test_5_requests_commitments_and_metrics(new_page, journey, world):
    """Bo leads; he asks Acme for a task; Ada accepts it from her requests and delivers it from
    her commitments; she records the month's value of a standard metric and sees it."""
    today = timezone.localdate()
    initiative = active_initiative(world, leader=world.other_leader)
    metric = metric_services.metric_create(
        actor=fresh(world.leader), network=world.network, name="Deliveries", unit="parcels"
    )
    Metric.objects.filter(pk=metric.pk).update(status="standard")

    bo = new_page()
    sign_in(bo, world.other_leader)
    on_dashboard(bo)
    open_network(bo, NETWORK)
    open_section(bo, "Initiatives")
    main(bo).get_by_role("link", name=initiative.title).first.click()
    bo.get_by_role("link", name="Send a request").click()
    bo.get_by_label(re.compile(r"^Ask organization")).select_option(label="Acme Labs")
    bo.get_by_label(re.compile(r"^What do you ask for")).fill("Install sensors at the Leeds plant")
    bo.get_by_label(re.compile(r"due date")).fill((today + timedelta(days=14)).isoformat())
    journey.step(bo, "request-form")
    bo.get_by_role("button", name="Send the request").click()
    bo.locator("#requests").get_by_text("Install sensors at the Leeds plant").first.wait_for()
    journey.step(bo, "request-sent")

    ada = new_page()
    sign_in(ada, world.leader)
    on_dashboard(ada)
    journey.step(ada, "dashboard")
    main_nav_or_menu(ada, re.compile(r"^(My )?requests", re.I))
    journey.step(ada, "requests")
    ada.get_by_role("button", name="Accept “Install sensors at the Leeds plant”").click()
    main_nav_or_menu(ada, re.compile(r"^(My )?commitments", re.I))
    journey.step(ada, "commitments")
    ada.get_by_role("button", name="Mark delivered “Install sensors at the Leeds plant”").click()
    main(ada).get_by_text("On time").first.wait_for()
    journey.step(ada, "delivered")

    # The metric: from the network's Metrics section, record this month's value for Acme.
    open_network(ada, NETWORK)
    open_section(ada, "Metrics")
    main(ada).get_by_role("link", name="Deliveries").first.click()
    journey.step(ada, "metric")
    month = today.strftime("%Y-%m")
    period = ada.get_by_label(re.compile(r"^Period"))
    if not period.input_value():
        period.fill(month)
    ada.get_by_label(re.compile(r"^Value")).fill("125")
    journey.step(ada, "measurement-form")
    ada.get_by_role("button", name="Record", exact=True).click()
    mine = main(ada).get_by_role("region", name=re.compile(r"^Acme Labs.s values"))
    mine.get_by_role("cell", name="125", exact=True).wait_for()
    assert today.strftime("%b %Y") in mine.inner_text()
    journey.step(ada, "measured")


def test_6_a_joint_review(new_page, journey, world):
    """Ada leads; she sets the cadence, holds the first review, Bo celebrates Acme and both
    sign off: the review is signed off."""
    initiative = active_initiative(world, leader=world.leader)
    ada = new_page()
    sign_in(ada, world.leader)
    on_dashboard(ada)
    open_network(ada, NETWORK)
    open_section(ada, "Initiatives")
    main(ada).get_by_role("link", name=initiative.title).first.click()
    main(ada).get_by_role("link", name="Joint reviews").first.click()
    ada.get_by_role("combobox", name=re.compile(r"^Cadence")).select_option("quarterly")
    tomorrow = timezone.localdate() + timedelta(days=1)
    ada.get_by_label(re.compile(r"^First")).fill(tomorrow.isoformat())
    journey.step(ada, "cadence-form")
    ada.get_by_role("button", name="Save the cadence").click()
    ada.get_by_text("Review cadence saved").wait_for()
    journey.step(ada, "cadence")
    day = tomorrow.strftime("%-d %b %Y")
    main(ada).get_by_role("link", name=day).first.click()
    # Holding asks first, saying what it freezes (a disclosure), then a confirm button.
    main(ada).get_by_text(re.compile(r"^Hold the review now")).first.click()
    assert "cannot be undone" in main(ada).inner_text()
    main(ada).get_by_role("button", name=re.compile(r"^Yes, hold the review")).click()
    ada.get_by_text("Goals against targets").first.wait_for()
    journey.step(ada, "held")

    bo = new_page()
    sign_in(bo, world.other_leader)
    on_dashboard(bo)
    open_network(bo, NETWORK)
    open_section(bo, "Initiatives")
    main(bo).get_by_role("link", name=initiative.title).first.click()
    main(bo).get_by_role("link", name="Joint reviews").first.click()
    main(bo).get_by_role("link", name=day).first.click()
    bo.get_by_role("combobox", name=re.compile(r"^Kind")).select_option("celebration")
    bo.get_by_role("textbox", name=re.compile(r"^What you want to say")).fill(
        "Acme wired ten sensors ahead of plan"
    )
    bo.get_by_role("combobox", name=re.compile(r"^Kudos to an organization")).select_option(
        label="Acme Labs"
    )
    bo.get_by_role("button", name="Add", exact=True).click()
    bo.locator("#review-entries").get_by_text("ahead of plan").first.wait_for()
    journey.step(bo, "celebrated")
    bo.get_by_role("button", name="Sign off for Beta Works").click()
    bo.get_by_text("Signed off for your organization").wait_for()

    ada.reload()
    assert "ahead of plan" in ada.locator("#review-entries").inner_text()
    ada.get_by_role("button", name="Sign off for Acme Labs").click()
    ada.get_by_text("Signed off for your organization").wait_for()
    assert "Signed off" in main(ada).locator(".badges").last.inner_text()
    journey.step(ada, "signed-off")
