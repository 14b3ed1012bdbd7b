"""A leader's rights vanish when the term ends, with no job running: the page reads the clock.

The term is created ending a few seconds from now; the test waits it out and reloads."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.initiatives import services
from consortia.initiatives.models import JointPlan
from tests.conftest import PASSWORD, fresh
from tests.initiatives.conftest import propose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_leaders_edit_rights_vanish_when_the_term_ends(new_page, shoot, world):
    initiative = propose(world)
    # The leader is Max, a plain member of Acme: once his term ends, no fallback rule lets him
    # edit the plan (that falls to participating team leaders).
    nomination = services.nominate(
        actor=fresh(world.member), initiative=initiative, person=fresh(world.member)
    )
    services.nomination_accept(actor=fresh(world.member), nomination=nomination)
    ends_at = timezone.now() + timedelta(seconds=6)
    services.leadership_term_grant(
        initiative=initiative,
        person=fresh(world.member),
        source="consensus",
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=ends_at,
    )

    page = new_page()
    page.goto("/login/")
    page.fill("input[name=login]", world.member.email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))
    url = f"/n/northwind/initiatives/{initiative.pk}/"
    page.goto(url)
    assert "Max Member" in page.locator("#leader").inner_text()
    page.get_by_role("link", name="Write the plan").click()
    page.fill("textarea[name=goals]", "Halve shortages by spring")
    page.get_by_role("button", name="Publish this version").click()
    page.wait_for_url(re.compile(r".*/initiatives/\d+/$"))
    assert JointPlan.objects.count() == 1
    shoot(page, "leader-in-term")

    # Open the edit form while still leader, then let the term run out.
    page.goto(url + "plan/")
    page.fill("textarea[name=goals]", "Changed after the term")
    time.sleep(max(0.0, (ends_at - timezone.now()).total_seconds()) + 0.5)
    response_status = []
    page.on(
        "response",
        lambda r: response_status.append(r.status) if r.request.method == "POST" else None,
    )
    page.get_by_role("button", name="Publish this version").click()
    page.wait_for_load_state()
    assert 403 in response_status
    assert "team leader" in page.locator("main").inner_text()
    assert JointPlan.objects.count() == 1
    shoot(page, "refused-after-term")

    page.goto(url)
    text = page.locator("main").inner_text()
    assert "Nobody leads this initiative now" in text
    assert page.get_by_role("link", name="Revise the plan").count() == 0
    shoot(page, "no-leader")
