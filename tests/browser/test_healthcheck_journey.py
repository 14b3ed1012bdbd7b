"""A two-sided health check in a real browser: Ada (Acme) opens one with Beta Works and answers
it (HTMX; a missing score comes back next to its field first), Bo (Beta) sees it sealed, answers,
and both see each side's scores and the perception gap drawn as a chart, under the strict CSP."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.healthchecks.models import DIMENSION_KEYS, HealthCheck
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rate(page, value, *, skip=None):
    for key in DIMENSION_KEYS:
        if key != skip:
            page.check(f"input[name={key}][value='{value}']")
    page.fill("textarea[name=communication_comment]", f"Communication is a {value}")


def test_two_team_leaders_answer_and_the_gap_chart_appears(new_page, shoot, world):
    problems = []

    def watch(message):  # the strict CSP refuses inline code with a console error
        if message.type == "error" and "422" not in message.text:
            problems.append(message.text)

    ada = new_page()
    ada.on("console", watch)
    sign_in(ada, world.leader)
    ada.goto("/n/northwind/")
    ada.get_by_role("link", name="Health checks").first.click()
    ada.select_option("select[name=partner]", label="Beta Works")
    deadline = timezone.localtime() + timedelta(days=5)
    ada.fill("input[name=deadline]", deadline.strftime("%Y-%m-%dT%H:%M"))
    ada.get_by_role("button", name="Open the health check").click()
    ada.get_by_text("answers stay sealed").first.wait_for()
    check = HealthCheck.objects.get()

    rate(ada, 5, skip="fairness")
    ada.get_by_role("button", name="Submit, sealed").click()
    ada.locator("#hc-answer").get_by_text("Rate fairness of investment and return").wait_for()
    shoot(ada, "missing-score")
    ada.check("input[name=fairness][value='5']")
    ada.get_by_role("button", name="Submit, sealed").click()
    ada.get_by_text("Your answer is in").wait_for()
    shoot(ada, "answered")

    bo = new_page()
    bo.on("console", watch)
    sign_in(bo, world.other_leader)
    bo.goto(f"/n/northwind/health-checks/{check.pk}/")
    main = bo.locator("main").inner_text()
    assert "Communication is a 5" not in main and "Sealed" in main
    rate(bo, 2)
    bo.get_by_role("button", name="Submit, sealed").click()
    bo.locator("#hc-results svg").wait_for()
    assert "gap 3.0" in bo.locator("#hc-results").inner_text()
    shoot(bo, "results")

    ada.reload()
    ada.locator("#hc-results svg").wait_for()
    text = ada.locator("main").inner_text()
    assert "Communication is a 2" in text and "Communication is a 5" in text
    assert ada.locator("#hc-results rect.hc-bar").count() == 12
    shoot(ada, "results")
    assert problems == []
