"""Prospects' next steps in the dashboard's "Waiting for you": the owner's, due within a week
or late; never anything of it for the prospect itself."""

from datetime import timedelta

from django.utils import timezone

from consortia.agenda import services
from consortia.core import waiting
from tests.conftest import fresh


def section(person):
    found = [s for s in waiting.sections_for(fresh(person)) if s.key == "prospect_steps"]
    return found[0] if found else None


def test_the_owner_sees_next_steps_due_this_week_or_late(world):
    today = timezone.localdate()
    services.prospect_add(
        actor=fresh(world.leader),
        partner=world.beta,
        next_step="Call their CTO",
        next_step_on=today - timedelta(days=1),
    )
    services.prospect_add(
        actor=fresh(world.leader),
        name="Far Away Ltd",
        website="https://far.example",
        next_step="Send the brochure",
        next_step_on=today + timedelta(days=30),
    )
    ours = section(world.leader)
    assert ours.count == 1
    assert ours.items[0].title == "Call their CTO" and ours.items[0].overdue


def test_the_prospect_and_colleagues_who_do_not_own_it_see_nothing(world):
    services.prospect_add(
        actor=fresh(world.leader),
        partner=world.beta,
        next_step="Call their CTO",
        next_step_on=timezone.localdate(),
    )
    assert section(world.other_leader) is None  # Beta, the prospect
    assert section(world.member) is None  # not the owner
