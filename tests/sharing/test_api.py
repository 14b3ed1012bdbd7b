"""The sharing API: the same rules as the pages; invisible or forged ids are 404, bad input 422."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from consortia.sharing.models import Comment, Item, Nda, Offer

from .conftest import PDF, network_nda, share

BASE = "/api/v1/networks/northwind"


def post_json(client, url, data, method="post"):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def test_it_creates_and_lists_items(world, as_leader, as_other):
    response = post_json(
        as_leader,
        f"{BASE}/items",
        {
            "kind": "challenge",
            "title": "Castings",
            "body": "We need *help*",
            "audience": "network",
            "tags": ["Metal"],
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["tags"] == ["metal"] and data["partners"] == []
    listed = as_other.get(f"{BASE}/items?kind=challenge").json()
    assert [row["id"] for row in listed["items"]] == [data["id"]]
    detail = as_other.get(f"{BASE}/items/{data['id']}").json()
    assert detail["partners"] is None  # only the owner sees whom it named


def test_invisible_and_forged_ids_are_404(world, as_other):
    hidden = share(world.leader, world.network, audience="organization")
    assert as_other.get(f"{BASE}/items/{hidden.pk}").status_code == 404
    assert as_other.get(f"{BASE}/items/999999").status_code == 404
    assert as_other.get(f"/api/v1/networks/nowhere/items/{hidden.pk}").status_code == 404
    assert (
        post_json(as_other, f"{BASE}/items/{hidden.pk}/comments", {"body": "x"}).status_code == 404
    )
    assert not Comment.objects.exists()


def test_bad_input_is_422_and_changes_nothing(world, as_leader):
    cases = [
        {"kind": "post", "title": "", "audience": "network"},
        {"kind": "post", "title": "x", "audience": "everyone"},
        {"kind": "post", "title": "x", "audience": "partners", "partners": [world.delta.pk]},
        {"kind": "post", "title": "x", "audience": "network", "surprise": 1},
        {"kind": "post", "title": "x", "audience": "initiative", "initiative": 12345},
    ]
    for payload in cases:
        response = post_json(as_leader, f"{BASE}/items", payload)
        assert response.status_code == 422, (payload, response.content)
    assert not Item.objects.exists()


def test_narrowing_through_the_api(world, as_leader, as_other):
    item = share(world.leader, world.network, audience="network")
    response = post_json(
        as_leader,
        f"{BASE}/items/{item.pk}/audience",
        {"audience": "partners", "partners": [world.beta.pk], "level": "confidential"},
        method="put",
    )
    assert response.status_code == 200, response.content
    assert as_other.get(f"{BASE}/items/{item.pk}").status_code == 404
    assert (
        post_json(
            as_other, f"{BASE}/items/{item.pk}/audience", {"audience": "network"}, "put"
        ).status_code
        == 404
    )


def test_documents_upload_versions_and_download(world, as_leader, as_other, as_outsider):
    response = as_leader.post(
        f"{BASE}/documents",
        {
            "title": "Plan",
            "audience": "network",
            "file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 201, response.content
    item_id = response.json()["id"]
    response = as_leader.post(
        f"{BASE}/items/{item_id}/versions",
        {"file": SimpleUploadedFile("plan.txt", b"text version", content_type="text/plain")},
    )
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2
    versions = as_other.get(f"{BASE}/items/{item_id}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    latest = as_other.get(f"{BASE}/items/{item_id}/file")
    assert b"".join(latest.streaming_content) == b"text version"
    first = as_other.get(f"{BASE}/items/{item_id}/versions/1/file")
    assert b"".join(first.streaming_content) == PDF
    assert as_outsider.get(f"{BASE}/items/{item_id}/file").status_code == 404
    disguised = as_leader.post(
        f"{BASE}/items/{item_id}/versions",
        {"file": SimpleUploadedFile("x.png", b"GIF89a", content_type="image/png")},
    )
    assert disguised.status_code == 422


def test_offers_resolve_and_convert(world, as_leader, as_other):
    item = share(world.leader, world.network, kind="challenge", audience="network")
    response = post_json(as_other, f"{BASE}/items/{item.pk}/offers", {"offer": "We can"})
    assert response.status_code == 201, response.content
    offer_id = response.json()["id"]
    assert as_other.post(f"{BASE}/items/{item.pk}/offers/{offer_id}/accept").status_code == 403
    assert as_leader.post(f"{BASE}/items/{item.pk}/offers/{offer_id}/accept").status_code == 200
    assert Offer.objects.get().status == "accepted"
    response = post_json(
        as_leader,
        f"{BASE}/items/{item.pk}/convert",
        {"starts_on": "2026-01-01", "ends_on": "2026-06-30"},
    )
    assert response.status_code == 201, response.content
    other = share(world.leader, world.network, kind="challenge", audience="network")
    response = post_json(as_leader, f"{BASE}/items/{other.pk}/resolve", {"outcome": "Done"})
    assert response.json()["status"] == "resolved"


def test_ndas_and_network_nda(world, as_leader):
    from ..conftest import login

    response = post_json(
        as_leader, f"{BASE}/ndas", {"counterparty": world.beta.pk, "title": "M", "text": "T"}
    )
    assert response.status_code == 201, response.content
    nda_id = response.json()["id"]
    as_beta = login(world.other_leader)
    assert as_beta.post(f"{BASE}/ndas/{nda_id}/accept").status_code == 200
    assert Nda.objects.get().status == "accepted"
    assert as_beta.get(f"{BASE}/ndas").json()["count"] == 1
    assert login(world.outsider).post(f"{BASE}/ndas/{nda_id}/withdraw").status_code in (403, 404)
    assert (
        post_json(
            as_leader, f"{BASE}/ndas", {"counterparty": world.delta.pk, "title": "M", "text": "T"}
        ).status_code
        == 422
    )
    assert as_beta.post(f"{BASE}/nda/accept").status_code == 422  # no network NDA yet
    network_nda(world.network)
    assert as_beta.post(f"{BASE}/nda/accept").json()["accepted"] is True


def test_access_log(world, as_leader, as_member, as_other):
    item = share(world.leader, world.network, audience="network", level="restricted")
    as_member.get(f"{BASE}/items/{item.pk}")
    rows = as_leader.get(f"{BASE}/access-log").json()
    assert rows["count"] == 1 and rows["items"][0]["item_id"] == item.pk
    assert as_other.get(f"{BASE}/access-log").json()["count"] == 0


def test_anonymous_is_401(client, world):
    assert client.get(f"{BASE}/items").status_code == 401


def test_the_openapi_document_describes_the_uploads(client):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    assert "/api/v1/networks/{slug}/documents" in document.json()["paths"]
