"""A joint review in a real browser: Ada sets the cadence of "Shared sensors", holds the review
(its snapshot fills in), Bo celebrates Ada's team (HTMX, in place), both sign off, and Ada
downloads the PDF, whose text holds the review."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from consortia.initiatives import services as initiative_services
from consortia.reviews.models import Review
from tests.browser.helpers import sign_in
from tests.conftest import fresh
from tests.initiatives.conftest import join, make_leader, propose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_holds_celebrates_signs_off_and_exports(new_page, shoot, world):
    initiative = propose(world)
    join(initiative, world.other_leader, world.leader)
    make_leader(initiative, world.leader)
    initiative_services.initiative_start(actor=fresh(world.leader), initiative=initiative)

    ada = new_page()
    sign_in(ada, world.leader)
    ada.goto(f"/n/northwind/initiatives/{initiative.pk}/")
    ada.get_by_role("link", name="Joint reviews").click()
    ada.select_option("select[name=cadence]", "quarterly")
    ada.fill("input[name=first_on]", (timezone.localdate() + timedelta(days=1)).isoformat())
    ada.get_by_role("button", name="Save the cadence").click()
    ada.get_by_text("Review cadence saved").wait_for()
    shoot(ada, "cadence")
    review = Review.objects.get(initiative=initiative)
    ada.get_by_role("link", name=review.scheduled_for.strftime("%-d %b %Y")).click()
    # Holding asks first and says what it freezes.
    ada.get_by_text("Hold the review now…").click()
    ada.get_by_text("Holding the review freezes").wait_for()
    shoot(ada, "hold-confirmation")
    ada.get_by_role("button", name="Yes, hold the review and freeze the figures").click()
    ada.get_by_text("Goals against targets").wait_for()
    assert "Engagement of the participants" in ada.locator("main").inner_text()
    shoot(ada, "held")

    bo = new_page()
    sign_in(bo, world.other_leader)
    bo.goto(ada.url)
    bo.select_option("select[name=kind]", "celebration")
    bo.fill("textarea[name=text]", "Acme wired the first ten sensors ahead of plan")
    bo.select_option("select[name=kudos_organization]", label="Acme Labs")
    bo.select_option("select[name=kudos_person]", label="Ada Leader")
    bo.get_by_role("button", name="Add", exact=True).click()
    bo.locator("#review-entries .review-entries").get_by_text("ahead of plan").wait_for()
    # Kudos to a person and an organization: both are kept.
    kudos = bo.locator("#review-entries .review-entries").get_by_text("Kudos to")
    assert "Ada Leader and Acme Labs" in kudos.inner_text()
    shoot(bo, "celebrated")
    bo.get_by_role("button", name="Sign off for Beta Works").click()
    bo.get_by_text("Signed off for your organization").wait_for()

    # Ada adds a lesson after Beta signed: Beta's sign-off is now older than the review.
    ada.reload()
    ada.select_option("select[name=kind]", "lesson")
    ada.fill("textarea[name=text]", "Order the sensors a month earlier")
    ada.get_by_role("button", name="Add", exact=True).click()
    ada.locator("#review-entries").get_by_text("a month earlier").wait_for()
    bo.reload()
    bo.locator("#review-signoffs").get_by_text("signed before the last changes").wait_for()
    shoot(bo, "signed-before-the-last-changes")
    bo.get_by_role("button", name="Renew the sign-off for Beta Works").click()
    bo.get_by_text("Signed off for your organization").wait_for()
    assert "signed before the last changes" not in bo.locator("#review-signoffs").inner_text()

    ada.reload()
    assert "ahead of plan" in ada.locator("#review-entries").inner_text()
    ada.get_by_role("button", name="Sign off for Acme Labs").click()
    ada.get_by_text("Signed off for your organization").wait_for()
    assert "Signed off" in ada.locator(".badges").last.inner_text()
    review.refresh_from_db()
    assert review.status == "signed_off"
    shoot(ada, "signed-off")

    with ada.expect_download() as info:
        ada.get_by_role("link", name="Download PDF").click()
    data = Path(info.value.path()).read_bytes()
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Review of Shared sensors" in text
    assert "Acme wired the first ten sensors ahead of plan" in text
    assert "Beta Works: signed by Bo Other" in text
