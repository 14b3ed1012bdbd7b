"""The partnering agenda in a real browser: Ada writes Acme's agenda, adds a criterion, puts
Beta Works (a member of Northwind) on the list of prospects, scores it, moves it to due
diligence and ticks an item (all by HTMX, the total and "scored N of M" changing in place),
then proposes an initiative with it. Bo, Beta's team leader, receives the ordinary invitation to
the initiative — and nothing of the agenda: not the prospect page (404), not its criteria,
notes or stage, in no page he can open."""

import re

import pytest
from playwright.sync_api import expect

from consortia.agenda.models import Prospect
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "Lightweight assemblies beat commodity coils"


def test_write_score_tick_invite_and_the_prospect_sees_nothing(new_page, shoot, world):
    ada = new_page()
    sign_in(ada, world.leader)
    ada.get_by_role("link", name="My organization").click()
    ada.get_by_role("link", name="Open the agenda").click()
    expect(ada.get_by_role("heading", name="Partnering agenda", level=1)).to_be_visible()

    ada.get_by_role("link", name="Edit the agenda").click()
    ada.get_by_label("Why partner").fill(SECRET)
    ada.get_by_label("Gaps").fill("Robotic welding cells\nCoatings for aluminium")
    ada.get_by_label("How many partners can we work with?").fill("2")
    ada.get_by_role("button", name="Save a new version").click()
    expect(ada.locator(".agenda-gaps")).to_contain_text("Robotic welding cells")
    expect(ada.get_by_role("link", name=re.compile("Who could help")).first).to_be_visible()

    ada.locator("summary", has_text="Add a criterion").click()
    ada.get_by_label("Criterion", exact=True).fill("Product fit")
    ada.get_by_label("Weight").fill("0")
    for step, words in enumerate(["unknown", "weak", "partial", "good", "fully complementary"]):
        ada.get_by_label(f"{step} means").fill(words)
    ada.get_by_role("button", name="Add criterion").click()
    expect(ada.locator("#criteria")).to_contain_text("The weight must be a positive number")
    ada.get_by_label("Weight").fill("3")
    ada.get_by_role("button", name="Add criterion").click()
    expect(ada.locator("#criteria")).to_contain_text("Product fit")

    ada.get_by_label("An organization of your networks").select_option("beta-works")
    ada.locator("#prospect_next_step").fill("Call Bo")
    ada.get_by_role("button", name="Add prospect").click()
    expect(ada.get_by_role("heading", name="Beta Works", level=1)).to_be_visible()
    prospect = Prospect.objects.get()
    card = ada.locator("#prospect-card")
    expect(card.locator("[data-scored]")).to_have_text("scored 0 of 1 criteria")

    ada.locator("input[type=radio][value='3']").first.check()
    ada.get_by_label("Evidence: a note").fill("Their cells complete our steel")
    ada.get_by_role("button", name="Save score on Product fit").click()
    expect(ada.locator("#prospect-card [data-scored]")).to_have_text("scored 1 of 1 criteria")
    expect(ada.locator("#prospect-card [data-total]")).to_have_text("75.0")

    ada.get_by_label("Move to").select_option("approached")
    ada.get_by_role("button", name="Move").click()
    expect(ada.locator("#prospect-card")).to_contain_text("Due diligence comes first")
    ada.get_by_label("Move to").select_option("due_diligence")
    ada.get_by_role("button", name="Move").click()
    expect(ada.locator("#stage .agenda-pipeline .is-current")).to_have_text("Due diligence")

    first = ada.locator("#diligence li").first
    first.get_by_label("Status").select_option("passed")
    first.get_by_label("Evidence").fill("Audited accounts 2025")
    first.get_by_role("button", name=re.compile("Save")).click()
    expect(ada.locator("#diligence li").first).to_contain_text("Checked by Ada Leader")
    shoot(ada, "prospect")

    ada.locator("summary", has_text="Propose an initiative with it").click()
    ada.get_by_label("Objective").fill("Pilot a welded-assembly line together")
    ada.get_by_role("button", name="Propose and invite").click()
    expect(ada.locator("#flash")).to_contain_text("is invited to take part")

    bo = new_page()
    sign_in(bo, world.other_leader)
    assert bo.goto(f"/organization/agenda/prospects/{prospect.pk}/").status == 404
    for path in (
        "/",
        "/notifications/",
        "/organization/agenda/",
        "/organization/agenda/export.md",
        "/n/northwind/activity/",
        "/n/northwind/feed/",
        "/api/v1/agenda/prospects",
    ):
        text = bo.request.get(path).text()  # the signed-in context's cookies
        for secret in (
            SECRET,
            "Product fit",
            "Their cells complete",
            "Audited accounts",
            "Call Bo",
        ):
            assert secret not in text, (path, secret)
        assert "prospect" not in text.lower() or path.startswith("/organization/agenda"), path
    bo.goto("/notifications/")
    expect(bo.locator("main")).to_contain_text("invited to the initiative")
    shoot(bo, "bo-notifications")


def test_the_history_fits_a_phone(new_page, shoot, world):
    """The "What changed in …" buttons of the history wrap on a 375 px phone: nothing scrolls
    sideways, even for the longest section names."""
    from consortia.agenda import services
    from tests.browser.test_pages_axe import MEASURE
    from tests.conftest import fresh

    services.agenda_save(
        actor=fresh(world.leader),
        why_partner="To grow",
        resources_needed="Two engineers",
        risks="Lock-in",
    )
    page = new_page()
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, world.leader)
    page.goto("/organization/agenda/history/")
    expect(page.get_by_text("What changed in “Resources the partnering needs”")).to_be_visible()
    shoot(page, "history-375")
    assert page.evaluate(MEASURE) == []
