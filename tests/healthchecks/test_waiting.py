"""Health checks in the dashboard's "Waiting for you" and in GET /api/v1/me/waiting."""

from consortia.core import waiting
from tests.conftest import fresh
from tests.healthchecks.conftest import answer


def section(person):
    found = [s for s in waiting.sections_for(fresh(person)) if s.key == "health_checks"]
    return found[0] if found else None


def test_a_team_leader_is_asked_to_answer_until_their_side_has(world, check, third):
    ours = section(world.leader)
    assert ours.count == 1 and ours.items[0].title == check.title
    assert ours.items[0].actions[0].url.endswith(f"/health-checks/{check.pk}/")
    assert section(world.other_leader).count == 1

    answer(world.leader, check)
    assert section(world.leader) is None
    assert section(world.other_leader).count == 1


def test_nobody_outside_the_pair_is_asked(world, check, third):
    assert section(third) is None
    assert section(world.member) is None  # a colleague who was not invited to rate


def test_the_dashboard_lists_it(world, check, client):
    client.force_login(fresh(world.other_leader))
    page = client.get("/").content.decode()
    assert "Health checks to answer" in page and check.title in page
