"""The demo: two populations per acting member, Northshore and Lakeside consented, and CSV files
in the package whose overlap the protocol finds."""

import pytest

from consortia import demo as consortia_demo
from consortia.overlap import keys, protocol
from consortia.overlap.demo import demo_file
from consortia.overlap.models import Partnership, Population

pytestmark = pytest.mark.django_db


def test_the_demo_network_has_populations_and_two_consenting_partners():
    result = consortia_demo.load()
    assert result.created
    partnership = Partnership.objects.get(network=result.network)
    assert partnership.status == "accepted"
    assert {partnership.proposer.name, partnership.counterparty.name} == {
        "Northshore Steel Works",
        "Lakeside Robotics",
    }
    for organization in (partnership.proposer, partnership.counterparty):
        assert set(
            Population.objects.filter(organization=organization).values_list("slug", flat=True)
        ) == {"customers", "opportunities"}
    consortia_demo.load()  # idempotent
    assert Partnership.objects.count() == 1


def test_the_demo_files_overlap_realistically():
    read = {
        name: keys.read_csv(demo_file(f"{name}.csv").read_bytes(), minimum=20).records
        for name in (
            "northshore-customers",
            "northshore-opportunities",
            "lakeside-customers",
            "lakeside-opportunities",
        )
    }
    north, lake = protocol.Party("demo"), protocol.Party("demo")
    ups = {n: north.blind(n, read[n], share_fields=None)[0] for n in read if n.startswith("north")}
    downs = {n: lake.blind(n, read[n], share_fields=None)[0] for n in read if n.startswith("lake")}
    counts = protocol.matrix(
        {n: lake.double_blind(b) for n, b in ups.items()},
        {n: north.double_blind(b) for n, b in downs.items()},
    )
    assert counts == {
        ("northshore-customers", "lakeside-customers"): 38,
        ("northshore-customers", "lakeside-opportunities"): 10,
        ("northshore-opportunities", "lakeside-customers"): 14,
        ("northshore-opportunities", "lakeside-opportunities"): 14,
    }
