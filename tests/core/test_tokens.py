"""The API tokens page: create (shown once), list (hints only), revoke."""

from django.test import Client
from django.urls import reverse

from consortia.core import services
from consortia.core.models import ApiToken, hash_token
from tests.conftest import login

URL = "/settings/tokens/"


def create(client: Client, name: str):
    return client.post(URL, {"name": name})


def test_it_is_at_settings_tokens():
    assert reverse("tokens") == URL


def test_anonymous_visitors_are_sent_to_sign_in(db):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = Client().post(reverse("token_revoke", args=[1]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_creates_a_token_and_shows_it_only_once(world):
    client = login(world.leader)
    response = create(client, "Metrics import")
    assert response.status_code == 200
    raw = response.context["raw_token"]
    assert raw.startswith("cns_")
    page = response.content.decode()
    assert raw in page
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(person=world.leader)
    assert token.name == "Metrics import"

    listing = client.get(URL)
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Metrics import" in page
    assert f"{token.hint}…" in page
    assert raw not in page


def test_tokens_are_stored_hashed(world):
    raw = create(login(world.leader), "CI").context["raw_token"]
    token = ApiToken.objects.get(person=world.leader)
    assert token.digest == hash_token(raw)
    stored = ApiToken.objects.filter(person=world.leader).values().get()
    assert raw not in str(stored)
    assert not ApiToken.objects.filter(digest=raw).exists()


def test_the_created_token_works_with_the_api(world):
    raw = create(login(world.member), "CLI").context["raw_token"]
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.json()["email"] == world.member.email


def test_it_refuses_a_bad_name_and_creates_nothing(world):
    client = login(world.leader)
    for name in ["", "   ", "x" * 101, "nul\x00"]:
        response = create(client, name)
        assert response.status_code == 422
        assert response.context["form"].errors
        assert response.context["raw_token"] is None
    assert not ApiToken.objects.exists()


def test_it_lists_only_my_tokens(world):
    services.api_token_create(actor=world.other_leader, name="Beta pipeline")
    services.api_token_create(actor=world.leader, name="Acme pipeline")
    page = login(world.leader).get(URL).content.decode()
    assert "Acme pipeline" in page
    assert "Beta pipeline" not in page


def test_it_revokes_my_token(world):
    token, raw = services.api_token_create(actor=world.leader, name="Old script")
    client = login(world.leader)
    response = client.post(reverse("token_revoke", args=[token.pk]), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "no longer works" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert "Revoked" in client.get(URL).content.decode()


def test_another_persons_token_cannot_be_revoked(world):
    token, _raw = services.api_token_create(actor=world.other_leader, name="Not yours")
    response = login(world.leader).post(reverse("token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_needs_a_post(world):
    token, _raw = services.api_token_create(actor=world.leader, name="Keep")
    assert login(world.leader).get(reverse("token_revoke", args=[token.pk])).status_code == 405


def test_the_page_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.leader)
    assert create(client, "Sneaky").status_code == 403
    assert not ApiToken.objects.exists()
