import pytest

from tests.initiatives.conftest import join, make_leader, propose


@pytest.fixture
def initiative(world):
    initiative = propose(world)
    join(initiative, world.other_leader, world.leader)
    make_leader(initiative, world.leader)
    return initiative
