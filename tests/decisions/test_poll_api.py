"""The decisions API: polls, ballots, results, export; 404 for outsiders, 422 for bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.decisions import services
from consortia.decisions.models import BallotRecord, Poll
from consortia.decisions.tally import tally
from tests.api.conftest import field_errors
from tests.decisions.conftest import open_poll

BASE = "/networks/northwind/polls"


def closes(days=2):
    return (timezone.now() + timedelta(days=days)).isoformat()


def test_a_team_leader_opens_a_poll_and_members_list_it(api, world):
    response = api.leader.post(
        BASE,
        {
            "title": "Pick a venue",
            "kind": "ranked",
            "options": ["Lyon", "Turin", "Geneva"],
            "closes_at": closes(),
            "quorum": "0.5",
            "secret": True,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "open" and body["method"] == "schulze" and body["voters_count"] == 2
    assert body["options"] == ["Lyon", "Turin", "Geneva"] and body["quorum"] == "0.500"
    listing = api.other_member.get(BASE).json()
    assert listing["count"] == 1 and listing["items"][0]["title"] == "Pick a venue"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"quorum": "1.5"}, "quorum"),
        ({"kind": "approval", "options": ["One"]}, "options"),
        ({"threshold": "most"}, "threshold"),
        ({"closes_at": "2001-01-01T00:00:00Z"}, "closes_at"),
        ({"opens_at": "2030-01-02T00:00:00Z", "closes_at": "2030-01-01T00:00:00Z"}, "closes_at"),
        ({"closes_at": "9999-12-31T23:59:59Z"}, "closes_at"),
        ({"action": "remove", "membership_id": 999999, "reason": "x"}, "action_payload"),
    ],
)
def test_bad_polls_are_422(api, world, payload, field):
    body = {"title": "Q", "kind": "yes_no", "closes_at": closes(), **payload}
    response = api.leader.post(BASE, body)
    assert field in field_errors(response)
    assert not Poll.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "applicant"])
def test_outsiders_cannot_see_or_vote(api, world, who):
    poll = open_poll(world)
    client = getattr(api, who)
    assert client.get(BASE).status_code in (403, 404)
    for suffix in ("", "/results", "/export"):
        assert client.get(f"{BASE}/{poll.pk}{suffix}").status_code in (403, 404)
    assert client.post(f"{BASE}/{poll.pk}/ballot", {"choice": "yes"}).status_code in (403, 404)
    assert client.post(
        BASE, {"title": "Q", "kind": "yes_no", "closes_at": closes()}
    ).status_code in (403, 404)


def test_an_unlisted_network_is_404_for_outsiders(api, world):
    world.network.visibility = "unlisted"
    world.network.save()
    poll = open_poll(world)
    assert api.outsider.get(f"{BASE}/{poll.pk}").status_code == 404
    assert api.leader.get(f"{BASE}/{poll.pk + 1000}").status_code == 404


def test_casting_changing_and_the_results(api, world):
    poll = open_poll(world, "ranked")
    first = api.leader.post(
        f"{BASE}/{poll.pk}/ballot", {"ranking": ["Bravo", ["Alpha", "Charlie"]]}
    )
    assert first.status_code == 201 and first.json()["changes"] == 0
    second = api.leader.post(f"{BASE}/{poll.pk}/ballot", {"ranking": ["Alpha"]})
    assert second.json()["changes"] == 1 and second.json()["receipt"] != first.json()["receipt"]
    again = api.leader.post(f"{BASE}/{poll.pk}/ballot", {"ranking": ["Alpha"]})
    assert "already cast" in field_errors(again)["__all__"]
    results = api.other_member.get(f"{BASE}/{poll.pk}/results").json()
    assert results["visible"] and results["result"]["winners"] == ["Alpha"]
    assert BallotRecord.objects.count() == 2


@pytest.mark.parametrize(
    "kind, ballot, field",
    [
        ("ranked", {"ranking": ["Zulu"]}, "ranking"),
        ("ranked", {"ranking": ["Alpha", "Alpha"]}, "ranking"),
        ("score", {"scores": {"Alpha": 7}}, "scores"),
        ("approval", {"approve": ["Alpha", "Zulu"]}, "approve"),
        ("consensus", {"choice": "yes"}, "choice"),
        ("yes_no", {}, "choice"),
    ],
)
def test_invalid_ballots_are_422(api, world, kind, ballot, field):
    poll = open_poll(world, kind)
    response = api.leader.post(f"{BASE}/{poll.pk}/ballot", ballot)
    assert field in field_errors(response)
    assert not BallotRecord.objects.exists()


def test_voting_after_the_close_and_outside_the_electorate(api, world):
    now = timezone.now()
    closed = open_poll(world, now=now - timedelta(hours=3), hours=1)
    response = api.leader.post(f"{BASE}/{closed.pk}/ballot", {"choice": "yes"})
    assert "no longer accepted" in field_errors(response)["__all__"]
    poll = open_poll(world)
    assert api.member.post(f"{BASE}/{poll.pk}/ballot", {"choice": "yes"}).status_code == 403


def test_hidden_results_and_the_export_after_the_close(api, world):
    now = timezone.now()
    poll = open_poll(world, "approval", now=now, hide_results_until_close=True)
    services.ballot_cast(actor=world.leader, poll=poll, choice=["Alpha"], now=now)
    hidden = api.other_member.get(f"{BASE}/{poll.pk}/results").json()
    assert (hidden["visible"], hidden["result"]) == (False, None)
    assert api.other_member.get(f"{BASE}/{poll.pk}/export").status_code == 422
    Poll.objects.filter(pk=poll.pk).update(
        opens_at=now - timedelta(hours=2), closes_at=now - timedelta(hours=1)
    )
    export = api.other_member.get(f"{BASE}/{poll.pk}/export").json()
    poll.refresh_from_db()
    assert tally(export["method"], export, **export["options"]) == poll.result["tally"]
    assert api.other_member.get(f"{BASE}/{poll.pk}/results").json()["result"]["winners"] == [
        "Alpha"
    ]
