"""The sharing benchmark's data is valid, indexed, and its pages answer (bench/sharing_bench)."""

import pytest
from django.test import Client

from consortia.bench import run, sharing_bench, synthetic
from consortia.networks.models import Person
from consortia.sharing import search
from consortia.sharing.audience import visible_items
from consortia.sharing.models import Item

SMALL = synthetic.Size(organizations=12, people=40, events=50)


@pytest.mark.django_db
def test_generated_items_are_valid_indexed_and_their_pages_answer(monkeypatch):
    monkeypatch.setenv("SHARING_BENCH_ITEMS", "300")
    monkeypatch.setattr(sharing_bench, "SMALL_ITEMS", 60)
    synthetic.generate(SMALL, say=lambda message: None)
    credentials = run.sign_in()
    viewer = Person.objects.select_related("org_membership").get(pk=credentials.person.pk)
    big, small = sharing_bench.prepare(viewer, lambda message: None)
    assert (big, small) == (300, 60)
    assert sharing_bench.prepare(viewer, lambda message: None) == (300, 60)  # reused
    for item in Item.objects.all()[:50]:
        item.full_clean()
    assert {"network", "partners", "organization"} <= set(
        Item.objects.values_list("audience", flat=True)
    )
    assert 0 < visible_items(viewer, network=Item.objects.first().network).count() < 300
    page = search.search(viewer, Item.objects.first().network, sharing_bench.COMMON_WORD)
    assert page.hits
    client = Client()
    client.force_login(viewer)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {credentials.raw_token}"
    for scenario in sharing_bench.scenarios(run):
        for path in (scenario.path, scenario.later):
            assert client.get(path).status_code == 200, path
