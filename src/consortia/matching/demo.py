"""Demo data for matching: nothing to invent — the demo organizations' profiles and their
initiatives are indexed as they are created (through the services' profile hook). `load` makes
sure of it for a demo network loaded before matching existed."""

from __future__ import annotations

from . import index
from .models import MatchDocument


def load(network) -> int:
    from consortia.networks.models import NetworkMembership

    members = NetworkMembership.objects.filter(network=network).values("organization_id")
    indexed = MatchDocument.objects.filter(organization_id__in=members, network__isnull=True)
    if indexed.count() >= members.count():
        return 0
    return index.rebuild(network=network)
