"""Property-based tests of every API operation against its own OpenAPI document.

Schemathesis generates valid and invalid requests from the schema, sends them to the Django app
as the founding team leader of Northwind (with a token), and checks that the API never answers
5xx and that every answer matches what the document promises (status codes, content type,
body schema). Path parameters are drawn half the time from real slugs and ids of the `world`,
so the generated requests reach the code behind the 404s too.
"""

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from consortia.core import services as core_services
from consortia.core.schemas import MAX_ID
from consortia.networks import services
from consortia.networks.models import Invitation, NetworkMembership, OrgMembership
from consortia.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Unknown query parameters and headers are ignored, as by most HTTP APIs (cache busters,
# proxies' headers); OpenAPI does not forbid them, so do not count accepting them as a failure.
schema.config.generation.update(allow_extra_parameters=False)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

SLUG = re.compile(r"[-a-zA-Z0-9_]+")

# Filled by the `real_ids` fixture before each test; read by the hooks while generating.
REAL: dict[str, list] = {}


def _schema_valid(value) -> bool:
    """Whether a generated slug or id is valid under the schema. Only valid values are
    swapped for real ones: swapping an invalid one would undo a negative test case, and the
    API would then rightly accept a request schemathesis believes it should reject."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 1 <= value <= MAX_ID
    return isinstance(value, str) and 1 <= len(value) <= 60 and bool(SLUG.fullmatch(value))


def _valid_token(value) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= 100 and "\x00" not in value


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, replace valid generated slugs and ids with ones that exist."""
    if not path_parameters or not REAL:
        return st.just(path_parameters)
    kind = "network" if "/networks/" in context.operation.path else "organization"
    real = {}
    for name, value in path_parameters.items():
        values = REAL.get(f"{kind}_{name}") or REAL.get(name)
        swap = values and _schema_valid(value)
        real[name] = st.sampled_from(values) if swap else st.just(value)
    return st.one_of(st.just(path_parameters), st.fixed_dictionaries(real))


@schema.hook
def flatmap_body(context, body):
    """Half the time, answer an invitation with the secret of a real one."""
    if (
        not isinstance(body, dict)
        or not REAL.get("link_token")
        or not _valid_token(body.get("token"))
    ):
        return st.just(body)
    real = st.sampled_from(REAL["link_token"]).map(lambda token: {**body, "token": token})
    return st.one_of(st.just(body), real)


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open():
    """Schemathesis calls the WSGI app directly, which fires request_started/finished; their
    close_old_connections handler would close the test's open transaction (PostgreSQL). The
    Django test client disconnects it the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def real_ids(world):
    # Open invitations of both kinds from the caller's organization, so withdrawing has
    # targets; another network, where the caller's organization is not a member…
    southwind = services.network_found(
        actor=world.outsider, name="Southwind", slug="southwind", charter_text="We partner."
    )
    # …and invitations to the caller, whose link secrets the body hook below draws from.
    _invitation, to_network = services.network_invite_organization(
        actor=world.outsider, network=southwind, email=world.leader.email
    )
    _invitation, to_delta = services.colleague_invite(
        actor=world.outsider, email=world.leader.email
    )
    services.colleague_invite(actor=world.leader, email="new@acme.test")
    services.network_invite_organization(
        actor=world.leader, network=world.network, email="boss@epsilon.test"
    )
    # A webhook endpoint with a queued test message (integrations): never sent, no worker runs.
    from consortia.integrations import services as integrations

    endpoint, _secret = integrations.endpoint_create(
        actor=world.leader,
        network=world.network,
        url="https://hooks.example.org/in",
        event_types=["poll.*"],
    )
    message = integrations.endpoint_send_test(actor=world.leader, endpoint=endpoint)
    REAL.update(endpoint_id=[endpoint.pk], message_id=[message.pk])
    # A sealed health check of Acme and Beta, which the caller (Acme's team leader) may answer.
    from datetime import timedelta

    from django.utils import timezone

    from consortia.healthchecks import services as healthchecks

    check = healthchecks.health_check_open(
        actor=world.leader,
        network=world.network,
        partner=world.beta,
        deadline=timezone.now() + timedelta(days=3),
    )
    REAL.update(health_check_id=[check.pk])
    # The partnering agenda: a criterion, a template item and a prospect with its checklist.
    from consortia.agenda import services as agenda

    criterion = agenda.criterion_create(
        actor=world.leader, name="Fit", weight=2, scale=["a", "b", "c", "d", "e"]
    )
    template_item = agenda.template_item_add(actor=world.leader, title="Insurance")
    prospect = agenda.prospect_add(actor=world.leader, partner=world.beta)
    REAL.update(
        prospect_id=[prospect.pk],
        criterion_id=[criterion.pk],
        template_item_id=[template_item.pk],
        check_id=list(prospect.checks.values_list("pk", flat=True)),
    )
    REAL.update(
        network_slug=["northwind", "southwind"],
        organization_slug=["acme-labs", "beta-works", "delta-corp"],
        network_membership_id=list(NetworkMembership.objects.values_list("pk", flat=True)),
        organization_membership_id=list(OrgMembership.objects.values_list("pk", flat=True)),
        invitation_id=list(Invitation.objects.values_list("pk", flat=True)),
        link_token=[to_network, to_delta],
    )
    yield REAL
    REAL.clear()


@pytest.fixture
def leader_token(world, real_ids):
    # Create a few tokens first, so revoking a low id does not lock the test out at once.
    for n in range(3):
        core_services.api_token_create(actor=world.leader, name=f"spare {n}")
    _token, raw = core_services.api_token_create(actor=world.leader, name="schemathesis")
    REAL["token_id"] = list(world.leader.api_tokens.values_list("pk", flat=True))
    return raw


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_it_conforms_to_its_openapi_document(case, leader_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {leader_token}"}, checks=CHECKS)
