"""Webhooks under the network's lock (a network that requires two-factor authentication).

A team leader without two-factor authentication may not see or touch an endpoint of that
network — pages, API and services answer 403 with the network's own sentence, and nothing
changes — as a token of theirs may not reach the network. An endpoint whose creator is locked
out of its network, or left the organization, is paused: no message is queued for it, the ones
it holds are not sent, its page and the API say why, and a team leader who may act in the
network resumes it (it then delivers for them). Outsiders still get 404.
"""

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied, ValidationError

from consortia.core.events import emit
from consortia.core.models import Audience
from consortia.integrations import delivery, net, services
from consortia.integrations.models import Endpoint, Message
from consortia.networks import services as network_services
from consortia.networks.models import Network
from tests.api.conftest import api_as
from tests.conftest import add_colleague, fresh, login

HOME = "/organization/integrations/"
API = "/webhooks/endpoints"
REASON = "Northwind Alliance requires two-factor authentication: until you turn it on"
EVENT = "network.admission_rule_changed"


def require_two_factor(network):
    Network.objects.filter(pk=network.pk).update(requires_two_factor=True)
    network.refresh_from_db()


def two_factor_on(person):
    Authenticator.objects.create(user=person, type="totp", data={"secret": "x"})


@pytest.fixture
def lin(world):
    """A second team leader of Acme, with two-factor authentication."""
    person = add_colleague(world.leader, "lin@acme.test", "Lin Secure", role="team_leader")
    two_factor_on(person)
    return fresh(person)


def endpoint_by(person, network, url="https://hooks.example.org/in"):
    endpoint, _secret = services.endpoint_create(
        actor=fresh(person), network=network, url=url, event_types=["*"]
    )
    return endpoint


def network_event(network):
    emit(actor=None, verb=EVENT, summary="rules", audience=Audience.NETWORK, network=network)


def queued(endpoint) -> int:
    return Message.objects.filter(endpoint=endpoint, event_type=EVENT).count()


def deliver() -> list[str]:
    sent = []

    def capture(url, body, headers, timeout):
        sent.append(url)
        return net.Answer(status_code=204)

    delivery.deliver_due(send=capture)
    return sent


def snapshot(endpoint) -> tuple:
    row = Endpoint.objects.get(pk=endpoint.pk)
    return (
        row.url,
        row.enabled,
        row.event_types,
        row.secret_ciphertext,
        row.created_by_id,
        Message.objects.filter(endpoint=endpoint).count(),
    )


# Who may manage the endpoints of a locked network ------------------------------------------


def test_a_locked_team_leader_gets_the_networks_reason_on_every_page_and_nothing_changes(
    world, lin
):
    endpoint = endpoint_by(lin, world.network)
    message = Message.objects.create(endpoint=endpoint, event_type="webhook.test", status="failed")
    require_two_factor(world.network)
    before = snapshot(endpoint)
    ada = login(world.leader)  # no two-factor authentication
    base = f"{HOME}{endpoint.pk}/"

    create = ada.post(
        HOME, {"network": "northwind", "url": "https://evil.example.org/", "groups": ["poll.*"]}
    )
    assert create.status_code == 403 and REASON in create.content.decode()
    assert Endpoint.objects.count() == 1
    answers = {
        "page": ada.get(base),
        "edit": ada.post(base, {"url": "https://evil.example.org/", "groups": ["poll.*"]}),
        "test": ada.post(base + "test/"),
        "rotate": ada.post(base + "rotate/"),
        "resume": ada.post(base + "resume/"),
        "resend": ada.post(f"{base}messages/{message.pk}/resend/"),
        "delete": ada.post(base + "delete/"),
    }
    for what, response in answers.items():
        assert response.status_code == 403, what
        assert REASON in response.content.decode(), what
    assert snapshot(endpoint) == before
    home = ada.get(HOME).content.decode()
    assert endpoint.url not in home  # the network's endpoints are not listed to her
    assert "Endpoints of Northwind Alliance are not shown" in home

    two_factor_on(world.leader)
    assert login(world.leader).get(base).status_code == 200


def test_a_locked_team_leaders_token_gets_403_with_the_reason_and_nothing_changes(world, lin):
    endpoint = endpoint_by(lin, world.network)
    message = Message.objects.create(endpoint=endpoint, event_type="webhook.test", status="failed")
    require_two_factor(world.network)
    before = snapshot(endpoint)
    ada = api_as(world.leader)
    one = f"{API}/{endpoint.pk}"

    answers = {
        "create": ada.post(
            API, {"network": "northwind", "url": "https://evil.example.org/", "event_types": ["*"]}
        ),
        "get": ada.get(one),
        "enable": ada.patch(one, {"enabled": False}),
        "edit": ada.patch(one, {"url": "https://evil.example.org/"}),
        "rotate": ada.post(f"{one}/rotate-secret"),
        "test": ada.post(f"{one}/test"),
        "resume": ada.post(f"{one}/resume"),
        "messages": ada.get(f"{one}/messages"),
        "resend": ada.post(f"{one}/messages/{message.pk}/resend"),
        "delete": ada.delete(one),
    }
    for what, response in answers.items():
        assert response.status_code == 403, (what, response.content)
        assert REASON in response.json()["detail"], what
    assert snapshot(endpoint) == before
    assert Endpoint.objects.count() == 1
    assert ada.get(API).json()["items"] == []


def test_the_services_refuse_a_locked_team_leader(world, lin):
    endpoint = endpoint_by(lin, world.network)
    require_two_factor(world.network)
    endpoint = Endpoint.objects.select_related("network").get(pk=endpoint.pk)
    ada = fresh(world.leader)
    before = snapshot(endpoint)
    calls = [
        lambda: services.endpoint_create(
            actor=ada, network=world.network, url="https://evil.example.org/", event_types=["*"]
        ),
        lambda: services.endpoint_update(actor=ada, endpoint=endpoint, enabled=False),
        lambda: services.endpoint_rotate_secret(actor=ada, endpoint=endpoint),
        lambda: services.endpoint_send_test(actor=ada, endpoint=endpoint),
        lambda: services.endpoint_resume(actor=ada, endpoint=endpoint),
        lambda: services.endpoint_delete(actor=ada, endpoint=endpoint),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match="requires two-factor authentication"):
            call()
    assert snapshot(endpoint) == before
    assert Endpoint.objects.count() == 1
    # With two-factor authentication she may act again.
    two_factor_on(world.leader)
    services.endpoint_update(actor=fresh(world.leader), endpoint=endpoint, enabled=False)
    assert not Endpoint.objects.get(pk=endpoint.pk).enabled


def test_outsiders_still_get_404_when_the_network_requires_two_factor(world, lin):
    endpoint = endpoint_by(lin, world.network)
    require_two_factor(world.network)
    base = f"{HOME}{endpoint.pk}/"
    beta = login(world.other_leader)  # a partner's team leader, without two-factor either
    assert beta.get(base).status_code == 404
    for path in ("", "test/", "rotate/", "resume/", "delete/"):
        assert beta.post(base + path).status_code == 404, path
    token = api_as(world.other_leader)
    assert token.get(f"{API}/{endpoint.pk}").status_code == 404
    assert token.post(f"{API}/{endpoint.pk}/resume").status_code == 404
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()


# Deliveries: paused while the creator is locked out ------------------------------------------


def test_a_locked_creators_endpoint_gets_no_new_message_and_an_unlocked_ones_does(world, lin):
    adas = endpoint_by(world.leader, world.network, "https://hooks.example.org/ada")
    lins = endpoint_by(lin, world.network, "https://hooks.example.org/lin")
    require_two_factor(world.network)

    network_event(world.network)

    assert queued(adas) == 0
    assert queued(lins) == 1
    # Back in good standing once she turns two-factor on: the next event reaches it.
    two_factor_on(world.leader)
    network_event(world.network)
    assert queued(adas) == 1
    assert queued(lins) == 2


def test_a_paused_endpoint_holds_its_messages_says_why_and_a_secure_leader_resumes_it(world, lin):
    endpoint = endpoint_by(world.leader, world.network)
    network_event(world.network)  # queued before the network required two-factor
    require_two_factor(world.network)

    assert deliver() == []
    held = Message.objects.get(endpoint=endpoint, event_type=EVENT)
    assert held.status == "pending" and held.attempts == 0
    reason = (
        "Paused: created by Ada Leader, who has no two-factor authentication, which Northwind "
        "Alliance requires; a team leader with two-factor authentication can resume it."
    )
    page = login(lin).get(f"{HOME}{endpoint.pk}/").content.decode()
    assert reason in page and f"{HOME}{endpoint.pk}/resume/" in page
    assert "Paused" in login(lin).get(HOME).content.decode()
    shown = api_as(lin).get(f"{API}/{endpoint.pk}").json()
    assert shown["paused"] is True and shown["paused_reason"] == reason
    with pytest.raises(ValidationError, match="Resume it before sending a test event"):
        services.endpoint_send_test(actor=lin, endpoint=endpoint)

    response = login(lin).post(f"{HOME}{endpoint.pk}/resume/")

    assert response.status_code == 302
    assert Endpoint.objects.get(pk=endpoint.pk).created_by == lin
    assert deliver() == [endpoint.url]
    held.refresh_from_db()
    assert held.status == "succeeded"
    again = api_as(lin).post(f"{API}/{endpoint.pk}/resume")
    assert again.status_code == 422 and "not paused" in str(again.json())


def test_an_endpoint_whose_creator_left_the_organization_is_paused_until_resumed(world, lin):
    endpoint = endpoint_by(lin, world.network)
    network_services.org_member_leave(actor=fresh(lin))

    network_event(world.network)
    assert queued(endpoint) == 0
    shown = api_as(world.leader).get(f"{API}/{endpoint.pk}").json()
    assert shown["paused"] is True
    assert "created by Lin Secure, who no longer belongs to Acme Labs" in shown["paused_reason"]

    resumed = api_as(world.leader).post(f"{API}/{endpoint.pk}/resume")

    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["paused"] is False and resumed.json()["paused_reason"] == ""
    network_event(world.network)
    assert queued(endpoint) == 1


def test_an_endpoint_without_a_paused_creator_is_listed_as_delivering(world):
    endpoint = endpoint_by(world.leader, world.network)
    listed = api_as(world.leader).get(API).json()["items"]
    assert [(row["id"], row["paused"]) for row in listed] == [(endpoint.pk, False)]
    assert "Paused" not in login(world.leader).get(HOME).content.decode()


def test_held_messages_are_not_reported_as_due_to_the_operator(world, client, settings):
    settings.METRICS_TOKEN = "a-long-enough-metrics-token"
    endpoint = endpoint_by(world.leader, world.network)
    network_event(world.network)
    require_two_factor(world.network)
    assert queued(endpoint) == 1

    text = client.get(
        "/metrics", headers={"Authorization": "Bearer a-long-enough-metrics-token"}
    ).content.decode()

    held = Message.objects.filter(endpoint=endpoint).count()  # with webhook.endpoint_created
    assert f'consortia_queue_length{{queue="webhook_held"}} {held}.0' in text
    assert 'consortia_queue_length{queue="webhook_due"} 0.0' in text
    assert 'consortia_worker_lag_seconds{what="webhook"} 0.0' in text


def waiting_keys(person) -> list[str]:
    from consortia.core import waiting

    found = [s for s in waiting.sections_for(fresh(person)) if s.key == "paused_webhooks"]
    return [item.key for section in found for item in section.items]


def test_a_paused_endpoint_waits_for_the_team_leaders_who_may_resume_it(world, lin):
    endpoint = endpoint_by(world.leader, world.network)
    colleague = add_colleague(world.leader, "mo@acme.test", "Mo Member")
    assert waiting_keys(lin) == []  # delivering: nothing waits
    require_two_factor(world.network)

    assert waiting_keys(lin) == [f"webhook-{endpoint.pk}"]
    assert waiting_keys(world.leader) == []  # locked in the network: may not resume it
    assert waiting_keys(colleague) == []  # not a team leader
    assert waiting_keys(world.other_leader) == []  # another organization
    dashboard = login(lin).get("/").content.decode()
    assert "Paused webhooks" in dashboard and f"{HOME}{endpoint.pk}/" in dashboard

    services.endpoint_resume(actor=lin, endpoint=endpoint)
    assert waiting_keys(lin) == []
