"""Edges: no admin for shared contents, a file missing from storage, editing an item."""

import pytest
from django.core.exceptions import PermissionDenied

from consortia.networks.models import Person
from consortia.sharing import services
from consortia.sharing.models import DocumentVersion

from ..conftest import login
from .conftest import share


def test_operators_get_no_admin_pages_for_shared_contents(world):
    # Titles and bodies may be confidential between partners: not even operators browse them.
    share(world.leader, world.network, audience="network", title="Crown jewels")
    operator = Person.objects.create_superuser(email="op@ops.test", password="x")
    assert login(operator).get("/admin/sharing/item/").status_code == 404


def test_a_file_missing_from_storage_is_a_404_not_a_500(world, as_leader):
    item = share(world.leader, world.network, kind="document", audience="network")
    version = DocumentVersion.objects.get(item=item)
    version.file.storage.delete(version.file.name)
    assert as_leader.get(f"/n/northwind/documents/{item.pk}/download/").status_code == 404
    api = as_leader.get(f"/api/v1/networks/northwind/items/{item.pk}/file")
    assert api.status_code == 404


def test_only_the_owner_edits_an_item(world):
    item = share(world.member, world.network, audience="network")
    services.item_update(actor=world.member, item=item, title="New title", tags="X")
    item.refresh_from_db()
    assert item.title == "New title" and item.tags == "x"
    with pytest.raises(PermissionDenied):
        services.item_update(actor=world.other_leader, item=item, title="Hijacked")


def test_a_network_with_initiative_items_can_still_be_deleted(world):
    from datetime import date

    from consortia.initiatives.services import initiative_propose
    from consortia.sharing.models import Item

    initiative = initiative_propose(
        actor=world.leader,
        network=world.network,
        title="Joint",
        objective="x",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 6, 1),
    )
    share(world.leader, world.network, audience="initiative", initiative=initiative.pk)
    world.network.delete()
    assert not Item.objects.exists()
