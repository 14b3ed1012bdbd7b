"""The members change how organizations are admitted by a poll, and the removed organization is
told by name why and until when it stays."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consortia.core.models import Event, Notification
from consortia.decisions import services
from consortia.decisions.models import Poll
from consortia.networks import services as network_services
from consortia.networks.models import Network, NetworkMembership
from tests.api.conftest import api_as, field_errors
from tests.conftest import fresh, login
from tests.decisions.conftest import after_close, open_poll
from tests.decisions.test_delegates_and_removal_notice import remove_beta

Rule = Network.AdmissionRule


def change_rule(world, now, *, vote_yes=True, **payload):
    poll = open_poll(world, now=now, action="admission_rule", action_payload=payload)
    choice = "yes" if vote_yes else "no"
    services.ballot_cast(actor=world.leader, poll=poll, choice=choice, now=now)
    services.ballot_cast(actor=world.other_leader, poll=poll, choice=choice, now=now)
    assert services.poll_settle(poll, now=after_close(poll))
    world.network.refresh_from_db()
    return poll


def test_it_switches_to_admission_by_vote_and_opens_a_poll_for_each_pending_application(world, now):
    assert world.network.admission_rule == Rule.TEAM_LEADER_APPROVALS
    change_rule(world, now, rule="vote")
    assert world.network.admission_rule == Rule.VOTE
    pending = NetworkMembership.objects.get(network=world.network, organization=world.gamma)
    admission = Poll.objects.get(action="admit", action_payload__membership=pending.pk)
    assert admission.title.startswith("Admit Gamma Group")
    assert Event.objects.filter(verb="network.admission_rule_changed").exists()
    # Team leaders can no longer approve directly.
    with pytest.raises(ValidationError, match="by poll"):
        network_services.admission_vote(
            actor=fresh(world.leader), membership=pending, decision="approve"
        )


def test_it_switches_back_to_approvals_with_the_number_the_members_chose(world, now):
    world.network.admission_rule = Rule.VOTE
    world.network.save()
    change_rule(world, now, rule="approvals", approvals_required=2)
    assert (world.network.admission_rule, world.network.approvals_required) == (
        Rule.TEAM_LEADER_APPROVALS,
        2,
    )


def test_a_poll_that_does_not_pass_changes_nothing(world, now):
    change_rule(world, now, vote_yes=False, rule="vote")
    assert world.network.admission_rule == Rule.TEAM_LEADER_APPROVALS
    assert not Poll.objects.filter(action="admit").exists()


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"rule": "dictator"},
        {"rule": "approvals", "approvals_required": 0},
        {"rule": "approvals", "approvals_required": "2"},
        {"rule": "approvals", "approvals_required": 1},  # already the rule
    ],
    ids=["missing", "unknown", "zero", "string", "unchanged"],
)
def test_it_refuses_a_change_that_cannot_work(world, now, payload):
    with pytest.raises(ValidationError):
        open_poll(world, now=now, action="admission_rule", action_payload=payload)
    assert not Poll.objects.exists()


def test_it_is_proposed_from_the_page_and_the_api(world, now):
    web = login(world.leader)
    url = reverse("poll_create", args=[world.network.slug])
    page = web.get(url + "?action=admission_rule")
    assert page.status_code == 200 and "Change how we admit organizations?" in page.text
    closes = now.replace(second=0, microsecond=0) + timedelta(days=2)
    form = {
        "title": "Admit by vote?",
        "kind": "yes_no",
        "seats": 1,
        "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
        "action": "admission_rule",
    }
    bad = web.post(url, form)
    assert bad.status_code == 422 and "Choose approvals by team leaders" in bad.text
    assert web.post(url, {**form, "admission_rule": "vote"}).status_code == 302
    poll = Poll.objects.get(title="Admit by vote?")
    assert poll.action_payload == {"rule": "vote", "approvals_required": 1}
    detail = web.get(reverse("poll_detail", args=[world.network.slug, poll.pk]))
    assert "A yes/no poll of the member organizations for each application" in detail.text

    api = api_as(world.leader)
    body = {
        "title": "Two approvals?",
        "kind": "yes_no",
        "closes_at": closes.isoformat(),
        "action": "admission_rule",
    }
    assert "admission_rule" in field_errors(api.post("/networks/northwind/polls", body))
    created = api.post(
        "/networks/northwind/polls",
        {**body, "admission_rule": "approvals", "approvals_required": 2},
    )
    assert created.status_code == 201, created.content
    assert created.json()["action_payload"] == {"rule": "approvals", "approvals_required": 2}


def test_the_removed_organization_is_told_by_name_with_the_reason_and_date(world, now):
    _poll, membership = remove_beta(world, now, notice_days=10)
    told = Notification.objects.filter(kind="network.removed")
    assert set(told.values_list("person_id", flat=True)) == {
        world.other_leader.pk,
        world.other_member.pk,
    }
    note = told.first()
    assert "voted to remove Beta Works" in note.title
    assert "Never delivers" in note.body and f"{membership.ended_at:%Y-%m-%d}" in note.body
    assert "export" in note.body


def test_the_api_says_until_when_a_removed_member_stays(world, now):
    _poll, membership = remove_beta(world, now, notice_days=10)
    networks = api_as(world.other_leader).get("/networks?scope=mine").json()["items"]
    (northwind,) = [n for n in networks if n["slug"] == "northwind"]
    assert northwind["my_status"] == "removed"
    assert northwind["my_membership_ends_at"].startswith(f"{membership.ended_at:%Y-%m-%dT%H:%M}")
