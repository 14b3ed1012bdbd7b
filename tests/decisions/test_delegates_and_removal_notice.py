"""Delegates who vote for their organization, and the notice period of a removal by vote."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from consortia.core.models import Notification
from consortia.decisions import services
from consortia.decisions.models import Ballot, BallotRecord, Poll
from consortia.networks import permissions, selectors
from consortia.networks import services as network_services
from consortia.networks.models import NetworkMembership, OrgMembership
from consortia.networks.selectors import events_visible_to
from tests.api.conftest import api_as, field_errors
from tests.conftest import fresh, login
from tests.decisions.conftest import after_close, open_poll

Status = NetworkMembership.Status


def name_delegate(world, person=None, *, votes=True):
    person = person or world.member
    membership = OrgMembership.objects.get(person=person)
    network_services.org_member_update(
        actor=fresh(world.leader), membership=membership, votes_for_organization=votes
    )
    return fresh(person)


# Delegates ---------------------------------------------------------------------------------


def test_a_delegate_votes_for_the_organization(world, now):
    poll = open_poll(world, now=now)
    delegate = name_delegate(world)
    ballot, _receipt = services.ballot_cast(actor=delegate, poll=poll, choice="yes", now=now)
    assert ballot.organization_id == world.acme.pk and ballot.cast_by_id == delegate.pk
    # The team leader changes the organization's vote: still one current ballot.
    services.ballot_cast(actor=world.leader, poll=poll, choice="no", now=now)
    assert Ballot.objects.filter(poll=poll, organization=world.acme).count() == 1
    assert Ballot.objects.get(poll=poll, organization=world.acme).choice == {"choice": "no"}
    people = list(BallotRecord.objects.filter(poll=poll).values_list("person_id", flat=True))
    assert people == [delegate.pk, world.leader.pk]


def test_a_plain_member_cannot_vote(world, now):
    poll = open_poll(world, now=now)
    with pytest.raises(PermissionDenied, match="delegate"):
        services.ballot_cast(actor=world.member, poll=poll, choice="yes", now=now)
    with pytest.raises(PermissionDenied):
        services.ballot_cast(actor=world.other_member, poll=poll, choice="yes", now=now)
    # A delegate whose flag was taken back is a plain member again.
    name_delegate(world, votes=True)
    member = name_delegate(world, votes=False)
    with pytest.raises(PermissionDenied):
        services.ballot_cast(actor=member, poll=poll, choice="yes", now=now)
    assert not Ballot.objects.filter(poll=poll).exists()


def test_a_secret_ballot_by_a_delegate_names_nobody(world, now):
    poll = open_poll(world, now=now, secret=True)
    delegate = name_delegate(world)
    services.ballot_cast(actor=delegate, poll=poll, choice="yes", now=now)
    record = BallotRecord.objects.get(poll=poll)
    assert record.person_id is None and record.organization_id is None


def test_only_a_team_leader_names_a_delegate(world):
    target = OrgMembership.objects.get(person=world.member)
    with pytest.raises(PermissionDenied):
        network_services.org_member_update(
            actor=world.member, membership=target, votes_for_organization=True
        )
    with pytest.raises(PermissionDenied):
        network_services.org_member_update(
            actor=world.other_leader, membership=target, votes_for_organization=True
        )
    target.refresh_from_db()
    assert target.votes_for_organization is False


def test_poll_notifications_reach_delegates(world, now):
    delegate = name_delegate(world)
    open_poll(world, now=now)
    opened = Notification.objects.filter(kind="poll.opened")
    assert set(opened.values_list("person_id", flat=True)) == {
        world.leader.pk,
        world.other_leader.pk,
        delegate.pk,
    }
    assert not opened.filter(person=world.other_member).exists()


def test_the_api_names_a_delegate_who_then_votes(world, now):
    path = f"/organizations/acme-labs/people/{OrgMembership.objects.get(person=world.member).pk}"
    assert api_as(world.member).patch(path, {"votes_for_organization": True}).status_code == 403
    response = api_as(world.leader).patch(path, {"votes_for_organization": True})
    assert response.status_code == 200, response.content
    assert response.json()["votes_for_organization"] is True
    assert response.json()["role"] == "member"
    poll = open_poll(world, now=now)
    ballot = api_as(world.member).post(
        f"/networks/northwind/polls/{poll.pk}/ballot", {"choice": "yes"}
    )
    assert ballot.status_code in (200, 201), ballot.content
    other = api_as(world.other_member).post(
        f"/networks/northwind/polls/{poll.pk}/ballot", {"choice": "yes"}
    )
    assert other.status_code == 403
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_the_my_organization_form_names_a_delegate(world, as_leader, as_member):
    membership = OrgMembership.objects.get(person=world.member)
    page = as_leader.get(reverse("my_organization")).content.decode()
    assert f'name="p{membership.pk}-votes_for_organization"' in page
    data = {f"p{membership.pk}-role": "member", f"p{membership.pk}-department": "Engineering"}
    response = as_member.post(
        reverse("org_member_update", args=[membership.pk]),
        {**data, f"p{membership.pk}-votes_for_organization": "on"},
    )
    assert response.status_code == 403
    response = as_leader.post(
        reverse("org_member_update", args=[membership.pk]),
        {**data, f"p{membership.pk}-votes_for_organization": "on"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.votes_for_organization is True
    # Unticked: no longer a delegate.
    as_leader.post(reverse("org_member_update", args=[membership.pk]), data)
    membership.refresh_from_db()
    assert membership.votes_for_organization is False


# Removal with a notice period ----------------------------------------------------------------


def remove_beta(world, now, **payload):
    membership = NetworkMembership.objects.get(network=world.network, organization=world.beta)
    poll = open_poll(
        world,
        now=now,
        action="remove",
        action_payload={"membership": membership.pk, "reason": "Never delivers", **payload},
    )
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    assert services.poll_settle(poll, now=after_close(poll))
    poll.refresh_from_db()
    membership.refresh_from_db()
    return poll, membership


@pytest.mark.parametrize(
    "notice", [-1, 91, "10", 2.5, True, None], ids=["neg", "over", "str", "float", "bool", "none"]
)
def test_the_notice_period_is_0_to_90_days(world, now, notice):
    membership = NetworkMembership.objects.get(network=world.network, organization=world.beta)
    with pytest.raises(ValidationError, match="notice"):
        open_poll(
            world,
            now=now,
            action="remove",
            action_payload={"membership": membership.pk, "reason": "x", "notice_days": notice},
        )


def test_the_api_and_the_form_refuse_a_bad_notice_period(world, as_leader, api):
    membership = NetworkMembership.objects.get(network=world.network, organization=world.beta)
    closes = timezone.now() + timedelta(days=2)
    body = {
        "title": "Remove Beta",
        "kind": "yes_no",
        "closes_at": closes.isoformat(),
        "action": "remove",
        "membership_id": membership.pk,
        "reason": "Absent",
    }
    assert "notice_days" in field_errors(
        api.leader.post("/networks/northwind/polls", {**body, "notice_days": 91})
    )
    created = api.leader.post("/networks/northwind/polls", {**body, "notice_days": 7})
    assert created.status_code == 201, created.content
    form = {
        "title": "Remove Beta again",
        "kind": "yes_no",
        "seats": 1,
        "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
        "action": "remove",
        "member": membership.pk,
        "reason": "Absent",
    }
    url = reverse("poll_create", args=[world.network.slug])
    response = as_leader.post(url, {**form, "notice_days": "91"})
    assert response.status_code == 422 and "notice_days" in response.content.decode()
    assert Poll.objects.get(pk=created.json()["id"]).action_payload["notice_days"] == 7
    response = as_leader.post(url, form)
    assert response.status_code == 302
    assert Poll.objects.get(title="Remove Beta again").action_payload["notice_days"] == 30


def test_the_removed_member_acts_during_the_notice_and_not_after(world, now, monkeypatch):
    poll, membership = remove_beta(world, now, notice_days=10)
    assert membership.status == Status.REMOVED
    assert membership.ended_at == poll.closes_at + timedelta(days=10)

    during = poll.closes_at + timedelta(days=9)
    monkeypatch.setattr(timezone, "now", lambda: during)
    leader = fresh(world.other_leader)
    assert permissions.require_acting_member(leader, world.network)
    assert permissions.get_network_for(leader, "northwind", need="act")
    assert world.network.pk in set(
        permissions.active_network_ids(world.beta.pk).values_list("network_id", flat=True)
    )
    assert selectors.network_members(world.network).count() == 2
    assert events_visible_to(person=leader).filter(network=world.network).exists()
    client = api_as(world.other_leader)
    assert client.get("/networks/northwind/polls").status_code == 200
    # It is still in the electorate of new polls, and still votes.
    later = open_poll(world, now=during, title="During the notice")
    services.ballot_cast(actor=leader, poll=later, choice="yes", now=during)
    page = login(world.other_member).get(f"/n/{world.network.slug}/members/")
    assert page.status_code == 200 and "stays a member during the notice period" in page.text

    after = membership.ended_at + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: after)
    leader = fresh(world.other_leader)
    with pytest.raises(PermissionDenied):
        permissions.require_acting_member(leader, world.network)
    with pytest.raises(Http404):
        permissions.get_network_for(leader, "northwind", need="member")
    assert not permissions.active_network_ids(world.beta.pk).exists()
    assert selectors.network_members(world.network).count() == 1
    assert not events_visible_to(person=leader).filter(network=world.network).exists()
    assert client.get("/networks/northwind/polls").status_code == 404
    assert client.get(f"/networks/northwind/polls/{later.pk}").status_code == 404
    assert (
        client.post(f"/networks/northwind/polls/{later.pk}/ballot", {"choice": "no"}).status_code
        == 404
    )
    web = login(world.other_member)
    assert web.get(f"/n/{world.network.slug}/members/").status_code == 404
    # Nor do the remaining members see it as a partner any more.
    assert api_as(world.leader).get("/organizations/beta-works").status_code == 404


def test_the_removed_organization_still_sees_its_own_page_and_people(world, now, monkeypatch):
    _poll, membership = remove_beta(world, now, notice_days=0)
    monkeypatch.setattr(timezone, "now", lambda: membership.ended_at + timedelta(minutes=1))
    client = api_as(world.other_member)
    assert client.get("/organizations/beta-works").status_code == 200
    people = client.get("/organizations/beta-works/people")
    assert people.status_code == 200
    assert {p["person"]["name"] for p in people.json()["items"]} == {"Bo Other", "Cy Colleague"}
    web = login(world.other_member)
    assert web.get(reverse("my_organization")).status_code == 200
    assert web.get(reverse("organization_detail", args=["beta-works"])).status_code == 200
