"""Who could help? in a real browser: Cy opens a challenge of Acme's; the panel arrives by
HTMX after the page with the organization that offers refrigerated transport first, with the
matched words marked; from there Cy searches with other words, at 1280 and 375 px."""

import re

import pytest
from playwright.sync_api import expect

from consortia.sharing import services as sharing_services
from tests.browser.helpers import sign_in
from tests.conftest import fresh
from tests.matching.conftest import helpers as helpers_fixture

helpers = helpers_fixture  # the matching personas, as a fixture of this module
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_challenge_panel_and_the_search(new_page, shoot, world, helpers, width):
    challenge = sharing_services.item_create(
        actor=fresh(world.leader),
        network=world.network,
        kind="challenge",
        title="Vaccines arrive warm",
        body="Our samples must stay cold on the way to rural clinics. Who could truck them?",
        audience="network",
    )
    cy = new_page(width=width)
    sign_in(cy, world.other_member)
    cy.goto(f"/n/northwind/challenges/{challenge.pk}/")
    panel = cy.locator("#helpers")
    expect(panel.locator("ol.match-results li").first).to_contain_text("Frost Freight")
    expect(panel.locator("mark").first).to_be_visible()
    expect(panel).not_to_contain_text("Acme Labs")  # the challenge's own organization
    assert cy.evaluate("document.documentElement.scrollWidth") <= width
    shoot(cy, f"panel-{width}")

    panel.get_by_role("link", name="Search with other words").click()
    cy.wait_for_url(re.compile(r".*/n/northwind/match/\?q=.*"))
    cy.get_by_label("What do you need help with?").fill("recipe development for yoghurt")
    cy.get_by_role("button", name="Find who could help").click()
    results = cy.locator("#match-results")
    expect(results.locator("li").first).to_contain_text("Dairy Delights")
    expect(results).to_contain_text("closest in meaning")
    assert "yoghurt" in cy.url  # the address follows the search (hx-push-url)
    assert cy.evaluate("document.documentElement.scrollWidth") <= width
    shoot(cy, f"search-{width}")

    cy.get_by_label("What do you need help with?").fill("   ")
    cy.get_by_role("button", name="Find who could help").click()
    expect(results).to_contain_text("Describe what you need help with.")
