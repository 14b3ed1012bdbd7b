"""The leak oracle covers webhooks: on random networks (tests/sharing/strategies.py) with an
endpoint for every organization, no delivery carries anything its organization may not see.

For each world: every item's `<kind>.shared` event and one network-wide event per network are
recorded through `core.events.emit` (which queues messages), then a random organization leaves
every network (what it could see when the event happened it may no longer see), then the worker
delivers. The deliveries (captured at the HTTP boundary, fully built and signed) must be exactly
the oracle's: item events to the organizations that may see the item now
(`oracle.visible_item_ids_for_organization`), network events to the organizations that are
active members now. WEBHOOK_LEAK_EXAMPLES runs a longer search (default 25).
"""

import json
import os
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consortia.core.events import emit
from consortia.core.models import Audience
from consortia.integrations import crypto, delivery, net
from consortia.integrations.models import Endpoint, Message
from consortia.networks.models import NetworkMembership
from consortia.sharing import oracle
from tests.sharing import strategies

EXAMPLES = int(os.environ.get("WEBHOOK_LEAK_EXAMPLES", 25))


def _endpoints(built):
    endpoints = {}
    for network in built.networks:
        for org, people in zip(built.orgs, built.people, strict=True):
            endpoints[(network.pk, org.pk)] = Endpoint.objects.create(
                organization=org,
                network=network,
                created_by=people[0],  # an endpoint without a creator in good standing is paused
                url=f"https://hooks.org{org.pk}.example/n{network.pk}",
                event_types=["*"],
                secret_ciphertext=crypto.encrypt("whsec_" + "A" * 43),
            )
    return endpoints


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=strategies.worlds(max_orgs=4, max_items=5), leaver=st.integers(0, 3))
def test_no_delivery_carries_what_its_organization_may_not_see(db, spec, leaver):
    with strategies.rollback():
        built = strategies.build(spec, files=False)
        endpoints = _endpoints(built)
        by_endpoint = {e.pk: key for key, e in endpoints.items()}
        for item in built.items:
            emit(
                actor=item.author,
                organization=item.organization,
                verb=f"{item.kind}.shared",
                summary=f"shared {item.title}",
                audience=Audience.ORGANIZATION,
                network=item.network,
                audience_organization=item.organization,
                obj=item,
            )
        for network in built.networks:
            emit(
                actor=None,
                verb="network.admission_rule_changed",
                summary="rules",
                audience=Audience.NETWORK,
                network=network,
            )
        # A random organization leaves every network after the events were queued.
        gone = built.orgs[leaver % len(built.orgs)]
        NetworkMembership.objects.filter(organization=gone).update(
            status="left", ended_at=built.now - timedelta(seconds=1)
        )
        for network_pk, org_pk in list(built.world.memberships):
            if org_pk == gone.pk:
                built.world.memberships[(network_pk, org_pk)] = oracle.MembershipFact(
                    "left", built.now - timedelta(seconds=1)
                )

        sent = []

        def capture(url, body, headers, timeout):
            endpoint = Endpoint.objects.get(url=url)
            sent.append((by_endpoint[endpoint.pk], json.loads(body)))
            return net.Answer(status_code=204)

        while delivery.deliver_due(send=capture, limit=500):
            pass

        delivered_items = {
            (key[1], body["data"]["item"]["id"]) for key, body in sent if "item" in body["data"]
        }
        expected_items = {
            (org.pk, item.pk)
            for org in built.orgs
            for item in built.items
            if item.pk in oracle.visible_item_ids_for_organization(built.world, org.pk)
        }
        assert delivered_items == expected_items
        for (network_pk, _org), body in sent:
            if "item" in body["data"]:
                item = next(i for i in built.items if i.pk == body["data"]["item"]["id"])
                assert item.network_id == network_pk  # the endpoint's own network only
        delivered_events = {key for key, body in sent if "item" not in body["data"]}
        expected_events = {
            (network.pk, org.pk)
            for network in built.networks
            for org in built.orgs
            if oracle.is_active_member(built.world, network.pk, org.pk)
        }
        assert delivered_events == expected_events
        assert not Message.objects.filter(status="pending").exists()
