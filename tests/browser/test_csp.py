"""Under the strict Content-Security-Policy, a tour of the pages in Chromium raises no violation.

Chromium reports what a policy blocks in two ways: a `securitypolicyviolation` event in the page
and an error on the console ("Refused to apply inline style…"). The tour listens to both on a
sample of pages of every app — HTMX fragments, server-rendered charts, forms, the API's Swagger
UI and the admin — and first proves the listener catches a real violation. The other browser
journeys show HTMX and the vendored scripts still doing their work under the same policy.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.conftest import PASSWORD
from tests.scene import scene_fixture  # noqa: F401 - the `scene` fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


class Watcher:
    """Collects CSP violations and console errors of one browser context."""

    def __init__(self, context):
        self.console: list[str] = []
        self.page = None
        context.add_init_script(LISTEN)

    def _on_console(self, message):
        if message.type != "error":
            return
        # Browsers ask every site for /favicon.ico (the admin and Swagger UI link none), and
        # log the status of a page that answers 404 (the error page is part of the tour).
        url = message.location.get("url", "")
        if url.endswith("/favicon.ico") or (self.page is not None and url == self.page.url):
            return
        self.console.append(f"{message.text} ({message.location.get('url', '')})")

    def attach(self, page):
        self.page = page
        page.on("console", self._on_console)
        return page

    def problems(self, page) -> list[str]:
        found = page.evaluate("window.__violations || []") + self.console
        self.console.clear()
        page.evaluate("window.__violations = []")
        return found


def open_watched(new_page):
    page = new_page()
    watcher = Watcher(page.context)
    watcher.attach(page)
    return page, watcher


def test_the_listener_catches_a_violation(new_page):
    page, watcher = open_watched(new_page)
    page.goto("/login/")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_timeout(100)
    problems = watcher.problems(page)
    assert any("style-src" in p for p in problems), problems


def test_a_tour_of_the_pages_raises_no_violation(new_page, shoot, scene):
    world = scene["world"]
    slug = scene["network"].slug
    initiative, review = scene["initiative"].pk, scene["review"].pk
    page, watcher = open_watched(new_page)
    page.goto("/login/")
    assert (
        "unsafe-inline"
        not in (page.context.request.get("/login/").headers)["content-security-policy"]
    )
    assert watcher.problems(page) == []
    page.goto("/signup/")
    assert watcher.problems(page) == []
    sign_in(page, world.leader.email)

    tour = [
        reverse("home"),
        reverse("network_list"),
        reverse("network_detail", args=[slug]),
        reverse("network_members", args=[slug]),
        reverse("network_activity", args=[slug]),
        reverse("poll_list", args=[slug]),
        reverse("poll_detail", args=[slug, scene["poll"].pk]),
        reverse("initiative_list", args=[slug]),
        reverse("initiative_detail", args=[slug, initiative]),
        reverse("initiative_goals", args=[slug, initiative]),
        reverse("review_list", args=[slug, initiative]),
        reverse("review_detail", args=[slug, initiative, review]),
        reverse("sharing_challenge_list", args=[slug]),
        reverse("sharing_challenge_detail", args=[slug, scene["challenge"].pk]),
        reverse("sharing_post_create", args=[slug]),
        reverse("sharing_document_detail", args=[slug, scene["document"].pk]),
        reverse("sharing_ndas", args=[slug]),
        reverse("sharing_feed", args=[slug]),
        reverse("metrics_dashboard", args=[slug]),
        reverse("metric_detail", args=[slug, scene["metric"].pk]),
        reverse("ledger_network", args=[slug]),
        reverse("network_health", args=[slug]),
        reverse("network_trust", args=[slug]),
        reverse("my_organization"),
        reverse("my_commitments"),
        reverse("tokens"),
        reverse("notifications"),
        reverse("calendar_settings"),
        reverse("integrations_home"),
        reverse("agenda_home"),
        reverse("agenda_history"),
        reverse("agenda_prospect", args=[scene["prospect"].pk]),
        "/no-such-page/",
    ]
    problems = {}
    for url in tour:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if found := watcher.problems(page):
            problems[url] = found
    shoot(page, "last-page")

    # HTMX at work under the policy: search as you type swaps in the results.
    page.goto(reverse("sharing_search", args=[slug]))
    page.fill("#search-q", "Castings")
    expect(page.locator("#search-results")).to_contain_text("Castings")
    # …and a form posted through HTMX: the live "visible to" badge.
    # (htmx validates the form first, as the browser would: fill what is required.)
    page.goto(reverse("sharing_post_create", args=[slug]))
    page.fill("input[name=title]", "Under the policy")
    page.get_by_label("The whole network").check()
    expect(page.locator("#visible-to")).to_contain_text("every active member organization")
    if found := watcher.problems(page):
        problems["htmx"] = found

    # The API's documentation (Swagger UI, served from this site) renders.
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info")).to_contain_text("Consortia API", timeout=30_000)
    if found := watcher.problems(page):
        problems["/api/v1/docs"] = found
    assert problems == {}


def test_the_admin_raises_no_violation(new_page, world):
    from consortia.networks.models import Person

    Person.objects.filter(pk=world.leader.pk).update(is_staff=True, is_superuser=True)
    page, watcher = open_watched(new_page)
    page.goto("/admin/login/")
    page.fill("input[name=username]", world.leader.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r".*/admin/$"))
    problems = {}
    for url in ("/admin/", "/admin/networks/network/", "/admin/networks/organization/"):
        page.goto(url)
        if found := watcher.problems(page):
            problems[url] = found
    assert problems == {}
