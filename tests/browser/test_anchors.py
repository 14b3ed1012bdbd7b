"""A form that sends you back to a section of a page (`#requests` after sending a request,
`#criteria` after adding a criterion) shows that section's heading: not under the sticky header
at 1280 px, and at 375 px, where the navigation wraps to three rows, not under a header that
covers a fifth of the screen."""

import pytest

from tests.browser.helpers import sign_in
from tests.initiatives.conftest import propose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 375])
def test_an_anchored_section_starts_below_the_header(new_page, shoot, world, width):
    initiative = propose(world)
    page = new_page(width=width, height=500)
    sign_in(page, world.leader)
    page.goto(f"/n/northwind/initiatives/{initiative.pk}/#requests")
    heading = page.locator("#requests-title")
    heading.wait_for()
    header_bottom = page.evaluate(
        "Math.max(0, document.querySelector('.site-header').getBoundingClientRect().bottom)"
    )
    top = heading.bounding_box()["y"]
    shoot(page, f"requests-anchor-{width}")
    assert top >= header_bottom, (top, header_bottom)
    assert page.evaluate("window.scrollY") > 0  # the page did scroll to the section
