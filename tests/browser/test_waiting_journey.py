"""The dashboard's "Waiting for you" in a real browser: Ada signs in and finds Gamma's
application and an open poll waiting; she approves the admission with one click, right there,
and the card, its counts and the message change in place, without loading the page again; the
poll's "Vote" leads to the poll. At 375 px nothing scrolls sideways, the header's links
included."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.decisions import services as decisions
from consortia.networks import services
from consortia.networks.models import NetworkMembership, OrgMembership
from tests.browser.helpers import sign_in
from tests.conftest import fresh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


def test_it_shows_what_waits_and_acts_on_it_inline(new_page, shoot, world):
    poll = decisions.poll_create(
        actor=fresh(world.leader),
        network=world.network,
        title="Meet monthly?",
        kind="yes_no",
        closes_at=timezone.now() + timedelta(days=2),
    )
    ada = new_page()
    sign_in(ada, world.leader)
    waiting = ada.locator("#waiting")
    assert waiting.get_by_role("heading", name="Waiting for you").is_visible()
    assert " ".join(ada.locator("#waiting-total").text_content().split()) == "2 waiting"
    assert "Gamma Group asks to join Northwind Alliance" in waiting.inner_text()
    assert "Meet monthly?" in ada.locator("#waiting-polls").inner_text()
    shoot(ada, "waiting")

    # The action swaps in place (a boosted form): the page is not loaded again, so a marker
    # set on the window survives, and the card, its count and the message change.
    ada.evaluate("window.notReloaded = true")
    ada.get_by_role("button", name="Approve “Gamma Group asks to join Northwind Alliance”").click()
    ada.locator("#flash").get_by_text(
        "Gamma Group is now a member of Northwind Alliance"
    ).wait_for()
    ada.locator("#waiting-admissions").wait_for(state="detached")
    assert " ".join(ada.locator("#waiting-total").text_content().split()) == "1 waiting"
    assert ada.evaluate("window.notReloaded === true")
    assert ada.url.endswith("/")
    shoot(ada, "approved")
    membership = NetworkMembership.objects.get(network=world.network, organization=world.gamma)
    assert membership.status == NetworkMembership.Status.ACTIVE

    ada.locator("#waiting-polls").get_by_role("link", name="Vote “Meet monthly?”").click()
    ada.wait_for_url(re.compile(rf".*/n/northwind/decisions/{poll.pk}/$"))

    phone = new_page(width=375, height=800)
    sign_in(phone, world.leader)
    assert phone.locator("#waiting-polls").is_visible()
    assert not phone.evaluate(OVERFLOW)
    assert phone.get_by_role("link", name="Requests").is_visible()
    assert phone.get_by_role("link", name="Commitments").is_visible()
    shoot(phone, "waiting-375")


def test_my_networks_keeps_the_name_readable_on_a_phone(new_page, shoot, world):
    # At 375 px the row's badges wrap below the network's name instead of squeezing the name
    # into a column one word wide (app.css: .list__main keeps a 12rem basis).
    for width in (375, 1280):
        page = new_page(width=width, height=800)
        sign_in(page, world.leader)
        card = page.locator("section[aria-labelledby=networks-title]")
        main, badges = card.locator(".list__main").first, card.locator(".badges").first
        name, below = main.bounding_box(), badges.bounding_box()
        assert name["width"] >= 180, name
        if width == 375:
            assert below["y"] >= name["y"] + name["height"], (name, below)
        else:
            assert below["x"] >= name["x"] + name["width"], (name, below)
        assert not page.evaluate(OVERFLOW)
        shoot(page, f"my-networks-{width}")


def _dashboard_with_gammas_admission(new_page, world):
    ada = new_page()
    sign_in(ada, world.leader)
    assert "Gamma Group asks to join" in ada.locator("#waiting-admissions").inner_text()
    ada.evaluate("window.notReloaded = true")
    return ada


def test_an_admission_gone_meanwhile_leaves_the_card_with_a_message(new_page, shoot, world):
    ada = _dashboard_with_gammas_admission(new_page, world)
    # Meanwhile the application disappears (an operator removed it): the action answers 404.
    NetworkMembership.objects.filter(network=world.network, organization=world.gamma).delete()
    ada.get_by_role("button", name="Approve “Gamma Group asks to join Northwind Alliance”").click()
    ada.locator("#flash").get_by_text("That is no longer waiting for you").wait_for()
    ada.locator("#waiting-admissions").wait_for(state="detached")
    assert " ".join(ada.locator("#waiting-total").text_content().split()) == "0 waiting"
    assert ada.evaluate("window.notReloaded === true")
    shoot(ada, "gone")


def test_an_action_no_longer_allowed_says_why_and_leaves_the_card(new_page, shoot, world):
    ada = _dashboard_with_gammas_admission(new_page, world)
    # Meanwhile Max becomes a team leader and makes Ada a member: deciding is no longer hers.
    max_membership = OrgMembership.objects.get(person=world.member)
    services.org_member_update(
        actor=fresh(world.leader), membership=max_membership, role="team_leader"
    )
    services.org_member_update(
        actor=fresh(world.member),
        membership=OrgMembership.objects.get(person=world.leader),
        role="member",
    )
    ada.get_by_role("button", name="Approve “Gamma Group asks to join Northwind Alliance”").click()
    ada.locator("#flash").get_by_text("Only a team leader can decide on admissions.").wait_for()
    # The card is read again: the admission stays, for her team leaders now, without a button.
    admissions = ada.locator("#waiting-admissions")
    admissions.get_by_text("Your team leader decides").wait_for()
    assert admissions.get_by_role("button").count() == 0
    assert ada.evaluate("window.notReloaded === true")
    membership = NetworkMembership.objects.get(network=world.network, organization=world.gamma)
    assert membership.status == NetworkMembership.Status.APPLIED
    shoot(ada, "no-longer-allowed")
