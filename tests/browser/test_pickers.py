"""Pickers (issue 11): named partners and readers are chosen in a searchable multi-select with
the keyboard alone; the person a request goes to is chosen among the chosen organization's
people. Both run under the strict CSP."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from consortia.sharing.models import Item
from tests.browser.helpers import sign_in
from tests.scene import scene_fixture  # noqa: F401 - the `scene` fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partners_and_readers_are_picked_by_typing(new_page, scene, shoot):
    world = scene["world"]
    page = new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    sign_in(page, world.leader.email)
    page.goto(reverse("sharing_post_create", args=[scene["network"].slug]))
    page.fill("input[name=title]", "For Beta only")
    page.get_by_label("Named partner organizations").check()
    partners = page.get_by_role("combobox", name="Partner organizations")
    partners.focus()
    page.keyboard.type("Beta")
    expect(page.locator(".ts-dropdown .option.active")).to_contain_text("Beta Works")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_label("Restricted").check()
    readers = page.get_by_role("combobox", name="Named readers")
    readers.focus()
    page.keyboard.type("Cy")
    # The list narrows as one types; Enter takes the highlighted person.
    expect(page.locator(".ts-dropdown .option.active")).to_contain_text("Cy Colleague")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.locator("#visible-to")).to_contain_text("Beta Works")
    shoot(page, "pickers-chosen")
    # Straight from the picker to the button with the mouse: the list keeps its place.
    page.get_by_role("button", name="Share").click()
    page.wait_for_url(re.compile(r".*/posts/\d+/$"))
    item = Item.objects.get(title="For Beta only")
    assert list(item.partners.values_list("organization_id", flat=True)) == [world.beta.pk]
    assert list(item.readers.values_list("person_id", flat=True)) == [world.other_member.pk]
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]


def test_the_person_list_follows_the_chosen_organization(new_page, scene):
    world = scene["world"]
    page = new_page()
    sign_in(page, world.leader.email)
    page.goto(reverse("request_new", args=[scene["network"].slug, scene["initiative"].pk]))
    organization = page.get_by_label("Ask organization")
    person = page.get_by_label("Ask a specific person")
    organization.select_option(label="Acme Labs")
    names = person.locator("option:not([disabled])").all_inner_texts()
    assert names and all("Acme Labs" in n for n in names[1:]), names
    assert not any("Beta Works" in n for n in names), names
    organization.select_option(label="Beta Works")
    # Nobody of Beta Works takes part: only "its team leaders" is left to choose.
    assert person.locator("option:not([disabled])").all_inner_texts() == ["Its team leaders"]
