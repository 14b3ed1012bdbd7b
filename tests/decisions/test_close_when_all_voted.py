"""A poll can close as soon as every organization of its electorate has voted: the outcome is
applied at once, exactly once (also when the last two ballots arrive together), as at the
deadline."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from consortia.core.models import Event
from consortia.decisions import outcomes, services
from consortia.decisions.models import Poll
from consortia.networks.models import NetworkMembership
from tests.conftest import fresh
from tests.decisions.conftest import open_poll

Status = NetworkMembership.Status


def _admission_poll(world, now):
    pending = NetworkMembership.objects.get(network=world.network, organization=world.gamma)
    poll = services.admission_poll_open(pending, now=now)
    return pending, poll


def test_free_form_polls_wait_for_their_deadline_unless_asked(world, now):
    poll = open_poll(world, now=now)
    assert poll.close_when_all_voted is False
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    services.ballot_cast(actor=world.other_leader, poll=poll, choice="yes", now=now)
    poll.refresh_from_db()
    assert poll.state_at(now) == Poll.State.OPEN and poll.outcome_applied_at is None


def test_it_closes_and_settles_at_the_last_ballot(world, now):
    poll = open_poll(world, now=now, close_when_all_voted=True)
    deadline = poll.closes_at
    later = now + timedelta(minutes=5)
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=later)
    poll.refresh_from_db()
    assert poll.state_at(later) == Poll.State.OPEN  # one of two has voted
    services.ballot_cast(actor=world.other_leader, poll=poll, choice="no", now=later)
    poll.refresh_from_db()
    assert poll.closes_at == later and poll.planned_closes_at == deadline
    assert poll.state_at(later) == Poll.State.CLOSED and poll.closed_early
    assert poll.outcome_applied_at == later and poll.result["turnout"] == 2
    assert poll.ballot_salt == ""
    closed = Event.objects.get(verb="poll.closed", object_id=poll.pk)
    assert "every organization had voted" in closed.summary
    with pytest.raises(ValidationError, match="closed"):
        services.ballot_cast(actor=world.leader, poll=poll, choice="no", now=later)
    # The deadline path finds nothing left to do.
    assert services.settle_closed_polls(now=deadline + timedelta(minutes=1)) == 0


def test_the_actions_deciding_one_thing_close_when_all_have_voted_by_default(world, now):
    for name in (
        "admit",
        "initiative.elect_leader",
        "initiative.recall_leader",
        "initiative.extend_term",
    ):
        assert outcomes.get(name).close_when_all_voted, name
    assert not outcomes.get("remove").close_when_all_voted
    pending, poll = _admission_poll(world, now)
    assert poll.close_when_all_voted
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    services.ballot_cast(actor=world.other_leader, poll=poll, choice="yes", now=now)
    pending.refresh_from_db()
    assert pending.status == Status.ACTIVE  # admitted at once, not in seven days


def test_an_author_may_turn_it_off_for_an_action_poll(world, now):
    pending = NetworkMembership.objects.get(network=world.network, organization=world.gamma)
    poll = services.poll_create(
        actor=None,
        network=world.network,
        title="Admit Gamma",
        kind="yes_no",
        closes_at=now + timedelta(days=1),
        now=now,
        action="admit",
        action_payload={"membership": pending.pk},
        close_when_all_voted=False,
    )
    assert poll.close_when_all_voted is False


def test_a_failing_outcome_does_not_undo_the_last_ballot(world, now, monkeypatch):
    pending, poll = _admission_poll(world, now)
    action = outcomes.get("admit")

    def broken(poll, result):
        raise RuntimeError("the outcome could not be applied")

    monkeypatch.setitem(
        outcomes._REGISTRY, "admit", action.__class__(**{**vars(action), "apply": broken})
    )
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    services.ballot_cast(actor=world.other_leader, poll=poll, choice="yes", now=now)
    poll.refresh_from_db()
    assert poll.closed_early and poll.outcome_applied_at is None
    assert poll.ballots.count() == 2
    monkeypatch.setitem(outcomes._REGISTRY, "admit", action)
    # The worker settles it as it settles any poll past its closing time.
    assert services.settle_closed_polls(now=now + timedelta(seconds=1)) == 1
    pending.refresh_from_db()
    assert pending.status == Status.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_last_ballots_close_and_apply_exactly_once(world):
    from django.utils import timezone

    now = timezone.now()
    pending, poll = _admission_poll(world, now)
    voters = [fresh(world.leader), fresh(world.other_leader)]
    barrier = threading.Barrier(len(voters))
    errors: list[BaseException] = []

    def vote(i: int) -> None:
        try:
            barrier.wait()
            services.ballot_cast(actor=voters[i], poll=Poll.objects.get(pk=poll.pk), choice="yes")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(i,)) for i in range(len(voters))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    poll.refresh_from_db()
    assert poll.closed_early and poll.outcome_applied_at is not None
    assert poll.result["turnout"] == 2 and poll.result["passed"]
    assert Event.objects.filter(verb="poll.closed", object_id=poll.pk).count() == 1
    assert Event.objects.filter(verb="network.admitted", summary__contains="by vote").count() == 1
    pending.refresh_from_db()
    assert pending.status == Status.ACTIVE


def test_the_poll_page_says_when_it_closes(world, as_leader, now):
    poll = open_poll(world, now=now, close_when_all_voted=True)
    page = as_leader.get(reverse("poll_detail", args=["northwind", poll.pk])).content.decode()
    assert "closes when all 2 have voted, or on" in page and "at the latest" in page
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes")
    services.ballot_cast(actor=world.other_leader, poll=poll, choice="yes")
    page = as_leader.get(reverse("poll_detail", args=["northwind", poll.pk])).content.decode()
    assert "when every organization had voted" in page and "Passed" in page


def test_the_form_offers_the_option_and_names_the_time_zone(world, as_leader):
    as_leader.cookies["tz"] = "Europe/Paris"
    response = as_leader.get(reverse("poll_create", args=["northwind"]))
    page = response.content.decode()
    assert "Closes at (Europe/Paris)" in page
    assert "Close as soon as every member organization has voted" in page
    response = as_leader.post(
        reverse("poll_create", args=["northwind"]),
        {
            "title": "Meet in Lyon?",
            "kind": "yes_no",
            "seats": "1",
            "closes_at": "2099-03-12T17:00",
            "close_when_all_voted": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    poll = Poll.objects.get(title="Meet in Lyon?")
    assert poll.close_when_all_voted
    # 17:00 in Paris in March is 16:00 UTC.
    assert poll.closes_at.isoformat() == "2099-03-12T16:00:00+00:00"


def test_the_api_takes_and_shows_the_option(api, world):
    response = api.leader.post(
        "/networks/northwind/polls",
        {
            "title": "Pick a date",
            "kind": "yes_no",
            "closes_at": (timezone_now() + timedelta(days=2)).isoformat(),
            "close_when_all_voted": True,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["close_when_all_voted"] is True and body["planned_closes_at"] is None
    bad = api.leader.post(
        "/networks/northwind/polls",
        {
            "title": "Pick a date",
            "kind": "yes_no",
            "closes_at": (timezone_now() + timedelta(days=2)).isoformat(),
            "close_when_all_voted": "perhaps",
        },
    )
    assert bad.status_code == 422


def timezone_now():
    from django.utils import timezone

    return timezone.now()
