"""The integrations pages (My organization → Integrations): team leaders only."""

from consortia.integrations.models import Endpoint, Message

HOME = "/organization/integrations/"


def post_endpoint(client, **fields):
    data = {"network": "northwind", "url": "https://hooks.example.org/in", "groups": ["poll.*"]}
    data["enabled"] = "on"
    data.update(fields)
    return client.post(HOME, data)


def test_a_team_leader_registers_an_endpoint_and_sees_the_secret_once(as_leader):
    response = post_endpoint(as_leader, specific="request.sent", enabled="on")
    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.event_types == ["poll.*", "request.sent"]
    page = as_leader.get(response["Location"]).content.decode()
    assert "whsec_" in page and "shown only this once" in page
    again = as_leader.get(response["Location"]).content.decode()
    assert "whsec_" not in again
    assert "https://hooks.example.org/in" in as_leader.get(HOME).content.decode()


def test_bad_input_is_shown_next_to_the_field(as_leader):
    for fields, words in [
        ({"url": "http://127.0.0.1/"}, "loopback"),
        ({"url": "javascript:alert(1)"}, "http"),
        ({"groups": [], "specific": "poll.exploded"}, "not an event type"),
        ({"groups": [], "specific": ""}, "at least one"),
        ({"network": "nowhere"}, "valid choice"),
    ]:
        response = post_endpoint(as_leader, **fields)
        assert response.status_code == 422, fields
        assert words in response.content.decode().lower(), fields
    assert not Endpoint.objects.exists()


def test_members_and_outsiders_cannot_manage_endpoints(world, as_leader, as_member, as_other):
    post_endpoint(as_leader)
    endpoint = Endpoint.objects.get()
    assert as_member.get(HOME).status_code == 403
    assert as_member.get(f"{HOME}{endpoint.pk}/").status_code == 403
    for path in ("", "test/", "rotate/", "delete/"):
        assert as_other.post(f"{HOME}{endpoint.pk}/{path}").status_code == 404, path
        assert as_other.get(f"{HOME}{endpoint.pk}/").status_code == 404
    message = Message.objects.create(endpoint=endpoint, event_type="webhook.test", status="failed")
    url = f"{HOME}{endpoint.pk}/messages/{message.pk}/resend/"
    assert as_other.post(url).status_code == 404
    assert Endpoint.objects.get().enabled


def test_actions_test_rotate_resend_delete(as_leader):
    post_endpoint(as_leader)
    endpoint = Endpoint.objects.get()
    base = f"{HOME}{endpoint.pk}/"
    assert as_leader.post(base + "test/").status_code == 302
    message = Message.objects.get()
    old = endpoint.secret_ciphertext
    as_leader.post(base + "rotate/")
    endpoint.refresh_from_db()
    assert endpoint.secret_ciphertext != old
    assert "whsec_" in as_leader.get(base).content.decode()
    Message.objects.update(status="failed")
    as_leader.post(f"{base}messages/{message.pk}/resend/")
    assert Message.objects.get().status == "pending"
    as_leader.post(base + "delete/")
    assert not Endpoint.objects.exists()


def test_the_endpoint_page_is_flat_in_queries(world, as_leader, django_assert_num_queries):
    post_endpoint(as_leader)
    endpoint = Endpoint.objects.get()
    url = f"{HOME}{endpoint.pk}/"
    as_leader.post(url + "test/")
    as_leader.get(url)  # the one-time secret is gone

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert as_leader.get(url).status_code == 200
        return len(queries)

    before = count()
    for _ in range(10):
        as_leader.post(url + "test/")
    assert count() == before
    # session, person, endpoint, messages page, attempts, session save
    with django_assert_num_queries(before):
        as_leader.get(url)


def test_my_organization_links_to_integrations_for_team_leaders(as_leader, as_member):
    assert HOME in as_leader.get("/organization/").content.decode()
    assert HOME not in as_member.get("/organization/").content.decode()
