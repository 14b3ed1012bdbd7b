"""Matching personas on top of the shared world (tests/conftest.py):

- Acme Labs (the leader's) and Beta Works are members of Northwind; profiles are set here.
- Frost Freight: a member whose offerings are refrigerated transport (the right answer).
- Dairy Delights: a member that only *needs* refrigerated transport (a distractor).
- Gone Logistics: was a member with a refrigerated-transport profile, then left.
- Polar Elsewhere: refrigerated transport too, but a member of another network only.
"""

import pytest

from consortia.networks import services
from consortia.networks.models import NetworkMembership

from ..conftest import admit, fresh, make_org_leader

COLD = "Refrigerated trucking and temperature-controlled warehousing for food and pharmaceuticals."


def set_profile(person, **fields):
    services.organization_update(actor=fresh(person), organization=person.organization, **fields)


def member(world, email, name, org_name, **profile):
    leader = make_org_leader(email, name, org_name, **profile)
    admit(world.network, leader, world.leader)
    return fresh(leader)


@pytest.fixture
def helpers(world):
    set_profile(
        world.leader,
        description="A chemistry lab developing coatings.",
        offerings="Corrosion testing\nSurface analysis",
        needs="Refrigerated transport of our samples",
    )
    set_profile(
        world.other_leader,
        description="A university engineering department.",
        offerings="Fatigue testing of metal parts\nStudent projects",
    )
    frost = member(
        world,
        "fay@frost.test",
        "Fay Frost",
        "Frost Freight",
        description=COLD,
        offerings="Chilled and frozen transport from minus 25 to plus 8 degrees\n"
        "Continuous temperature logging of every load",
        needs="Drivers",
        values="The cold chain is never broken.",
    )
    dairy = member(
        world,
        "dan@dairy.test",
        "Dan Dairy",
        "Dairy Delights",
        description="We make yoghurt and desserts for supermarkets.",
        offerings="Dairy desserts\nRecipe development",
        needs="Refrigerated trucking and temperature-controlled warehousing for our desserts",
    )
    gone = member(
        world,
        "gus@gone.test",
        "Gus Gone",
        "Gone Logistics",
        description=COLD,
        offerings="Refrigerated transport and cold storage",
    )
    services.network_leave(actor=gone, network=world.network)
    elsewhere = make_org_leader(
        "pia@polar.test",
        "Pia Polar",
        "Polar Elsewhere",
        description=COLD,
        offerings="Refrigerated transport and cold storage",
    )
    services.network_found(
        actor=elsewhere,
        name="Other Network",
        slug="other-net",
        description="Another network.",
        charter_text="Be nice.",
    )
    return {
        "frost": frost,
        "dairy": dairy,
        "gone": fresh(gone),
        "elsewhere": fresh(elsewhere),
    }


def names(result) -> list[str]:
    return [m.organization.name for m in result]


__all__ = ["COLD", "NetworkMembership", "fresh", "member", "names", "set_profile"]
