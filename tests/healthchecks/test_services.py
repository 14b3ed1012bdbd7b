"""Opening, answering, sealing and unsealing health checks; action items become requests."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consortia.core.models import Event, Notification
from consortia.healthchecks import selectors, services
from consortia.healthchecks.models import Answer, HealthCheck, Rating
from consortia.initiatives.models import Request
from tests.conftest import fresh
from tests.healthchecks.conftest import answer, scores
from tests.initiatives.conftest import join, propose


def test_it_opens_a_check_between_two_partners(world, check):
    assert sorted(s.organization.name for s in selectors.sides_of(check)) == [
        "Acme Labs",
        "Beta Works",
    ]
    assert check.title == "Acme Labs and Beta Works"
    assert not check.is_unsealed


def test_it_refuses_a_pair_that_is_not_partners(world):
    with pytest.raises(ValidationError) as caught:
        services.health_check_open(
            actor=fresh(world.leader),
            network=world.network,
            partner=world.delta,
            deadline=timezone.now() + timedelta(days=3),
        )
    assert "not a partner" in caught.value.message_dict["partner"][0]
    with pytest.raises(ValidationError) as caught:
        services.health_check_open(
            actor=fresh(world.leader),
            network=world.network,
            partner=world.acme,
            deadline=timezone.now() + timedelta(days=3),
        )
    assert "partner" in caught.value.message_dict
    assert HealthCheck.objects.count() == 0


def test_it_refuses_a_deadline_in_the_past(world):
    with pytest.raises(ValidationError) as caught:
        services.health_check_open(
            actor=fresh(world.leader),
            network=world.network,
            partner=world.beta,
            deadline=timezone.now() - timedelta(hours=1),
        )
    assert caught.value.message_dict["deadline"] == ["The deadline cannot be in the past."]


def test_only_a_team_leader_opens_one(world):
    with pytest.raises(PermissionDenied):
        services.health_check_open(
            actor=fresh(world.member),
            network=world.network,
            partner=world.beta,
            deadline=timezone.now() + timedelta(days=3),
        )


def test_it_refuses_a_second_open_check_of_the_same_pair(world, check):
    with pytest.raises(ValidationError) as caught:
        services.health_check_open(
            actor=fresh(world.other_leader),
            network=world.network,
            partner=world.acme,
            deadline=timezone.now() + timedelta(days=3),
        )
    assert "still waiting" in caught.value.message_dict["partner"][0]


def test_answers_stay_sealed_until_every_side_answered(world, check):
    answer(world.leader, check, 5, "acme")
    # Acme reads its own answer; Beta reads nothing yet.
    assert selectors.visible_ratings(fresh(world.leader), check).count() == 6
    assert selectors.visible_ratings(fresh(world.other_leader), check).count() == 0
    assert (
        selectors.results(fresh(world.other_leader), check)["dimensions"][0]["bars"][0]["score"]
        is None
    )
    answer(world.other_leader, check, 2, "beta")
    check.refresh_from_db()
    assert check.unsealed_because == "answered"
    result = selectors.results(fresh(world.other_leader), check)
    assert result["unsealed"]
    assert [b["score"] for b in result["dimensions"][0]["bars"]] == [5.0, 2.0]
    assert result["dimensions"][0]["gap"] == 3.0


def test_a_third_organization_never_sees_anything(world, check, third):
    answer(world.leader, check, 5)
    answer(world.other_leader, check, 1)
    assert selectors.visible_ratings(fresh(third), check).count() == 0
    assert not selectors.checks_of(fresh(third)).exists()
    assert not Event.objects.filter(
        verb__startswith="health_check", audience_organization=third.organization
    ).exists()
    assert not Notification.objects.filter(person=third, kind__startswith="health_check").exists()


def test_the_deadline_unseals_on_its_own(world, check):
    answer(world.leader, check, 3)
    later = check.deadline + timedelta(seconds=1)
    assert selectors.visible_ratings(fresh(world.other_leader), check, now=later).count() == 6
    assert services.unseal_due(now=later) == 1
    assert services.unseal_due(now=later) == 0
    check.refresh_from_db()
    assert check.unsealed_because == "deadline"
    with pytest.raises(ValidationError):
        answer(world.other_leader, check, 3)


def test_answering_twice_or_after_unsealing_is_refused(world, check):
    answer(world.leader, check)
    with pytest.raises(ValidationError, match="already answered"):
        answer(world.leader, check)
    answer(world.other_leader, check)
    with pytest.raises(ValidationError, match="unsealed"):
        answer(world.leader, check)
    assert Answer.objects.count() == 2


def test_a_score_outside_1_to_5_is_a_field_error(world, check):
    with pytest.raises(ValidationError) as caught:
        services.answer_submit(
            actor=fresh(world.leader), health_check=check, scores=scores(4, communication=6)
        )
    assert caught.value.message_dict == {"communication": ["The score must be between 1 and 5."]}
    with pytest.raises(ValidationError) as caught:
        services.answer_submit(
            actor=fresh(world.leader), health_check=check, scores=scores(4, fairness=0)
        )
    assert "fairness" in caught.value.message_dict
    assert Rating.objects.count() == 0


def test_a_member_answers_only_when_invited(world, check):
    with pytest.raises(PermissionDenied):
        answer(world.member, check)
    services.rater_invite(actor=fresh(world.leader), health_check=check, person=fresh(world.member))
    assert list(selectors.waiting_for(fresh(world.member))) == [check]
    answer(world.leader, check, 4)
    # Acme's side waits for its invited colleague.
    answer(world.other_leader, check, 4)
    check.refresh_from_db()
    assert check.unsealed_at is None
    answer(world.member, check, 2)
    check.refresh_from_db()
    assert check.unsealed_because == "answered"
    result = selectors.results(fresh(world.other_leader), check)
    assert result["dimensions"][0]["bars"][0]["score"] == 3.0


def test_waiting_for_lists_what_the_person_may_still_answer(world, check):
    assert list(selectors.waiting_for(fresh(world.leader))) == [check]
    assert list(selectors.waiting_for(fresh(world.member))) == []
    answer(world.leader, check)
    assert list(selectors.waiting_for(fresh(world.leader))) == []
    assert list(selectors.waiting_for(fresh(world.other_leader))) == [check]


def test_an_initiative_check_includes_every_participant(world):
    project = propose(world)
    join(project, world.other_leader, world.leader)
    check = services.health_check_open(
        actor=fresh(world.other_leader),
        network=world.network,
        initiative=project,
        deadline=timezone.now() + timedelta(days=2),
    )
    assert check.initiative == project
    assert len(selectors.sides_of(check)) == 2


def test_action_items_become_requests_after_unsealing(world):
    project = propose(world)
    join(project, world.other_leader, world.leader)
    check = services.health_check_open(
        actor=fresh(world.leader),
        network=world.network,
        initiative=project,
        deadline=timezone.now() + timedelta(days=2),
    )
    due = timezone.localdate() + timedelta(days=14)
    with pytest.raises(ValidationError, match="sealed"):
        services.action_add(
            actor=fresh(world.leader),
            health_check=check,
            to_organization=world.beta,
            title="Monthly call",
            due_on=due,
        )
    answer(world.leader, check, 4)
    answer(world.other_leader, check, 2)
    item = services.action_add(
        actor=fresh(world.leader),
        health_check=check,
        to_organization=world.beta,
        title="Monthly call",
        due_on=due,
    )
    request = Request.objects.get(pk=item.request_id)
    assert request.to_organization == world.beta
    assert request.initiative == project


def test_a_pair_check_needs_an_initiative_for_its_action_items(world, check):
    answer(world.leader, check, 4)
    answer(world.other_leader, check, 2)
    with pytest.raises(ValidationError) as caught:
        services.action_add(
            actor=fresh(world.leader),
            health_check=check,
            to_organization=world.beta,
            title="Talk",
            due_on=timezone.localdate() + timedelta(days=3),
        )
    assert "initiative" in caught.value.message_dict
