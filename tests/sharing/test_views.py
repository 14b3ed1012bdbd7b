"""Pages: lists, details, create with the "visible to" badge, offers, comments, downloads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consortia.sharing import services
from consortia.sharing.models import AccessLog, Comment, Item, Nda, Offer

from ..conftest import login
from .conftest import PDF, network_nda, share


def test_lists_show_only_visible_items(world, as_other):
    share(world.leader, world.network, kind="challenge", audience="network", title="Public one")
    share(world.leader, world.network, kind="challenge", audience="organization", title="Hidden")
    page = as_other.get("/n/northwind/challenges/").content.decode()
    assert "Public one" in page
    assert "Hidden" not in page


def test_challenge_filters(world, as_other):
    mine = share(
        world.other_leader, world.network, kind="challenge", audience="network", title="Ours"
    )
    theirs = share(
        world.leader, world.network, kind="challenge", audience="network", title="Theirs"
    )
    services.offer_create(actor=world.other_member, item=theirs, offer="Help")
    page = as_other.get("/n/northwind/challenges/?show=mine").content.decode()
    assert "Ours" in page and "Theirs" not in page
    page = as_other.get("/n/northwind/challenges/?show=offered", HTTP_HX_REQUEST="true")
    assert "Theirs" in page.content.decode() and "Ours" not in page.content.decode()
    assert "<html" not in page.content.decode()  # an HTMX fragment
    assert mine.pk


def test_detail_is_404_for_invisible_missing_or_wrong_network(world, as_other, as_outsider):
    hidden = share(world.leader, world.network, audience="organization")
    shown = share(world.leader, world.network, audience="network")
    assert as_other.get(f"/n/northwind/posts/{hidden.pk}/").status_code == 404
    assert as_other.get("/n/northwind/posts/999999/").status_code == 404
    assert as_other.get(f"/n/elsewhere/posts/{shown.pk}/").status_code == 404
    assert as_other.get(f"/n/northwind/challenges/{shown.pk}/").status_code == 404
    assert as_other.get(f"/n/northwind/posts/{shown.pk}/").status_code == 200
    assert as_outsider.get(f"/n/northwind/posts/{shown.pk}/").status_code == 404


def test_create_form_shows_the_visible_to_badge_and_previews(world, as_leader):
    page = as_leader.get("/n/northwind/posts/new/").content.decode()
    assert "Visible to only your organization (Acme Labs)" in page
    preview = as_leader.post(
        "/n/northwind/share/preview/",
        {"audience": "partners", "partners": [world.beta.pk], "level": "confidential"},
    ).content.decode()
    assert "Beta Works" in preview and "confidential" in preview
    bad = as_leader.post(
        "/n/northwind/share/preview/",
        {"audience": "partners", "partners": [world.delta.pk], "level": "open"},
    ).content.decode()
    assert "Not yet valid" in bad


def test_create_a_post_and_see_it(world, as_leader):
    response = as_leader.post(
        "/n/northwind/posts/new/",
        {
            "title": "Hello",
            "body": "**Hi** <script>x</script>",
            "audience": "network",
            "level": "open",
        },
    )
    item = Item.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/n/northwind/posts/{item.pk}/"
    page = as_leader.get(response["Location"]).content.decode()
    assert "<strong>Hi</strong>" in page and "<script>x" not in page


def test_create_with_an_outside_partner_shows_an_error(world, as_leader):
    response = as_leader.post(
        "/n/northwind/posts/new/",
        {"title": "Hello", "audience": "partners", "partners": [world.delta.pk], "level": "open"},
    )
    assert response.status_code == 422
    assert not Item.objects.exists()


def test_upload_a_document_and_download_it(world, as_leader, as_other, as_outsider):
    response = as_leader.post(
        "/n/northwind/documents/new/",
        {
            "title": "Plan",
            "audience": "network",
            "level": "open",
            "file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()
    item = Item.objects.get()
    download = as_other.get(f"/n/northwind/documents/{item.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    assert as_outsider.get(f"/n/northwind/documents/{item.pk}/download/").status_code == 404


def test_a_disguised_upload_is_refused_in_the_page(world, as_leader):
    response = as_leader.post(
        "/n/northwind/documents/new/",
        {
            "title": "Plan",
            "audience": "network",
            "level": "open",
            "file": SimpleUploadedFile("plan.pdf", b"MZ evil", content_type="application/pdf"),
        },
    )
    assert response.status_code == 422
    assert "disguised" in response.content.decode()
    assert not Item.objects.exists()


def test_confidential_views_and_downloads_are_logged_and_shown(world, as_leader, as_member):
    item = share(
        world.leader, world.network, kind="document", audience="network", level="confidential"
    )
    as_member.get(f"/n/northwind/documents/{item.pk}/")
    as_member.get(f"/n/northwind/documents/{item.pk}/download/")
    assert list(AccessLog.objects.values_list("action", flat=True).order_by("id")) == [
        "view",
        "download",
    ]
    page = as_leader.get("/n/northwind/access-log/").content.decode()
    assert "Max Member" in page and "Downloaded" in page


def test_offers_and_comments_with_htmx(world, as_other, as_leader):
    item = share(world.leader, world.network, kind="challenge", audience="network")
    response = as_other.post(
        f"/n/northwind/challenges/{item.pk}/offers/", {"offer": "Our lab"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and 'id="offers"' in response.content.decode()
    offer = Offer.objects.get()
    response = as_leader.post(
        f"/n/northwind/challenges/{item.pk}/offers/{offer.pk}/accept/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert Offer.objects.get().status == "accepted"
    response = as_other.post(
        f"/n/northwind/items/{item.pk}/comments/", {"body": "Thanks"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Thanks" in response.content.decode()
    assert Comment.objects.count() == 1


def test_another_organization_sees_only_its_own_offers(world, as_other):
    from ..conftest import add_colleague, admit, make_org_leader

    item = share(world.leader, world.network, kind="challenge", audience="network")
    rival = make_org_leader("ri@rival.test", "Ri Rival", "Rival Inc")
    admit(world.network, rival, world.leader)
    services.offer_create(actor=rival, item=item, offer="Rival secret offer")
    page = as_other.get(f"/n/northwind/challenges/{item.pk}/").content.decode()
    assert "Rival secret offer" not in page
    assert add_colleague


def test_commenting_on_an_invisible_item_is_404(world, as_other):
    item = share(world.leader, world.network, audience="organization")
    response = as_other.post(f"/n/northwind/items/{item.pk}/comments/", {"body": "Hi"})
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_change_the_audience_in_the_page(world, as_leader, as_other):
    item = share(world.leader, world.network, audience="network")
    assert as_other.get(f"/n/northwind/posts/{item.pk}/").status_code == 200
    page = as_leader.get(f"/n/northwind/items/{item.pk}/audience/")
    assert page.status_code == 200
    response = as_leader.post(
        f"/n/northwind/items/{item.pk}/audience/", {"audience": "organization", "level": "open"}
    )
    assert response.status_code == 302
    assert as_other.get(f"/n/northwind/posts/{item.pk}/").status_code == 404
    assert as_other.get(f"/n/northwind/items/{item.pk}/audience/").status_code == 404


def test_nda_page_propose_accept_withdraw(world, as_leader):
    assert as_leader.get("/n/northwind/ndas/").status_code == 200
    response = as_leader.post(
        "/n/northwind/ndas/", {"counterparty": world.beta.pk, "title": "Mutual", "text": "Keep it"}
    )
    assert response.status_code == 302
    nda = Nda.objects.get()
    as_beta = login(world.other_leader)
    assert "Mutual" in as_beta.get("/n/northwind/ndas/").content.decode()
    as_beta.post(f"/n/northwind/ndas/{nda.pk}/accept/")
    assert Nda.objects.get().status == "accepted"
    as_leader.post(f"/n/northwind/ndas/{nda.pk}/withdraw/")
    assert Nda.objects.get().status == "withdrawn"
    assert as_leader.post(f"/n/northwind/ndas/{nda.pk}/explode/").status_code == 404
    outsider = login(world.outsider)
    assert outsider.post(f"/n/northwind/ndas/{nda.pk}/accept/").status_code in (403, 404)


def test_network_nda_accept_in_the_page(world):
    network_nda(world.network)
    as_beta = login(world.other_leader)
    as_beta.post("/n/northwind/ndas/network/accept/")
    assert world.beta.agreement_acceptances.filter(agreement__kind="nda").exists()


@pytest.mark.parametrize(
    "url",
    [
        "/n/northwind/challenges/",
        "/n/northwind/posts/",
        "/n/northwind/documents/",
        "/n/northwind/ndas/",
    ],
)
def test_pages_need_a_sign_in(client, world, url):
    assert client.get(url).status_code == 302


def test_network_nda_poll_from_the_page(world, as_leader):
    from consortia.decisions.models import Poll

    page = as_leader.get("/n/northwind/ndas/").content.decode()
    assert "opens a poll" in page
    response = as_leader.post(
        "/n/northwind/ndas/network/propose/",
        {
            "title": "Alliance NDA",
            "text": "Confidential stays here.",
            "closes_at": "2099-01-01T10:00",
        },
    )
    assert response.status_code == 302
    assert Poll.objects.get().action == "adopt_nda"
    bad = as_leader.post("/n/northwind/ndas/network/propose/", {"title": ""})
    # The page again, with each error next to its field (issue 11).
    assert bad.status_code == 422 and Poll.objects.count() == 1


def test_edit_an_item_in_the_page(world, as_leader, as_other):
    item = share(world.leader, world.network, audience="network")
    assert as_leader.get(f"/n/northwind/items/{item.pk}/edit/").status_code == 200
    response = as_leader.post(
        f"/n/northwind/items/{item.pk}/edit/",
        {"title": "Better title", "body": "New <script>x</script>", "tags": "A, b"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Better title" and item.tags == "a,b" and "<script" not in item.body_html
    assert as_other.get(f"/n/northwind/items/{item.pk}/edit/").status_code == 403
    hidden = share(world.leader, world.network, audience="organization")
    assert as_other.get(f"/n/northwind/items/{hidden.pk}/edit/").status_code == 404
