"""The leak oracle: on random networks, every read path returns exactly the oracle's items.

For every viewer (each person of each organization, and one person with no organization) the
tests compare with `oracle.visible_item_ids` (pure Python, sharing/oracle.py):

- test_the_rule_matches_the_oracle (LEAK_EXAMPLES, default 200 networks): the SQL rule
  (`visible_items`) that every list, detail, API and download path filters through, its
  inverse (`readers_of`: who gets notified) and the list selector (`items_for`).
- test_every_read_path_matches_the_oracle (LEAK_HTTP_EXAMPLES, default 200 smaller networks on
  SQLite — `make test` — and 50 on PostgreSQL, where each request costs twice as much):
  through HTTP, for every viewer: the challenge/post/document list pages of every network,
  every detail page (200 or 404, and 404 under the wrong network), the API list, detail and
  comments, and both file downloads (page and API).

LEAK_EXAMPLES=2000 LEAK_HTTP_EXAMPLES=300 runs a longer search.
"""

import os
import re

from django.conf import settings as django_settings
from django.test import Client
from hypothesis import HealthCheck, given, settings

from consortia.sharing import oracle, selectors
from consortia.sharing.audience import readers_of, visible_items

from . import strategies

EXAMPLES = int(os.environ.get("LEAK_EXAMPLES", 200))
_ON_SQLITE = "sqlite" in django_settings.DATABASES["default"]["ENGINE"]
HTTP_EXAMPLES = int(os.environ.get("LEAK_HTTP_EXAMPLES", 200 if _ON_SQLITE else 50))
ITEM_ID = re.compile(r'data-item-id="(\d+)"')


def _listed(response) -> set[int]:
    assert response.status_code == 200, response.status_code
    return {int(pk) for pk in ITEM_ID.findall(response.content.decode())}


def check_the_rule(built):
    items_by_id = {item.pk: item for item in built.items}
    for index, person in enumerate(built.viewers):
        expected = oracle.visible_item_ids(built.world, person.pk)
        who = f"person {person.pk} (org {built.world.person_org.get(person.pk)})"
        assert set(visible_items(person).values_list("pk", flat=True)) == expected, who
        # The list selector of one kind per network (each kind in turn across viewers).
        kind = strategies.KINDS[index % len(strategies.KINDS)]
        for network in built.networks:
            want = {
                pk
                for pk in expected
                if items_by_id[pk].network_id == network.pk and items_by_id[pk].kind == kind
            }
            listed = selectors.items_for(person=person, network=network, kind=kind)
            assert set(listed.values_list("pk", flat=True)) == want, (who, kind)
    for item in built.items:
        want = {
            p.pk for p in built.viewers if item.pk in oracle.visible_item_ids(built.world, p.pk)
        }
        assert set(readers_of(item).values_list("pk", flat=True)) == want, item.pk


def check_every_read_path(built):
    items_by_id = {item.pk: item for item in built.items}
    for person in built.viewers:
        expected = oracle.visible_item_ids(built.world, person.pk)
        who = f"person {person.pk} (org {built.world.person_org.get(person.pk)})"
        # The SQL rule itself.
        assert set(visible_items(person).values_list("pk", flat=True)) == expected, who
        client = Client()
        client.force_login(person)
        for network in built.networks:
            in_network = {pk for pk in expected if items_by_id[pk].network_id == network.pk}
            for kind in strategies.KINDS:
                want = {pk for pk in in_network if items_by_id[pk].kind == kind}
                response = client.get(built.list_url(network, kind))
                if response.status_code == 404:  # not its network: there is nothing to see
                    assert not in_network, (who, kind, 404)
                    continue
                assert _listed(response) == want, (who, kind)
            api = client.get(f"/api/v1/networks/{network.slug}/items")
            if api.status_code == 404:
                assert not in_network, (who, "api list", 404)
                continue
            assert api.status_code == 200, api.content
            assert {row["id"] for row in api.json()["items"]} == in_network, (who, "api list")
        for item in built.items:
            status = 200 if item.pk in expected else 404
            assert client.get(built.item_url(item)).status_code == status, (who, item.pk)
            api = client.get(f"/api/v1/networks/{item.network.slug}/items/{item.pk}")
            assert api.status_code == status, (who, item.pk, "api detail")
            comments = client.get(f"/api/v1/networks/{item.network.slug}/items/{item.pk}/comments")
            assert comments.status_code == status, (who, item.pk, "api comments")
            for other in built.networks:
                if other.pk != item.network_id:
                    assert client.get(built.item_url(item, other)).status_code == 404
            if item.kind == "document":
                url = f"/n/{item.network.slug}/documents/{item.pk}/download/"
                assert client.get(url).status_code == status, (who, item.pk, "download")
                api_url = f"/api/v1/networks/{item.network.slug}/items/{item.pk}/file"
                assert client.get(api_url).status_code == status, (who, item.pk, "api file")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=strategies.worlds(two_factor=True))
def test_the_rule_matches_the_oracle(db, spec):
    with strategies.rollback():
        built = strategies.build(spec, files=False)
        check_the_rule(built)


@settings(
    max_examples=HTTP_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=strategies.worlds(max_orgs=3, max_items=4, two_factor=True))
def test_every_read_path_matches_the_oracle(db, spec):
    with strategies.rollback():
        built = strategies.build(spec)
        check_every_read_path(built)
