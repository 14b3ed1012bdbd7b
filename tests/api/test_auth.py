"""Authentication of every operation: tokens, the browser session with CSRF, and the 401s."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from consortia.api import api
from consortia.core import services
from consortia.core.models import ApiToken, hash_token
from tests.api.conftest import API, ApiClient, token_for

PLACEHOLDERS = {"slug": "northwind", "membership_id": "1", "invitation_id": "1", "token_id": "1"}


def all_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation in the OpenAPI document, with placeholder params."""
    operations = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method in methods:
            concrete = path
            for name, value in PLACEHOLDERS.items():
                concrete = concrete.replace("{" + name + "}", value)
            operations.append((method.upper(), concrete))
    return sorted(operations)


OPERATIONS = all_operations()
UNSAFE = [(m, p) for m, p in OPERATIONS if m not in {"GET", "HEAD", "OPTIONS"}]


def call(client: Client, method: str, path: str, **headers):
    return client.generic(method, path, "{}", content_type="application/json", headers=headers)


FOUNDATION = {
    "get_me", "list_tokens", "create_token", "revoke_token",
    "list_organizations", "create_organization", "get_organization", "update_organization",
    "list_organization_people", "update_organization_person", "invite_colleague",
    "list_networks", "create_network", "get_network", "list_network_members",
    "list_pending_admissions", "list_network_activity", "get_charter", "accept_charter",
    "apply_to_network", "invite_organization", "decide_admission", "leave_network",
    "list_invitations", "accept_invitation", "decline_invitation", "revoke_invitation",
}  # fmt: skip


def test_it_documents_every_operation_of_the_foundation():
    ids = {
        operation["operationId"]
        for methods in api.get_openapi_schema()["paths"].values()
        for operation in methods.values()
    }
    assert ids >= FOUNDATION


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_it_answers_401_to_anonymous_callers(db, method, path):
    response = call(Client(), method, path)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_it_answers_401_to_a_revoked_token(world, method, path):
    token, raw = services.api_token_create(actor=world.leader, name="old")
    services.api_token_revoke(actor=world.leader, token=token)
    response = call(Client(), method, path, Authorization=f"Bearer {raw}")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


@pytest.mark.parametrize(("method", "path"), UNSAFE)
def test_it_refuses_a_session_write_without_csrf_token(world, method, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.leader)
    response = call(client, method, path)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


@pytest.mark.parametrize(("method", "path"), UNSAFE)
def test_it_needs_no_csrf_token_with_an_api_token(world, method, path):
    client = Client(enforce_csrf_checks=True)
    response = call(client, method, path, Authorization=f"Bearer {token_for(world.leader)}")
    assert response.status_code != 401
    assert "CSRF" not in response.content.decode()


def test_it_accepts_a_session_write_with_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.leader)
    client.get("/settings/tokens/")  # sets the csrftoken cookie, as any page does
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        f"{API}/tokens",
        {"name": "from the browser"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 201


def test_it_reads_with_the_session_without_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member)
    response = client.get(f"{API}/me")
    assert response.status_code == 200
    assert response.json()["email"] == world.member.email


def test_it_authenticates_with_a_bearer_token(world):
    response = ApiClient(token_for(world.other_member)).get("/me")
    assert response.status_code == 200
    assert response.json()["name"] == "Cy Colleague"


@pytest.mark.parametrize(
    "header",
    ["Bearer cns_not-a-real-token", "Bearer ", "bearer x\x7f", "Bearer " + "x" * 5000],
)
def test_it_answers_401_to_unknown_tokens(world, header):
    response = call(Client(), "GET", f"{API}/me", Authorization=header)
    assert response.status_code == 401


def test_a_bad_token_is_not_rescued_by_the_session(world):
    client = Client()
    client.force_login(world.leader)
    response = call(client, "GET", f"{API}/me", Authorization="Bearer cns_wrong")
    assert response.status_code == 401


def test_it_answers_401_when_the_person_is_deactivated(world):
    raw = token_for(world.member)
    world.member.is_active = False
    world.member.save(update_fields=["is_active"])
    assert ApiClient(raw).get("/me").status_code == 401


def test_it_records_the_last_use_at_most_once_a_minute(world, django_assert_num_queries):
    raw = token_for(world.leader)
    client = ApiClient(raw)
    token = ApiToken.objects.get(digest=hash_token(raw))
    assert token.last_used_at is None

    client.get("/me")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    # Within the minute: the token lookup only, no UPDATE.
    with django_assert_num_queries(1):
        client.get("/me")
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/me")
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=1)
    assert token.last_used_at <= timezone.now()


def test_the_openapi_document_and_docs_are_public(db):
    client = Client()
    document = client.get(f"{API}/openapi.json")
    assert document.status_code == 200
    schemes = document.json()["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal access token created under Settings → API tokens.",
    }
    assert schemes["SessionAuth"]["in"] == "cookie"
    assert client.get(f"{API}/docs").status_code == 200


def test_every_operation_has_an_id_a_tag_a_summary_and_a_description(db):
    ids = set()
    for methods in api.get_openapi_schema()["paths"].values():
        for operation in methods.values():
            assert operation["tags"] and operation["summary"] and operation["description"]
            assert operation["operationId"] not in ids
            ids.add(operation["operationId"])
