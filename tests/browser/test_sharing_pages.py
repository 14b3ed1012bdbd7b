"""The sharing pages in a real browser: Ada shares a challenge, watching the "visible to"
badge follow her choices before posting; Bo offers help (HTMX) and Ada accepts it; Ada uploads
a confidential document that Beta reaches only after accepting an NDA."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_share_a_challenge_offer_help_and_accept(new_page, shoot, world):
    ada = new_page()
    sign_in(ada, world.leader)
    ada.goto("/n/northwind/challenges/new/")
    badge = ada.locator("#visible-to")
    expect(badge).to_contain_text("only your organization")
    ada.fill("input[name=title]", "Aluminium castings for Q3")
    ada.fill("textarea[name=body]", "We lack **castings** capacity.")
    ada.get_by_label("Named partner organizations").check()
    # Partners are picked in a searchable list: type, then Enter (issue 11).
    ada.get_by_role("combobox", name="Partner organizations").focus()
    ada.keyboard.type("Beta")
    expect(ada.locator(".ts-dropdown .option.active")).to_contain_text("Beta Works")
    ada.keyboard.press("Enter")
    ada.keyboard.press("Escape")
    expect(badge).to_contain_text("Beta Works")
    ada.get_by_label("Confidential (NDA required)").check()
    expect(badge).to_contain_text("confidential")
    ada.get_by_label("The whole network").check()
    ada.get_by_label("Open", exact=True).check()
    expect(badge).to_contain_text("every active member organization")
    shoot(ada, "create-with-badge")
    ada.get_by_role("button", name="Share").click()
    ada.wait_for_url(re.compile(r".*/challenges/\d+/$"))
    shoot(ada, "challenge-detail")

    bo = new_page()
    sign_in(bo, world.other_leader)
    bo.goto("/n/northwind/challenges/")
    bo.get_by_role("link", name="Aluminium castings for Q3").click()
    bo.fill("textarea[name=offer]", "Our foundry has spare capacity")
    bo.get_by_role("button", name="Offer help").click()
    expect(bo.locator("#offers")).to_contain_text("Our foundry has spare capacity")
    shoot(bo, "offer-sent")

    ada.reload()
    ada.get_by_role("button", name="Accept").click()
    expect(ada.locator("#offers")).to_contain_text("Accepted")
    shoot(ada, "offer-accepted")
    ada.goto("/n/northwind/ndas/")
    shoot(ada, "ndas")
