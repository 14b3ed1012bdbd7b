"""The competitor story, in a real browser: Acme (A) shares a confidential document with Beta
(B) once Beta accepted their NDA; Charlie (C), a competitor in the same network, cannot reach it
by list, search, feed, notification, direct URL, guessed file URL or API; then Acme narrows the
audience and Beta loses access at once — pages, search, feed, inbox, download and API."""

import re

import pytest

from consortia.core import services as core_services
from consortia.sharing.models import DocumentVersion, Item
from tests.browser.helpers import sign_in as _sign_in
from tests.conftest import admit, make_org_leader


def sign_in(page, who, wait=False):
    _sign_in(page, who, wait=False)


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "ZIRCONIUM-HAFNIUM recipe: 7 parts to 3"
WORD = "zirconium"


def main_text(page, url) -> str:
    page.goto(url)
    return page.locator("main").inner_text()


def status(page, url, token=None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return page.request.get(url, headers=headers).status


def test_a_competitor_never_reaches_the_confidential_document(world, new_page, shoot):
    carla = make_org_leader("carla@charlie.test", "Carla Competitor", "Charlie Industries")
    admit(world.network, carla, world.leader)
    slug = world.network.slug

    # Ada proposes an NDA to Beta Works; Bo accepts it (both through the NDA page).
    ada = new_page()
    sign_in(ada, world.leader.email, wait=False)
    ada.goto(f"/n/{slug}/ndas/")
    proposal = ada.locator("form[aria-labelledby=propose-title]")
    proposal.locator("select[name=counterparty]").select_option(label="Beta Works")
    proposal.locator("input[name=title]").fill("Acme-Beta mutual NDA")
    proposal.locator("textarea[name=text]").fill("What we share stays between us.")
    proposal.get_by_role("button", name="Propose").click()
    ada.wait_for_load_state()
    bo = new_page()
    sign_in(bo, world.other_leader.email, wait=False)
    bo.goto(f"/n/{slug}/ndas/")
    bo.get_by_role("button", name="Accept").click()
    bo.wait_for_load_state()
    assert "Accepted" in main_text(bo, f"/n/{slug}/ndas/")
    shoot(bo, "nda-accepted")

    # Ada shares a confidential document with the network: only NDA partners may read it.
    ada.goto(f"/n/{slug}/documents/new/")
    ada.fill("input[name=title]", "Alloy recipe")
    ada.fill("textarea[name=body]", "Our crown jewels. " + SECRET)
    ada.set_input_files(
        "input[name=file]",
        files=[{"name": "recipe.txt", "mimeType": "text/plain", "buffer": SECRET.encode()}],
    )
    ada.get_by_label("The whole network").check()
    ada.get_by_label("Confidential (NDA required)").check()
    shoot(ada, "share-form")
    ada.get_by_role("button", name="Share").click()
    ada.wait_for_url(re.compile(rf".*/n/{slug}/documents/\d+/$"))
    item = Item.objects.get(title="Alloy recipe")
    version = DocumentVersion.objects.get(item=item)
    detail = f"/n/{slug}/documents/{item.pk}/"
    download = f"/n/{slug}/documents/{item.pk}/download/"
    api_detail = f"/api/v1/networks/{slug}/items/{item.pk}"

    # Bo reaches it everywhere.
    assert "Alloy recipe" in main_text(bo, f"/n/{slug}/documents/")
    assert "Alloy recipe" in main_text(bo, f"/n/{slug}/feed/")
    bo.goto(f"/n/{slug}/search/")
    bo.fill("input[name=q]", WORD)  # HTMX: results as you type
    bo.locator("#search-results mark").first.wait_for()
    assert "Alloy recipe" in bo.locator("#search-results").inner_text()
    shoot(bo, "search-found")
    assert "Alloy recipe" in main_text(bo, "/notifications/")
    assert SECRET in main_text(bo, detail)
    assert bo.request.get(download).body() == SECRET.encode()

    # Carla, the competitor, reaches it nowhere.
    carla_page = new_page()
    sign_in(carla_page, carla.email, wait=False)
    _, carla_token = core_services.api_token_create(actor=carla, name="probe")
    for url in (f"/n/{slug}/documents/", f"/n/{slug}/feed/", "/notifications/"):
        text = main_text(carla_page, url)
        assert "Alloy recipe" not in text and SECRET not in text, url
    text = main_text(carla_page, f"/n/{slug}/search/?q={WORD}")
    assert "Alloy recipe" not in text and "Nothing you can see matches" in text
    shoot(carla_page, "competitor-search")
    for url in (
        detail,
        download,
        f"/n/{slug}/documents/{item.pk}/download/1/",
        f"/media/{version.file.name}",  # the stored name, were it guessed
        f"/media/documents/{item.pk}/recipe.txt",
        f"/n/{slug}/posts/{item.pk}/",
    ):
        assert status(carla_page, url) == 404, url
    assert status(carla_page, api_detail, carla_token) == 404
    assert status(carla_page, f"{api_detail}/file", carla_token) == 404
    found = carla_page.request.get(
        f"/api/v1/networks/{slug}/search?q={WORD}",
        headers={"Authorization": f"Bearer {carla_token}"},
    ).json()
    assert found["items"] == []

    # Ada narrows the audience to her own organization: Bo loses access at the next request.
    ada.goto(f"/n/{slug}/items/{item.pk}/audience/")
    ada.get_by_label("Own organization only").check()
    ada.get_by_role("button", name="Save").click()
    ada.wait_for_load_state()
    assert Item.objects.get(pk=item.pk).audience == "organization"
    assert status(bo, detail) == 404
    assert status(bo, download) == 404
    for url in (f"/n/{slug}/documents/", f"/n/{slug}/feed/", "/notifications/"):
        assert "Alloy recipe" not in main_text(bo, url), url
    assert "Alloy recipe" not in main_text(bo, f"/n/{slug}/search/?q={WORD}")
    shoot(bo, "access-ended")
    _, bo_token = core_services.api_token_create(actor=world.other_leader, name="after")
    assert status(bo, api_detail, bo_token) == 404
