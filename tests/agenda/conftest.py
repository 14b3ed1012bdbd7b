import pytest

from consortia.agenda import services
from tests.conftest import fresh

SCALE = ["unknown", "little", "some", "much", "fully complementary"]


@pytest.fixture
def criterion(world):
    return services.criterion_create(
        actor=fresh(world.leader), name="Product fit", weight="3", scale=SCALE
    )


@pytest.fixture
def prospect(world):
    """Beta Works (a member of Northwind) on Acme's list, owned by Ada."""
    return services.prospect_add(actor=fresh(world.leader), partner=world.beta)


from tests.api.conftest import api  # noqa: E402, F401 - the API clients fixture
