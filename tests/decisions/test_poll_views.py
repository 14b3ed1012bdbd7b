"""The Decisions tab: list, new poll, poll page, casting with and without HTMX, export."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consortia.decisions import services
from consortia.decisions.models import Ballot, BallotRecord, Poll
from consortia.decisions.tally import tally
from consortia.networks.models import NetworkMembership
from tests.conftest import login
from tests.decisions.conftest import open_poll

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, poll=None, slug="northwind"):
    return reverse(name, args=[slug] + ([poll.pk] if poll else []))


def test_the_decisions_tab_lists_open_and_closed_polls(world, as_other, now):
    open_poll(world, title="Open question", now=now)
    closed = open_poll(world, title="Old question", now=now - timedelta(days=3), hours=1)
    response = as_other.get(url("poll_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Open question" in body and "Old question" in body and "Decisions" in body
    closed.refresh_from_db()
    assert closed.outcome_applied_at is not None  # reading the list settled it


@pytest.mark.parametrize("who", ["as_outsider", "as_applicant"])
def test_outsiders_and_applicants_cannot_see_polls(world, who, request, now):
    client = request.getfixturevalue(who)
    poll = open_poll(world, now=now)
    assert client.get(url("poll_list")).status_code in (403, 404)
    for name in ("poll_detail", "poll_export"):
        assert client.get(url(name, poll)).status_code in (403, 404)
    response = client.post(url("ballot_cast", poll), {"choice": "yes"})
    assert response.status_code in (403, 404)
    assert not BallotRecord.objects.exists()


def test_an_outsider_gets_404_for_an_unlisted_network(world, as_outsider, now):
    world.network.visibility = "unlisted"
    world.network.save()
    poll = open_poll(world, now=now)
    assert as_outsider.get(url("poll_detail", poll)).status_code == 404
    assert as_outsider.get(url("poll_detail", poll, slug="nowhere")).status_code == 404


def test_a_poll_of_another_network_is_404(world, as_leader, now):
    poll = open_poll(world, now=now)
    assert (
        as_leader.get(reverse("poll_detail", args=["northwind", poll.pk + 100])).status_code == 404
    )


def test_a_team_leader_creates_a_ranked_poll(world, as_leader):
    closes = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = as_leader.post(
        url("poll_create"),
        {
            "title": "Where do we meet?",
            "kind": "ranked",
            "method": "irv",
            "seats": 1,
            "options": "Lyon\nTurin\nGeneva",
            "closes_at": closes,
            "quorum": "0.5",
        },
    )
    poll = Poll.objects.get()
    assert response.status_code == 302 and response["Location"] == url("poll_detail", poll)
    assert (poll.kind, poll.method, str(poll.quorum)) == ("ranked", "irv", "0.500")
    assert list(poll.options.values_list("label", flat=True)) == ["Lyon", "Turin", "Geneva"]


def test_bad_poll_settings_come_back_with_errors(world, as_leader):
    closes = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = as_leader.post(
        url("poll_create"),
        {
            "title": "Q",
            "kind": "approval",
            "seats": 1,
            "options": "Only",
            "closes_at": closes,
            "quorum": "1.5",
        },
    )
    assert response.status_code == 422
    assert not Poll.objects.exists()
    past = (timezone.now() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = as_leader.post(
        url("poll_create"), {"title": "Q", "kind": "yes_no", "seats": 1, "closes_at": past}
    )
    assert response.status_code == 422 and "already past" in response.content.decode()


def test_members_who_are_not_team_leaders_cannot_create_polls(world, as_member):
    assert as_member.get(url("poll_create")).status_code == 403


def test_a_removal_poll_from_the_form(world, as_leader):
    beta = NetworkMembership.objects.get(network=world.network, organization=world.beta)
    closes = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "title": "Remove Beta",
        "kind": "yes_no",
        "seats": 1,
        "closes_at": closes,
        "action": "remove",
        "member": beta.pk,
    }
    response = as_leader.post(url("poll_create"), data)
    assert response.status_code == 422 and "reason" in response.content.decode()
    response = as_leader.post(url("poll_create"), {**data, "reason": "Absent for a year"})
    assert response.status_code == 302
    poll = Poll.objects.get()
    assert poll.action == "remove" and poll.action_payload["reason"] == "Absent for a year"


def test_casting_with_htmx_shows_the_receipt(world, as_leader, now):
    poll = open_poll(world, "ranked", now=now)
    options = {o.label: o.pk for o in poll.options.all()}
    response = as_leader.post(
        url("ballot_cast", poll),
        {
            f"rank-{options['Bravo']}": "1",
            f"rank-{options['Alpha']}": "2",
            f"rank-{options['Charlie']}": "2",
        },
        **HTMX,
    )
    assert response.status_code == 200
    record = BallotRecord.objects.get()
    assert record.choice == {"ranking": ["Bravo", ["Alpha", "Charlie"]]}
    assert record.hash in response.content.decode()
    # The page's live parts (turnout, results) refresh on the event the answer sends.
    assert "consortia:changed" in response["HX-Trigger-After-Settle"]


def test_casting_without_javascript_redirects_to_the_poll(world, as_leader, now):
    poll = open_poll(world, "score", now=now)
    options = {o.label: o.pk for o in poll.options.all()}
    response = as_leader.post(url("ballot_cast", poll), {f"score-{options['Alpha']}": "4"})
    assert response.status_code == 302
    assert Ballot.objects.get().choice == {"scores": {"Alpha": 4}}


@pytest.mark.parametrize(
    "kind, data",
    [
        ("score", {"score-X": "9"}),
        ("ranked", {"rank-X": "first"}),
        ("approval", {"approve": ["Zulu"]}),
        ("yes_no", {"choice": "perhaps"}),
    ],
)
def test_invalid_ballots_are_422_and_change_nothing(world, as_leader, now, kind, data):
    poll = open_poll(world, kind, now=now)
    first = poll.options.first()
    data = {k.replace("X", str(first.pk) if first else ""): v for k, v in data.items()}
    response = as_leader.post(url("ballot_cast", poll), data, **HTMX)
    assert response.status_code == 422
    assert not BallotRecord.objects.exists()


def test_voting_after_the_close_is_refused(world, as_leader, now):
    poll = open_poll(world, now=now - timedelta(hours=2), hours=1)
    response = as_leader.post(url("ballot_cast", poll), {"choice": "yes"}, **HTMX)
    assert response.status_code == 422 and "no longer accepted" in response.content.decode()


def test_a_member_outside_the_electorate_is_told_why(world, now):
    beta = NetworkMembership.objects.get(network=world.network, organization=world.beta)
    poll = open_poll(
        world, now=now, action="remove", action_payload={"membership": beta.pk, "reason": "R"}
    )
    client = login(world.other_leader)
    assert "not in this poll" in client.get(url("poll_detail", poll)).content.decode()
    response = client.post(url("ballot_cast", poll), {"choice": "no"}, **HTMX)
    assert response.status_code == 403 and not BallotRecord.objects.exists()


def test_hidden_results_wait_for_the_close(world, as_other, now):
    poll = open_poll(world, now=now, hide_results_until_close=True)
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    assert (
        "Results are shown when the poll closes"
        in as_other.get(url("poll_detail", poll)).content.decode()
    )


def test_the_outcome_page_has_a_chart_and_the_export_recounts(world, as_other, now):
    poll = open_poll(world, "ranked", now=now - timedelta(hours=2), hours=1)
    services.ballot_cast(
        actor=world.leader, poll=poll, choice=["Alpha"], now=now - timedelta(hours=2)
    )
    services.ballot_cast(
        actor=world.other_leader, poll=poll, choice=["Bravo", "Alpha"], now=now - timedelta(hours=2)
    )
    body = as_other.get(url("poll_detail", poll)).content.decode()
    assert "Pairwise contests" in body and "Outcome" in body
    response = as_other.get(url("poll_export", poll))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    export = json.loads(response.content)
    poll.refresh_from_db()
    assert tally(export["method"], export, **export["options"]) == poll.result["tally"]


def test_the_export_of_an_open_poll_is_not_published(world, as_other, now):
    poll = open_poll(world, now=now)
    response = as_other.get(url("poll_export", poll))
    assert response.status_code == 302


def test_the_author_records_a_free_form_outcome(world, as_leader, now):
    poll = open_poll(world, now=now - timedelta(hours=2), hours=1)
    review = (now + timedelta(days=30)).date().isoformat()
    response = as_leader.post(url("poll_outcome", poll), {"statement": "Go", "review_on": review})
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.outcome_statement == "Go"
    response = as_leader.post(url("poll_outcome", poll), {"statement": ""})
    assert response.status_code == 422
