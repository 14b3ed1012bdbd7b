"""A second click on a create button while the first is being answered creates nothing more
(static/js/app.js holds a form while it is sending): a plain form (propose an initiative) and
an htmx one (a comment). A form sent back with its errors can be corrected and sent again."""

import re
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consortia.initiatives import services as initiatives
from consortia.initiatives.models import Initiative
from consortia.sharing import services as sharing
from consortia.sharing.models import Comment
from tests.browser.helpers import sign_in
from tests.conftest import fresh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLOW = 1.0  # seconds the server takes to create, as on a busy site


@pytest.fixture
def slow(monkeypatch):
    """The live server (a thread of this process) takes SLOW seconds to create initiatives
    and comments: the second click comes while the first is still being answered."""
    for module, name in ((initiatives, "initiative_propose"), (sharing, "comment_create")):
        original = getattr(module, name)

        def slowly(*args, _original=original, **kwargs):
            time.sleep(SLOW)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, slowly)


def click_twice(page, name: str) -> bool:
    """Click the button, and again a moment later, as an impatient person does; say whether it
    was disabled by then. Clicked from the page's own script: Playwright would wait for the
    navigation the first click started, and a person does not."""
    return page.evaluate(
        """(name) => new Promise((resolve) => {
            const button = [...document.querySelectorAll("button")]
                .find((b) => b.textContent.trim() === name);
            button.click();
            setTimeout(() => { button.click(); resolve(button.disabled); }, 300);
        })""",
        name,
    )


def fill_proposal(page, title: str) -> None:
    today = timezone.localdate()
    page.fill("input[name=title]", title)
    page.fill("textarea[name=objective]", "Pool sensor data to predict supply shortages.")
    page.fill("input[name=starts_on]", today.isoformat())
    page.fill("input[name=ends_on]", (today + timedelta(days=90)).isoformat())


def test_a_second_click_on_a_plain_create_form_creates_nothing_more(new_page, world, slow):
    ada = new_page()
    sign_in(ada, world.leader)
    ada.goto(reverse("initiative_propose", args=["northwind"]))
    fill_proposal(ada, "Shared sensors")
    assert click_twice(ada, "Propose the initiative")  # disabled while being answered
    ada.wait_for_url(re.compile(r".*/initiatives/\d+/$"))
    ada.wait_for_timeout(int(SLOW * 1000) + 500)  # a second request would be answered by now
    assert list(Initiative.objects.values_list("title", flat=True)) == ["Shared sensors"]


def test_a_form_sent_back_with_errors_can_be_sent_again(new_page, world, slow):
    ada = new_page()
    sign_in(ada, world.leader)
    ada.goto(reverse("initiative_propose", args=["northwind"]))
    fill_proposal(ada, "")
    ada.get_by_role("button", name="Propose the initiative").click()
    ada.locator("input[name=title][aria-invalid=true]").wait_for()
    assert not Initiative.objects.exists()
    button = ada.get_by_role("button", name="Propose the initiative")
    assert button.is_enabled()
    ada.fill("input[name=title]", "Shared sensors")
    button.click()
    ada.wait_for_url(re.compile(r".*/initiatives/\d+/$"))
    assert Initiative.objects.count() == 1


def test_a_second_click_on_an_htmx_form_creates_nothing_more(new_page, world, slow):
    post = sharing.item_create(
        actor=fresh(world.leader),
        network=world.network,
        kind="post",
        title="Sensor roadmap",
        body="What we plan.",
        audience="network",
    )
    ada = new_page()
    sign_in(ada, world.leader)
    ada.goto(reverse("sharing_post_detail", args=["northwind", post.pk]))
    ada.fill("textarea[name=body]", "Count us in.")
    assert click_twice(ada, "Comment")
    ada.locator("#comments").get_by_text("Count us in.").wait_for()
    ada.wait_for_timeout(int(SLOW * 1000) + 500)
    assert list(Comment.objects.values_list("body", flat=True)) == ["Count us in."]
    # The form swapped in with the new list is ready for the next comment.
    assert ada.get_by_role("button", name="Comment").is_enabled()
