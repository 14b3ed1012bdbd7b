"""Export: a team leader downloads everything the organization authored, as a zip."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from consortia.networks import services as network_services
from consortia.sharing import export, services
from tests.conftest import fresh, login
from tests.sharing.reach_helpers import comment, share


@pytest.fixture(autouse=True)
def _media(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def unzip(content: bytes) -> dict:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {
        name: (json.loads(archive.read(name)) if name.endswith(".json") else archive.read(name))
        for name in archive.namelist()
    }


def download(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/zip"
    return unzip(b"".join(response.streaming_content))


def test_export_holds_own_items_files_and_own_words_only(world):
    own = share(
        world.leader,
        world.network,
        title="Our challenge",
        kind="challenge",
        body="We need help",
        audience="partners",
        partners=[world.beta.pk],
    )
    share(world.leader, world.network, title="Our spec", kind="document", file_text="spec v1")
    theirs = share(world.other_leader, world.network, title="Their secret plan")
    comment(world.other_leader, own, "Beta comments on Acme's challenge")
    comment(world.leader, theirs, "Acme comments on Beta's post")
    services.offer_create(actor=fresh(world.other_leader), item=own, offer="Our lab")
    files = download(
        login(world.leader), reverse("sharing_export", args=[world.network.slug]) + "?download=1"
    )
    assert {row["title"] for row in files["items.json"]} == {"Our challenge", "Our spec"}
    assert files["manifest.json"]["counts"]["items"] == 2
    comments = {row["body"]: row for row in files["comments.json"]}
    assert set(comments) == {"Beta comments on Acme's challenge", "Acme comments on Beta's post"}
    assert comments["Acme comments on Beta's post"]["on_own_item"] is False
    assert [row["offer"] for row in files["offers.json"]] == ["Our lab"]
    (spec,) = [row for row in files["items.json"] if row["kind"] == "document"]
    assert files[spec["versions"][0]["path"]] == b"spec v1"
    dump = json.dumps(files["items.json"]) + json.dumps(files["comments.json"])
    assert "Their secret plan" not in dump


def test_export_rules(world):
    url = reverse("sharing_export", args=[world.network.slug])
    assert login(world.member).get(url).status_code == 403  # not a team leader
    assert login(world.outsider).get(url).status_code == 404  # never took part
    assert login(world.applicant).get(url).status_code == 404  # not admitted yet
    assert login(world.leader).get(url).status_code == 200  # the page
    assert b"Download the export" in login(world.leader).get(url).content
    assert login(world.leader).get("/n/nope/export/").status_code == 404


def test_export_after_leaving_and_via_api(world):
    share(
        world.other_leader,
        world.network,
        title="Beta shares this",
        audience="partners",
        partners=[world.acme.pk],
    )
    network_services.network_leave(actor=fresh(world.other_leader), network=world.network)
    client = login(world.other_leader)
    files = download(client, f"/api/v1/networks/{world.network.slug}/export")
    assert [row["title"] for row in files["items.json"]] == ["Beta shares this"]
    assert files["items.json"][0]["partners"][0]["name"] == "Acme Labs"
    assert (
        login(world.other_member).get(f"/api/v1/networks/{world.network.slug}/export").status_code
        == 403
    )


def test_export_query_count_is_flat(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            export.collect(world.network, world.acme)
        return len(captured)

    item = share(
        world.leader,
        world.network,
        title="One",
        kind="challenge",
        body="b",
        audience="partners",
        partners=[world.beta.pk],
    )
    comment(world.other_leader, item, "c")
    small = count()
    for n in range(10):
        item = share(
            world.leader,
            world.network,
            title=f"More {n}",
            kind="challenge",
            body="b",
            audience="partners",
            partners=[world.beta.pk],
        )
        comment(world.other_leader, item, "c")
    assert count() == small


def test_leave_page_links_to_export(world):
    body = login(world.leader).get(reverse("network_leave", args=[world.network.slug])).content
    assert reverse("sharing_export", args=[world.network.slug]).encode() in body
