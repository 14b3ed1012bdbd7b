"""The election outcome: a poll's winner becomes the leader for the initiative's period."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from consortia.initiatives import outcomes, permissions, services
from tests.conftest import fresh


def accepted_nomination(initiative, person):
    nomination = services.nominate(actor=fresh(person), initiative=initiative, person=fresh(person))
    return services.nomination_accept(actor=fresh(person), nomination=nomination)


def poll(world, payload, pk=7):
    return SimpleNamespace(pk=pk, network=world.network, action_payload=payload)


def test_the_ranked_winner_gets_the_term(world, initiative):
    accepted_nomination(initiative, world.leader)
    accepted_nomination(initiative, world.other_leader)
    payload = outcomes.validate(
        world.network,
        {"initiative": initiative.pk, "candidates": [world.leader.pk, world.other_leader.pk]},
    )
    assert payload["candidates"] == {
        "Ada Leader": world.leader.pk,
        "Bo Other": world.other_leader.pk,
    }
    outcomes.apply(poll(world, payload), {"passed": True, "winners": ["Bo Other"]})
    term = permissions.current_leader(initiative)
    assert term.person == world.other_leader and term.source == "election poll #7"


def test_a_tie_or_a_failed_poll_elects_nobody(world, initiative):
    accepted_nomination(initiative, world.leader)
    payload = outcomes.validate(
        world.network, {"initiative": initiative.pk, "person": world.leader.pk}
    )
    outcomes.apply(poll(world, payload), {"passed": False, "winners": []})
    outcomes.apply(
        poll(world, {**payload, "person": None, "candidates": {}}),
        {"passed": True, "winners": ["A", "B"]},
    )
    assert permissions.current_leader(initiative) is None
    outcomes.apply(poll(world, payload), {"passed": True, "winners": []})
    assert permissions.current_leader(fresh_initiative(initiative)).person == world.leader


def fresh_initiative(initiative):
    permissions.forget(initiative)
    return initiative


def test_only_accepted_nominees_can_stand(world, initiative):
    services.nominate(
        actor=fresh(world.leader), initiative=initiative, person=fresh(world.other_leader)
    )
    with pytest.raises(ValidationError):
        outcomes.validate(
            world.network, {"initiative": initiative.pk, "person": world.other_leader.pk}
        )
    with pytest.raises(ValidationError):
        outcomes.validate(world.network, {"initiative": "x"})


def test_it_is_registered_with_the_decisions_app():
    from consortia.decisions.outcomes import get

    assert get(outcomes.ACTION).apply is outcomes.apply
