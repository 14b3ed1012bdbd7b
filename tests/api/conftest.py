"""API test helpers: a JSON client that authenticates as a persona with a personal token."""

import json

import pytest
from django.test import Client

from consortia.core import services
from consortia.networks.models import Person

API = "/api/v1"


class ApiClient:
    """Calls the API as one person with `Authorization: Bearer <token>`."""

    def __init__(self, token: str | None = None, client: Client | None = None):
        self.token = token
        self.client = client or Client()

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params):
        return self.client.get(API + path, params, headers=self._headers())

    def _send(self, method: str, path: str, body):
        data = body if isinstance(body, str) else json.dumps(body)
        return getattr(self.client, method)(
            API + path, data, content_type="application/json", headers=self._headers()
        )

    def post(self, path: str, body=None):
        return self._send("post", path, {} if body is None else body)

    def patch(self, path: str, body=None):
        return self._send("patch", path, {} if body is None else body)

    def delete(self, path: str):
        return self.client.delete(API + path, headers=self._headers())


def token_for(person: Person, name: str = "tests") -> str:
    _token, raw = services.api_token_create(actor=person, name=name)
    return raw


def api_as(person: Person) -> ApiClient:
    return ApiClient(token_for(person))


def field_errors(response) -> dict[str, str]:
    """{field: message} from a 422; errors about the whole request under "__all__"."""
    assert response.status_code == 422, response.content
    errors = {}
    for item in response.json()["detail"]:
        assert set(item) >= {"loc", "msg", "type"}
        key = item["loc"][-1] if item["loc"] else "__all__"
        errors[str(key)] = item["msg"]
    return errors


@pytest.fixture
def api(world):
    """Clients for every persona of the world, plus `api.anonymous`."""

    class Clients:
        leader = api_as(world.leader)
        member = api_as(world.member)
        other_leader = api_as(world.other_leader)
        other_member = api_as(world.other_member)
        applicant = api_as(world.applicant)
        outsider = api_as(world.outsider)
        anonymous = ApiClient()

    return Clients
