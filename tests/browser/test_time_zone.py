"""Times in the person's zone: the browser's zone fills the sign-up form and, until a person
chooses one, the pages use it; the zone is named where a time is entered."""

import pytest

from consortia.networks.models import Person
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser, live_server, zone):
    context = browser.new_context(base_url=live_server.url, timezone_id=zone)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_sign_up_takes_the_browser_zone(browser, live_server, shoot, db):
    context, page = _page(browser, live_server, "Asia/Tokyo")
    try:
        page.goto("/signup/")
        assert page.input_value("input[name=time_zone]") == "Asia/Tokyo"
        page.fill("input[name=name]", "Kenji Zone")
        page.fill("input[name=email]", "kenji@zone.test")
        page.fill("input[name=password1]", "a long and unusual passphrase 42")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_load_state()
        assert Person.objects.get(email="kenji@zone.test").time_zone == "Asia/Tokyo"
    finally:
        context.close()


def test_pages_use_the_browser_zone_until_one_is_chosen(browser, live_server, shoot, world):
    context, page = _page(browser, live_server, "America/New_York")
    try:
        sign_in(page, world.leader)
        page.goto("/n/northwind/decisions/new/")
        page.get_by_text("Closes at (America/New_York)").wait_for()
        page.goto("/settings/time-zone/")
        assert "America/New_York" in page.locator("main").inner_text()
        page.select_option("select[name=time_zone]", "Europe/Paris")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Times are now shown in Europe/Paris").wait_for()
        page.goto("/n/northwind/decisions/new/")
        page.get_by_text("Closes at (Europe/Paris)").wait_for()
        shoot(page, "zone-named")
    finally:
        context.close()
