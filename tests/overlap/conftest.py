"""Helpers for the overlap tests: two partners (Acme and Beta from tests/conftest.py) with
populations, consent, an NDA, and a way to run a whole comparison through the services, each
side computed by the same LocalSide the CLI uses."""

from dataclasses import dataclass

import pytest

from consortia.overlap import keys, services
from consortia.overlap.client import LocalSide
from consortia.overlap.models import Population
from consortia.sharing import services as sharing_services
from tests.conftest import fresh


def keys_csv(keys_and_fields, header=("key", "name", "owner", "stage")) -> bytes:
    lines = [",".join(header)]
    for key, fields in keys_and_fields.items():
        lines.append(",".join([key, *(fields.get(h, "") for h in header[1:])]))
    return ("\n".join(lines) + "\n").encode()


def domains(prefix: str, numbers) -> dict[str, dict]:
    return {f"{prefix}{n}.example": {"name": f"Account {n}"} for n in numbers}


@dataclass
class Pair:
    world: object
    acme_pop: Population
    beta_pop: Population
    partnership: object


def population(person, name="Customers", level="counts", fields=()):
    return services.population_create(actor=fresh(person), name=name, level=level, fields=fields)


def nda(world):
    proposal = sharing_services.nda_propose(
        actor=fresh(world.leader),
        network=world.network,
        counterparty=world.beta,
        title="Mutual NDA",
        text="We keep each other's secrets.",
    )
    sharing_services.nda_accept(actor=fresh(world.other_leader), nda=proposal)


def consent(world):
    partnership = services.partnership_propose(
        actor=fresh(world.leader), network=world.network, counterparty=world.beta
    )
    return services.partnership_answer(
        actor=fresh(world.other_leader), partnership=partnership, accept=True
    )


@pytest.fixture
def pair(world) -> Pair:
    return make_pair(world)


def make_pair(world) -> Pair:
    """Acme and Beta with an accepted NDA, record-level customers each, and consent."""
    nda(world)
    return Pair(
        world=world,
        acme_pop=population(world.leader, level="records", fields=["name"]),
        beta_pop=population(world.other_leader, level="records", fields=["name", "stage"]),
        partnership=consent(world),
    )


@pytest.fixture
def bystander(world):
    """Team leader of Gamma Group, an active member of the network with no overlap consent."""
    from consortia.networks import services as network_services
    from consortia.networks.models import NetworkMembership

    membership = NetworkMembership.objects.get(network=world.network, organization=world.gamma)
    network_services.admission_vote(
        actor=fresh(world.leader), membership=membership, decision="approve"
    )
    network_services.charter_accept(actor=fresh(world.applicant), network=world.network)
    membership.refresh_from_db()
    assert membership.is_active
    return fresh(world.applicant)


def read(records: dict[str, dict], minimum=None) -> keys.Population:
    return keys.read_csv(keys_csv(records), minimum=minimum or services.min_set_size())


def run_between(world, a_records, b_records, a_pop, b_pop):
    """A whole run: Acme starts it with `a_pop`, Beta joins with `b_pop`, both blind, double-
    blind and open. Returns (run, acme side, beta side, acme records, beta records)."""
    run = services.run_start(
        actor=fresh(world.leader),
        network=world.network,
        partner=world.beta,
        population_ids=[a_pop.pk],
    )
    services.run_join(actor=fresh(world.other_leader), run=run, population_ids=[b_pop.pk])
    a = LocalSide(person=fresh(world.leader), run=run)
    b = LocalSide(person=fresh(world.other_leader), run=run)
    a.blind({a_pop.pk: read(a_records)})
    b.blind({b_pop.pk: read(b_records)})
    a.double()
    b.double()
    got_a, got_b = a.open(), b.open()
    run.refresh_from_db()
    return run, a, b, got_a, got_b
