import pytest

from consortia.integrations import services
from tests.api.conftest import api  # noqa: F401 - the API clients fixture, for test_api

from .receiver import Receiver


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def loopback_allowed(settings):
    """The operator setting that lets webhooks reach the loopback interface (on-premises
    receivers); without it every test address here is refused."""
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.0/8"]
    return settings


def make_endpoint(world, url, event_types=("*",), leader=None):
    endpoint, secret = services.endpoint_create(
        actor=leader or world.leader,
        network=world.network,
        url=url,
        event_types=list(event_types),
    )
    return endpoint, secret
