"""GET /me and the personal access tokens: /tokens."""

from consortia.core import services
from consortia.core.models import ApiToken, hash_token
from tests.api.conftest import ApiClient, field_errors, token_for
from tests.conftest import make_person


def test_me_describes_the_person_and_their_organization(api, world):
    response = api.member.get("/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": world.member.pk,
        "email": "max@acme.test",
        "name": "Max Member",
        "organization": {"slug": "acme-labs", "name": "Acme Labs"},
        "role": "member",
        "department": "Engineering",
        "is_team_leader": False,
    }


def test_me_works_for_someone_without_an_organization(world):
    person = make_person("new@nowhere.test", "New Person")
    body = ApiClient(token_for(person)).get("/me").json()
    assert body["organization"] is None
    assert body["role"] is None
    assert body["is_team_leader"] is False


def test_it_creates_a_token_and_shows_it_once(api, world):
    response = api.leader.post("/tokens", {"name": "CI import"})
    assert response.status_code == 201
    body = response.json()
    raw = body["token"]
    assert raw.startswith("cns_")
    assert body["hint"] == raw[:10]
    assert body["active"] is True
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.digest == hash_token(raw)
    assert raw not in {stored.name, stored.hint, stored.digest}
    # The new token works, and listing never shows it again.
    assert ApiClient(raw).get("/me").json()["email"] == world.leader.email
    listed = api.leader.get("/tokens").json()
    assert all("token" not in item for item in listed["items"])
    assert raw not in str(listed)


def test_it_refuses_a_bad_token_name_and_creates_nothing(api, world):
    before = ApiToken.objects.count()
    assert "name" in field_errors(api.leader.post("/tokens", {"name": ""}))
    assert "name" in field_errors(api.leader.post("/tokens", {"name": "x" * 101}))
    assert "name" in field_errors(api.leader.post("/tokens", {"name": "nul\x00byte"}))
    assert "name" in field_errors(api.leader.post("/tokens", {"name": "   "}))  # by the service
    assert "name" in field_errors(api.leader.post("/tokens", {}))
    assert ApiToken.objects.count() == before


def test_it_lists_only_my_tokens(api, world):
    services.api_token_create(actor=world.other_leader, name="Beta's secret")
    body = api.leader.get("/tokens").json()
    assert body["count"] == 1
    assert [item["name"] for item in body["items"]] == ["tests"]


def test_it_revokes_my_token(api, world):
    token, raw = services.api_token_create(actor=world.leader, name="to revoke")
    response = api.leader.delete(f"/tokens/{token.pk}")
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert ApiClient(raw).get("/me").status_code == 401
    # Revoking twice is harmless.
    assert api.leader.delete(f"/tokens/{token.pk}").status_code == 200


def test_it_hides_other_peoples_tokens(api, world):
    token, raw = services.api_token_create(actor=world.other_leader, name="not yours")
    assert api.leader.delete(f"/tokens/{token.pk}").status_code == 404
    assert ApiClient(raw).get("/me").status_code == 200


def test_it_refuses_impossible_token_ids(api):
    assert api.leader.delete("/tokens/0").status_code == 422
    assert api.leader.delete(f"/tokens/{2**64}").status_code == 422
    assert api.leader.delete("/tokens/abc").status_code == 422


def test_token_list_queries_do_not_grow(api, world, django_assert_num_queries):
    for n in range(3):
        services.api_token_create(actor=world.leader, name=f"t{n}")
    api.leader.get("/me")  # records last use, so the calls below make no UPDATE

    def count():
        # token lookup, COUNT(*) of tokens, the page of tokens
        with django_assert_num_queries(3):
            assert api.leader.get("/tokens").status_code == 200

    count()
    for n in range(5):
        services.api_token_create(actor=world.leader, name=f"more {n}")
    count()
