"""What browser tests do again and again, written once."""

import re

from tests.conftest import PASSWORD


def sign_in(page, who, password: str = PASSWORD, *, wait: bool = True) -> None:
    """Sign in through the sign-in page as `who` (a person or an e-mail address); with `wait`,
    until the dashboard is shown."""
    email = getattr(who, "email", who)
    page.goto("/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if wait:
        page.wait_for_url(re.compile(r".*/$"))
    else:
        page.wait_for_load_state()


class Journey:
    """A journey driven only by what the pages show: each step is a screenshot at 1280 px and at
    375 px (a phone), into the screenshot folder, named after the test and the step."""

    WIDTHS = (1280, 375)

    def __init__(self, folder, prefix: str):
        self.folder, self.prefix, self.n = folder, prefix, 0

    def step(self, page, name: str) -> None:
        self.n += 1
        viewport = page.viewport_size
        # From the top: a sticky header would otherwise be drawn where the page was scrolled.
        page.evaluate("window.scrollTo(0, 0)")
        for width in self.WIDTHS:
            if width != viewport["width"]:
                page.set_viewport_size({"width": width, "height": viewport["height"]})
            path = self.folder / f"{self.prefix}-{self.n:02d}-{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
        page.set_viewport_size(viewport)


def main_nav_or_menu(page, name) -> None:
    """Click a personal page (requests, commitments, notifications) wherever the header shows
    it: in the main navigation, or else in the account menu."""
    header = page.locator("header").first
    link = header.get_by_role("link", name=name)
    if not link.first.is_visible():
        header.locator("summary").last.click()
    link.first.click()


def open_network(page, network_name: str) -> None:
    """From any page: "My networks" in the main navigation, then the network."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My networks").click()
    page.locator("main").get_by_role("link", name=network_name).first.click()


def open_section(page, name: str) -> None:
    """A section of the network from its navigation (grouped tabs; a group that folds away on a
    small screen is opened first)."""
    nav = page.get_by_role("navigation", name=re.compile(r"sections$"))
    link = nav.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        group = nav.locator("details").filter(has=link)
        if group.count():
            group.first.locator("summary").click()
    link.click()
