"""Overlap discovery in the dashboard's "Waiting for you": the counterparty's team leaders see
the proposal, then a run to join; nobody else sees either."""

from consortia.core import waiting
from consortia.overlap import services
from consortia.overlap.models import Partnership
from tests.conftest import fresh
from tests.overlap.conftest import nda, population


def section(person, key):
    found = [s for s in waiting.sections_for(fresh(person)) if s.key == key]
    return found[0] if found else None


def test_the_counterparty_answers_the_proposal_then_joins_the_run(world, bystander):
    services.partnership_propose(
        actor=fresh(world.leader), network=world.network, counterparty=world.beta
    )
    assert section(world.other_leader, "overlap_proposals").count == 1
    assert section(world.leader, "overlap_proposals") is None  # the proposer waits for nothing
    assert section(bystander, "overlap_proposals") is None
    assert section(world.member, "overlap_proposals") is None  # not a team leader

    partnership = services.partnership_answer(
        actor=fresh(world.other_leader),
        partnership=Partnership.objects.get(),
        accept=True,
    )
    assert section(world.other_leader, "overlap_proposals") is None
    nda(world)
    acme = population(world.leader)
    population(world.other_leader)
    services.run_start(
        actor=fresh(world.leader),
        network=world.network,
        partner=partnership.counterparty,
        population_ids=[acme.pk],
    )
    runs = section(world.other_leader, "overlap_runs")
    assert runs.count == 1 and "started an overlap run" in runs.items[0].title
    assert section(world.leader, "overlap_runs") is None
    assert section(bystander, "overlap_runs") is None
