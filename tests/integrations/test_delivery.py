"""Webhook deliveries to a real receiver on the loopback interface, verified by the
standardwebhooks package's own `Webhook.verify`."""

import json
import socket
from datetime import timedelta
from random import Random

import pytest
from django.utils import timezone

from consortia.core.models import Notification
from consortia.integrations import delivery, net, services
from consortia.integrations.models import Attempt, Endpoint, Message
from consortia.sharing import services as sharing
from tests.conftest import fresh

from .conftest import make_endpoint


def later(seconds):
    """The worker's clock, moved on (the delivery code takes `now`; nothing sleeps)."""
    return timezone.now() + timedelta(seconds=seconds)


def share(person, network, **fields):
    return sharing.item_create(
        actor=fresh(person),
        network=network,
        kind=fields.pop("kind", "post"),
        title=fields.pop("title", "Supplier map"),
        body="Details",
        **fields,
    )


def test_it_signs_each_delivery_so_a_standard_webhooks_receiver_verifies_it(
    world, receiver, loopback_allowed
):
    _, secret = make_endpoint(world, receiver.url, ["post.*"])
    receiver.secrets = [secret]
    assert secret.startswith("whsec_")
    share(world.leader, world.network, audience="network", title="Supplier map")

    assert delivery.deliver_due() == 1

    (got,) = receiver.received
    assert got.verified is not None, got.error
    assert set(got.verified) == {"type", "timestamp", "data"}
    assert got.verified["type"] == "post.shared"
    assert got.verified["data"]["item"]["title"] == "Supplier map"
    assert got.headers["webhook-id"].startswith("msg_")
    assert got.headers["webhook-signature"].startswith("v1,")
    assert got.headers["content-type"] == "application/json"
    message = Message.objects.get()
    assert message.status == "succeeded"
    attempt = Attempt.objects.get()
    assert (attempt.outcome, attempt.status_code) == ("succeeded", 200)
    assert attempt.response_excerpt == '{"ok": true}'
    # The secret is stored encrypted, never in the clear.
    assert secret not in Endpoint.objects.values_list("secret_ciphertext", flat=True).get()


def test_it_retries_after_a_500_with_the_same_webhook_id(world, receiver, loopback_allowed):
    endpoint, secret = make_endpoint(world, receiver.url)
    receiver.secrets = [secret]
    receiver.statuses = [500]
    services.endpoint_send_test(actor=world.leader, endpoint=endpoint)

    delivery.deliver_due(rng=Random(1))
    message = Message.objects.get()
    assert (message.status, message.attempts, message.last_status_code) == ("pending", 1, 500)
    # The second attempt is due 5 s later (plus up to 10 % jitter), not before.
    assert timedelta(seconds=5) <= message.next_attempt_at - timezone.now() <= timedelta(seconds=6)
    assert delivery.deliver_due(now=later(1)) == 0

    assert delivery.deliver_due(now=later(6)) == 1

    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == message.webhook_id
    assert second.verified["type"] == "webhook.test"
    message.refresh_from_db()
    assert message.status == "succeeded"
    assert [a.outcome for a in Attempt.objects.order_by("number")] == ["failed", "succeeded"]
    assert "500" in Attempt.objects.get(number=1).error


def test_it_respects_retry_after(world, receiver, loopback_allowed):
    endpoint, _ = make_endpoint(world, receiver.url)
    receiver.statuses = [(503, {"Retry-After": "600"})]
    services.endpoint_send_test(actor=world.leader, endpoint=endpoint)
    delivery.deliver_due()
    message = Message.objects.get()
    assert message.next_attempt_at - timezone.now() >= timedelta(seconds=590)


def test_a_410_disables_the_endpoint_and_tells_the_team_leaders(world, receiver, loopback_allowed):
    endpoint, _ = make_endpoint(world, receiver.url)
    receiver.statuses = [410]
    services.endpoint_send_test(actor=world.leader, endpoint=endpoint)

    delivery.deliver_due()

    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "410" in endpoint.disabled_reason
    assert Message.objects.get().status == "failed"
    told = Notification.objects.filter(kind="webhook.disabled")
    assert set(told.values_list("person", flat=True)) == {world.leader.pk}  # not Max (member)
    # Nothing more is queued for a disabled endpoint.
    share(world.leader, world.network, audience="network")
    assert Message.objects.count() == 1


def test_repeated_failure_gives_up_after_about_three_days_and_disables(
    world, receiver, loopback_allowed
):
    endpoint, _ = make_endpoint(world, receiver.url)
    receiver.statuses = [500] * 20
    services.endpoint_send_test(actor=world.leader, endpoint=endpoint)
    clock = timezone.now()
    for _ in range(len(delivery.SCHEDULE)):
        delivery.deliver_due(now=clock)
        message = Message.objects.get()
        if message.status != "pending":
            break
        clock = message.next_attempt_at
    assert message.status == "failed"
    assert message.attempts == len(delivery.SCHEDULE) == 10
    assert timedelta(days=3) <= clock - message.created_at <= timedelta(days=3, hours=12)
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert Notification.objects.filter(kind="webhook.disabled").exists()


def test_it_refuses_the_loopback_interface_without_the_operator_setting(
    world, receiver, loopback_allowed
):
    endpoint, _ = make_endpoint(world, receiver.url)  # registered while allowed
    loopback_allowed.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    services.endpoint_send_test(actor=world.leader, endpoint=endpoint)

    delivery.deliver_due()

    assert receiver.received == []
    attempt = Attempt.objects.get()
    assert attempt.outcome == "refused"
    assert "127.0.0.1" in attempt.error and "loopback" in attempt.error


def test_it_connects_to_the_address_it_checked_with_the_original_host_name(
    world, receiver, loopback_allowed, monkeypatch
):
    """DNS is asked once; the connection goes to that checked address (a rebinding resolver
    answering differently the second time is never asked again)."""
    answers = iter(["127.0.0.1", "169.254.169.254"])
    calls = []

    real = socket.getaddrinfo

    def rebinding_resolver(host, port, *args, **kwargs):
        if host == "127.0.0.1":  # the connection itself, to the checked literal: no DNS
            return real(host, port, *args, **kwargs)
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(net.socket, "getaddrinfo", rebinding_resolver)
    endpoint, _ = make_endpoint(world, f"http://hooks.partner.test:{receiver.port}/in")
    services.endpoint_send_test(actor=world.leader, endpoint=endpoint)

    delivery.deliver_due()

    assert calls == ["hooks.partner.test"]
    (got,) = receiver.received
    assert got.headers["host"] == f"hooks.partner.test:{receiver.port}"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.1.1",
        "172.16.0.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "fd00:ec2::254",
        "0.0.0.0",  # noqa: S104 - an address refused, not bound
        "::ffff:127.0.0.1",
        "100.100.100.200",
    ],
)
def test_internal_addresses_are_refused_after_resolution(address, monkeypatch):
    monkeypatch.setattr(
        net.socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))],
    )
    answer = net.post("https://innocent.example.org/hook", b"{}", {})
    assert answer.refused and answer.status_code is None
    assert "nothing was sent" in answer.error


def test_the_metadata_address_stays_refused_even_when_private_ranges_are_allowed(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["0.0.0.0/0", "::/0"]
    assert net.address_problem("169.254.169.254") == "a cloud metadata address"
    assert net.address_problem("10.0.0.1") is None


def test_redirects_are_not_followed(world, receiver, loopback_allowed):
    endpoint, _ = make_endpoint(world, receiver.url)
    receiver.statuses = [(302, {"Location": "http://169.254.169.254/latest"})]
    services.endpoint_send_test(actor=world.leader, endpoint=endpoint)
    delivery.deliver_due()
    assert len(receiver.received) == 1
    assert Attempt.objects.get().status_code == 302
    assert Message.objects.get().status == "pending"  # a failure, retried later


def test_an_organization_outside_the_audience_receives_nothing_of_the_item(
    world, receiver, loopback_allowed
):
    _, acme_secret = make_endpoint(world, receiver.url, ["post.*"])
    beta_endpoint, beta_secret = make_endpoint(
        world, receiver.url, ["post.*"], leader=world.other_leader
    )
    receiver.secrets = [acme_secret, beta_secret]
    share(world.leader, world.network, audience="organization", title="Acme only")
    share(world.leader, world.network, audience="network", title="For everyone")

    delivery.deliver_due()

    titles = {
        (tuple(r.verified_with), r.verified["data"]["item"]["title"]) for r in receiver.received
    }
    assert titles == {((0,), "Acme only"), ((0,), "For everyone"), ((1,), "For everyone")}
    assert not Message.objects.filter(endpoint=beta_endpoint, event__summary__contains="Acme only")


def test_what_is_no_longer_visible_at_delivery_is_not_sent(world, receiver, loopback_allowed):
    from consortia.networks import services as network_services

    beta_endpoint, _ = make_endpoint(world, receiver.url, ["post.*"], leader=world.other_leader)
    share(world.leader, world.network, audience="network", title="Before Beta left")
    network_services.network_leave(actor=fresh(world.other_leader), network=world.network)

    delivery.deliver_due()

    assert receiver.received == []
    attempt = Attempt.objects.get(endpoint=beta_endpoint)
    assert attempt.outcome == "not_visible"
    assert "no longer see" in attempt.error


def test_during_a_rotation_both_secrets_sign(world, receiver, loopback_allowed):
    endpoint, old = make_endpoint(world, receiver.url)
    endpoint, new = services.endpoint_rotate_secret(actor=world.leader, endpoint=endpoint)
    receiver.secrets = [old, new]
    services.endpoint_send_test(actor=world.leader, endpoint=endpoint)
    delivery.deliver_due()
    (got,) = receiver.received
    assert got.verified_with == [0, 1]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    # After the overlap only the new secret signs.
    Endpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    services.endpoint_send_test(actor=world.leader, endpoint=endpoint)
    delivery.deliver_due()
    assert receiver.received[1].verified_with == [1]


def test_resend_sends_the_same_message_again(world, receiver, loopback_allowed):
    endpoint, _ = make_endpoint(world, receiver.url)
    message = services.endpoint_send_test(actor=world.leader, endpoint=endpoint)
    delivery.deliver_due()
    services.message_resend(actor=world.leader, message=message)
    delivery.deliver_due()
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert list(Attempt.objects.order_by("id").values_list("number", flat=True)) == [1, 2]


def test_two_workers_never_send_one_message_twice(world, receiver, loopback_allowed):
    endpoint, _ = make_endpoint(world, receiver.url)
    services.endpoint_send_test(actor=world.leader, endpoint=endpoint)
    claimed = delivery._claim(timezone.now(), 10)
    assert delivery._claim(timezone.now(), 10) == []  # the second worker finds it taken
    assert len(claimed) == 1


def test_the_payload_is_json_with_the_three_fields(world, receiver, loopback_allowed):
    make_endpoint(world, receiver.url, ["network.*"])
    from tests.conftest import make_org_leader

    newcomer = make_org_leader("nia@new.test", "Nia New", "New Org")
    from consortia.networks import services as network_services

    network_services.network_apply(actor=newcomer, network=world.network, message="Hi")
    delivery.deliver_due()
    body = json.loads(receiver.received[0].body)
    assert body["type"] == "network.applied"
    assert body["data"]["event"]["network"] == "northwind"
    assert set(body["data"]["event"]) >= {"id", "verb", "summary", "actor", "created_at"}


def test_the_worker_forgets_finished_deliveries_after_the_log_period(world, settings):
    settings.WEBHOOK_LOG_DAYS = 30
    endpoint, _ = make_endpoint(world, "https://hooks.example.com/in")
    old, recent, waiting = (
        services.endpoint_send_test(actor=world.leader, endpoint=endpoint) for _ in range(3)
    )
    long_ago = timezone.now() - timedelta(days=31)
    Message.objects.filter(pk__in=[old.pk, waiting.pk]).update(created_at=long_ago)
    Message.objects.filter(pk__in=[old.pk, recent.pk]).update(status=Message.Status.SUCCEEDED)

    assert delivery.prune() == 1
    assert set(Message.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}


@pytest.mark.parametrize(
    "host", ["0x7f000001", "2130706433", "127.1", "0177.0.0.1", "0xa9.254.169.254"]
)
def test_other_spellings_of_an_internal_address_are_refused_at_registration(host):
    """An IPv4 address written in hex, as one number or shortened is what the resolver makes
    of it: refused when the endpoint is registered, as its dotted spelling is."""
    with pytest.raises(net.Refused) as caught:
        net.check_literal_host(f"http://{host}/hook")
    assert "webhooks are not sent there" in str(caught.value)
