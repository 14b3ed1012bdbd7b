"""Every page reachable from the dashboard, for three personas: nothing scrolls sideways at 375
or 1280 px, nothing sticks out of its card, axe-core finds no serious or critical violation, and
no link leads to a page the viewer may not open (issue 11).

The tour starts at the dashboard and follows the links the pages show (no typed addresses),
breadth first, one page per kind of page (its URL name): a second challenge adds nothing a first
one did not show. axe-core (vendored under static/vendor/axe-core with its version and licence)
runs once per kind of page for all personas; the layout is measured for each persona at both
widths. One browser, one context per persona: the whole tour stays under a few minutes.

The scene adds long unbroken words and a long URL where people type them (titles, comments,
a named audience) so that wrapping is tested, not assumed.
"""

import re
import time
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from consortia.sharing import services as sharing
from tests.browser.helpers import sign_in
from tests.conftest import fresh
from tests.scene import scene_fixture  # noqa: F401 - the `scene` fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = "/static/vendor/axe-core/axe.min.js"
WIDTHS = (1280, 375)
MAX_PAGES = 150  # per persona: a guard against a runaway tour, not a sample
LONG_WORD = "Rückverfolgbarkeitsdatenaustauschvereinbarungsentwurf" * 2
LONG_URL = "https://example.test/" + "very-long-path-segment-" * 8 + "?q=" + "x" * 60

# Not pages: files, feeds, the API and the admin (they have their own tests), leaving.
SKIP = re.compile(
    r"/(api|admin|static|media|logout|csv)/|download|/export|\.csv|\.ics|\.pdf|/calendar/feed"
    r"|/accounts/(3rdparty|oidc|social)"
)

# The layout, measured in the page: the document wider than the window; a card (or the main
# column) whose content is wider than itself. Scroll containers (overflow-x: auto) keep their
# content inside, as they should.
MEASURE = """
() => {
  const width = window.innerWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width + 1) {
    // Name the widest culprits so a failure says what to fix.
    const wide = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .filter((el) => ![...el.children].some((c) => c.getBoundingClientRect().right > width + 1))
      .slice(0, 3)
      .map((el) => el.tagName.toLowerCase() + (el.className && typeof el.className === "string"
        ? "." + el.className.trim().split(/\\s+/).join(".") : "")
        + " «" + (el.textContent || "").trim().slice(0, 40) + "»");
    out.push(`page ${document.documentElement.scrollWidth}px wide: ${wide.join("; ")}`);
  }
  for (const card of document.querySelectorAll(".card, .tile, .page-header")) {
    if (card.scrollWidth > card.clientWidth + 1) {
      const title = card.querySelector("h1, h2, h3, summary");
      out.push(`card «${title ? title.textContent.trim().slice(0, 40) : card.className}» `
        + `overflows (${card.scrollWidth} > ${card.clientWidth})`);
    }
  }
  return out;
}
"""

# Command lines are for operators' pages only (the integrations' operations page).
COMMANDS = """
() => [...document.querySelectorAll("code, pre, kbd")]
  .filter((el) => /^\\s*consortia\\s/.test(el.textContent))
  .map((el) => "a command line: " + el.textContent.trim().slice(0, 60))
"""
OPERATOR_PAGES = re.compile(r"^integrations|^ops|operations")

RUN_AXE = """
async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: `
      + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
}
"""


def page_kind(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    # Path arguments that name a kind of page (a challenge or a post list) keep it apart;
    # identifiers and slugs do not.
    words = sorted(
        f"{k}={v}"
        for k, v in match.kwargs.items()
        if isinstance(v, str) and k not in ("slug", "token", "key", "uidb36") and not v.isdigit()
    )
    return ":".join([match.view_name, *words])


def links_of(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map((a) => a.href)")
    found = []
    for href in hrefs:
        url, _ = urldefrag(href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin or SKIP.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def tour(page, origin: str, axe_done: set, problems: dict, who: str, extra=()) -> int:
    """Visit what the dashboard leads to, breadth first, one page per kind."""
    queue = deque(["/"])
    seen_kinds: set = set()
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        kind = page_kind(urlsplit(path).path)
        if kind is None or kind in seen_kinds:
            continue
        seen_kinds.add(kind)
        visited += 1
        check(page, path, kind, axe_done, problems, who, queue, origin)
    # Pages no link leads to, but people meet: the error pages.
    for path in extra:
        check(page, path, f"error:{path}", axe_done, problems, who, None, origin)
    return visited


def check(page, path, kind, axe_done, problems, who, queue, origin) -> None:
    """One page at both widths (and axe once per kind); a page met through a link must open."""
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    try:
        response = page.goto(path)
    except PlaywrightError as error:
        if "Download is starting" in str(error):
            return  # a file, not a page
        raise
    status = response.status if response else 0
    where = f"{who} {path}"
    if queue is not None and status >= 400:
        problems[where] = [f"a link on the way here answers {status}"]
        return
    found = [f"{WIDTHS[0]}px: {p}" for p in page.evaluate(MEASURE)]
    if not OPERATOR_PAGES.search(kind):
        found += page.evaluate(COMMANDS)
    if kind not in axe_done:
        axe_done.add(kind)
        page.add_script_tag(url=AXE)
        found += page.evaluate(RUN_AXE)
    for width in WIDTHS[1:]:
        page.set_viewport_size({"width": width, "height": 800})
        found += [f"{width}px: {p}" for p in page.evaluate(MEASURE)]
    if found:
        problems[where] = found
    if queue is not None:
        queue.extend(links_of(page, origin))


@pytest.fixture
def long_words(scene):
    """Long unbroken words and a URL where people type them."""
    world = scene["world"]
    ada = fresh(world.leader)
    item = sharing.item_create(
        actor=ada,
        network=scene["network"],
        kind="post",
        title=LONG_WORD,
        body=f"See {LONG_URL} and {LONG_WORD}.",
        tags=LONG_WORD[:40],
        audience="partners",
        partners=[world.beta.pk],
        level="restricted",
        readers=[world.other_member.pk],
    )
    sharing.comment_create(actor=fresh(ada), item=item, body=f"{LONG_URL} {LONG_WORD}")
    return item


def test_every_page_fits_and_passes_axe_for_three_personas(
    browser, live_server, scene, long_words, shoot
):
    world = scene["world"]
    origin = live_server.url
    personas = [
        ("team-leader", world.leader, ()),
        # The member also meets the error pages: one not found, one not allowed.
        ("member", world.member, ("/no-such-page/", "/networks/new/")),
        ("other-org", world.other_member, ()),
    ]
    axe_done: set = set()
    problems: dict = {}
    counts = {}
    for who, person, extra in personas:
        context = browser.new_context(base_url=origin, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            sign_in(page, person.email)
            started = time.monotonic()
            counts[who] = tour(page, origin, axe_done, problems, who, extra)
            print(f"{who}: {counts[who]} pages in {time.monotonic() - started:.0f} s")
            shoot(page, f"{who}-last")
        finally:
            context.close()
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
    # The tour did go somewhere: every persona saw a good part of the app.
    assert all(n >= 15 for n in counts.values()), counts
