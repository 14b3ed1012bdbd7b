"""Upgrading a database that already has match documents: each migration that adds a vector
field rebuilds the documents with its own (historical) model, which lacks the fields later
migrations add; the upgrade runs through and ends with every vector filled."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from consortia.matching.models import MatchDocument

from .conftest import set_profile

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_VECTORS_ML = [("matching", "0001_match_documents_and_full_text")]


def test_an_upgrade_with_documents_fills_every_vector(world):
    set_profile(world.leader, offerings="Corrosion testing\nSurface analysis")
    assert MatchDocument.objects.exists()
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("matching")
    try:
        executor.migrate(BEFORE_VECTORS_ML)
        executor.loader.build_graph()
        executor.migrate(latest)  # 0002 and 0003 rebuild, each with its model
    finally:
        executor.loader.build_graph()
        executor.migrate(latest)
    documents = list(MatchDocument.objects.all())
    assert documents
    assert all(d.vector and d.vector_ml and d.vectors_ml for d in documents)
