"""The webhook API: team leaders of the owning organization only; others 404 (or 403 for its
own members); bad input 422 with the field; query counts flat."""

import pytest

from consortia.integrations.models import Endpoint, Message
from tests.api.conftest import field_errors

BASE = "/webhooks/endpoints"


def create(client, **fields):
    body = {"network": "northwind", "url": "https://hooks.example.org/in", "event_types": ["*"]}
    body.update(fields)
    return client.post(BASE, body)


def test_it_registers_an_endpoint_and_shows_the_secret_once(api):
    response = create(api.leader, event_types=["poll.*", "request.sent"])
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["secret"].startswith("whsec_")
    assert data["event_types"] == ["poll.*", "request.sent"]
    again = api.leader.get(f"{BASE}/{data['id']}")
    assert again.status_code == 200
    assert "secret" not in again.json()
    listed = api.leader.get(BASE).json()
    assert [row["id"] for row in listed["items"]] == [data["id"]]
    assert "secret" not in listed["items"][0]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"url": "ftp://hooks.example.org/"}, "url", "http"),
        ({"url": "not a url"}, "url", "http"),
        ({"url": "http://127.0.0.1:8000/hook"}, "url", "loopback"),
        ({"url": "http://localhost/hook"}, "url", "loopback"),
        ({"url": "http://10.0.0.5/hook"}, "url", "private"),
        ({"url": "http://169.254.169.254/latest/meta-data"}, "url", "metadata"),
        ({"url": "http://[::1]/hook"}, "url", "loopback"),
        ({"url": "https://user:pw@hooks.example.org/"}, "url", "password"),
        ({"event_types": ["poll.exploded"]}, "event_types", "not an event type"),
        ({"event_types": ["nothing.*"]}, "event_types", "no group"),
        ({"event_types": ["DROP TABLE"]}, "event_types", "not an event type"),
        ({"event_types": []}, "event_types", "at least one"),
    ],
)
def test_it_refuses_bad_input_next_to_the_field(api, fields, field, words):
    response = create(api.leader, **fields)
    errors = field_errors(response)
    assert words in errors[field].lower(), errors
    assert not Endpoint.objects.exists()


def test_an_unknown_or_foreign_network_is_404(api):
    assert create(api.leader, network="nowhere").status_code == 404
    assert create(api.outsider, network="northwind").status_code == 404  # not a member
    assert create(api.applicant, network="northwind").status_code == 404  # not active yet


def test_members_who_are_not_team_leaders_may_not(api):
    response = create(api.member)
    assert response.status_code == 403
    assert "team leader" in response.json()["detail"]


def test_another_organization_cannot_see_or_touch_an_endpoint(api, world):
    endpoint_id = create(api.leader).json()["id"]
    message_id = api.leader.post(f"{BASE}/{endpoint_id}/test").json()["id"]
    for client in (api.other_leader, api.outsider, api.applicant):
        assert client.get(f"{BASE}/{endpoint_id}").status_code == 404
        assert client.patch(f"{BASE}/{endpoint_id}", {"enabled": False}).status_code == 404
        assert client.delete(f"{BASE}/{endpoint_id}").status_code == 404
        assert client.post(f"{BASE}/{endpoint_id}/rotate-secret").status_code == 404
        assert client.post(f"{BASE}/{endpoint_id}/test").status_code == 404
        assert client.get(f"{BASE}/{endpoint_id}/messages").status_code == 404
        assert client.get(f"{BASE}/{endpoint_id}/messages/{message_id}").status_code == 404
        url = f"{BASE}/{endpoint_id}/messages/{message_id}"
        assert client.get(f"{url}/attempts").status_code == 404
        assert client.post(f"{url}/resend").status_code == 404
        assert client.get(BASE).status_code in (200, 403)
        if client.get(BASE).status_code == 200:
            assert client.get(BASE).json()["items"] == []
    assert api.anonymous.get(f"{BASE}/{endpoint_id}").status_code == 401
    assert Endpoint.objects.get().enabled


def test_it_changes_rotates_tests_resends_and_deletes(api):
    created = create(api.leader).json()
    url = f"{BASE}/{created['id']}"
    changed = api.leader.patch(url, {"enabled": False, "description": "CRM"})
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    assert api.leader.post(f"{url}/test").status_code == 422  # disabled
    assert api.leader.patch(url, {"enabled": True}).json()["disabled_reason"] == ""
    rotated = api.leader.post(f"{url}/rotate-secret").json()
    assert rotated["secret"] != created["secret"]
    assert rotated["previous_secret_expires_at"]
    queued = api.leader.post(f"{url}/test")
    assert queued.status_code == 202 and queued.json()["event_type"] == "webhook.test"
    message_url = f"{url}/messages/{queued.json()['id']}"
    assert api.leader.post(f"{message_url}/resend").status_code == 422  # already waiting
    Message.objects.update(status="failed")
    assert api.leader.post(f"{message_url}/resend").json()["status"] == "pending"
    detail = api.leader.get(message_url).json()
    assert detail["webhook_id"].startswith("msg_") and detail["attempt_log"] == []
    assert api.leader.get(f"{url}/messages", status="pending").json()["count"] == 1
    assert api.leader.get(f"{url}/messages", status="bogus").status_code == 422
    bad = api.leader.patch(url, {"url": "http://192.168.0.10/"})
    assert "private" in field_errors(bad)["url"]
    assert api.leader.delete(url).status_code == 204
    assert not Endpoint.objects.exists()


def test_the_event_type_catalog_is_listed(api):
    groups = api.member.get("/webhooks/event-types").json()
    assert {"group": "poll"}.items() <= next(g for g in groups if g["group"] == "poll").items()
    assert "poll.closed" in next(g for g in groups if g["group"] == "poll")["types"]


def test_lists_do_not_grow_in_queries(api, world, django_assert_num_queries):
    endpoint_id = create(api.leader).json()["id"]
    # token with person and organization; count; rows
    with django_assert_num_queries(3):
        assert api.leader.get(BASE).status_code == 200
    # token; endpoint; count; rows
    with django_assert_num_queries(4):
        assert api.leader.get(f"{BASE}/{endpoint_id}/messages").status_code == 200
    for _ in range(5):
        create(api.leader)
        api.leader.post(f"{BASE}/{endpoint_id}/test")
    with django_assert_num_queries(3):
        assert api.leader.get(BASE).status_code == 200
    with django_assert_num_queries(4):
        assert api.leader.get(f"{BASE}/{endpoint_id}/messages").status_code == 200
