"""Polls: creation rules, the clock, every kind, quorum, thresholds, secrecy, outcomes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from consortia.decisions import services
from consortia.decisions.models import Ballot, BallotRecord, Poll, PollVoter
from consortia.decisions.tally import tally
from consortia.networks.models import Agreement, NetworkMembership
from consortia.networks.permissions import has_accepted_charter
from tests.conftest import admit, fresh, make_org_leader
from tests.decisions.conftest import after_close, open_poll

Status = NetworkMembership.Status


def test_it_opens_a_poll_with_the_active_members_as_electorate(world, now):
    poll = open_poll(world, now=now)
    assert poll.state_at(now) == Poll.State.OPEN
    voters = set(PollVoter.objects.filter(poll=poll).values_list("organization_id", flat=True))
    assert voters == {world.acme.pk, world.beta.pk}  # not the applicant, not the outsider


def test_it_computes_the_state_from_the_clock(world, now):
    poll = open_poll(world, now=now, opens_at=now + timedelta(hours=1), hours=3)
    assert poll.state_at(now) == Poll.State.SCHEDULED
    assert poll.state_at(now + timedelta(hours=2)) == Poll.State.OPEN
    assert poll.state_at(now + timedelta(hours=3)) == Poll.State.CLOSED


def test_a_scheduled_poll_snapshots_its_electorate_at_opening(world, now):
    poll = open_poll(world, now=now, opens_at=now + timedelta(hours=1), hours=3)
    assert not PollVoter.objects.filter(poll=poll).exists()
    newcomer = make_org_leader("eve@epsilon.test", "Eve", "Epsilon")
    admit(world.network, newcomer, world.leader)
    services.ballot_cast(
        actor=fresh(newcomer), poll=poll, choice="yes", now=now + timedelta(hours=2)
    )
    assert PollVoter.objects.filter(poll=poll).count() == 3


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"quorum": "1.5"}, "quorum"),
        ({"quorum": "-0.1"}, "quorum"),
        ({"quorum": "lots"}, "quorum"),
        ({"threshold": "most"}, "threshold"),
        ({"title": " "}, "title"),
        ({"kind": "dictator"}, "kind"),
        ({"method": "borda", "kind": "ranked"}, "method"),
        ({"options": ["Only one"], "kind": "approval"}, "options"),
        ({"options": ["Same", "same"], "kind": "ranked"}, "options"),
        ({"action": "launch_missiles"}, "action"),
    ],
)
def test_it_refuses_bad_settings_and_creates_nothing(world, now, fields, field):
    kind = fields.pop("kind", "yes_no")
    with pytest.raises(ValidationError) as exc:
        open_poll(world, kind, now=now, **fields)
    assert field in exc.value.message_dict
    assert not Poll.objects.exists()


def test_it_refuses_closing_before_opening(world, now):
    with pytest.raises(ValidationError) as exc:
        open_poll(world, now=now, opens_at=now + timedelta(days=3), hours=24)
    assert exc.value.message_dict["closes_at"] == ["The poll must close after it opens."]


def test_it_refuses_a_closing_time_beyond_the_calendar_and_creates_nothing(world, now):
    # 9999-12-31 23:59 is a typo, and half an hour later (the calendar feed's end) is no time
    # at all: the poll is refused with the reason, not created.
    last = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    with pytest.raises(ValidationError) as exc:
        open_poll(world, now=now, hours=(last - now) // timedelta(hours=1))
    assert exc.value.message_dict["closes_at"] == ["Give a date between the years 2000 and 2199."]
    assert not Poll.objects.exists()


def test_only_team_leaders_of_acting_members_create_polls(world, now):
    with pytest.raises(PermissionDenied):
        open_poll(world, now=now, actor=world.member)
    with pytest.raises(PermissionDenied):
        open_poll(world, now=now, actor=world.applicant)
    with pytest.raises(PermissionDenied):
        open_poll(world, now=now, actor=world.outsider)


def test_it_refuses_ballots_outside_the_window_and_the_electorate(world, now):
    poll = open_poll(world, now=now, opens_at=now + timedelta(hours=1), hours=3)
    with pytest.raises(ValidationError, match="voting has not started"):
        services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    with pytest.raises(ValidationError, match="no longer accepted"):
        services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=after_close(poll))
    at = now + timedelta(hours=2)
    with pytest.raises(PermissionDenied, match="not in the electorate"):
        services.ballot_cast(actor=world.applicant, poll=poll, choice="yes", now=at)
    with pytest.raises(PermissionDenied, match="team leader"):
        services.ballot_cast(actor=world.member, poll=poll, choice="yes", now=at)
    assert not Ballot.objects.exists() and not BallotRecord.objects.exists()


@pytest.mark.parametrize(
    "kind, choice, field",
    [
        ("ranked", ["Alpha", "Zulu"], "ranking"),
        ("ranked", ["Alpha", "Alpha"], "ranking"),
        ("ranked", ["Alpha", ["Bravo", "Alpha"]], "ranking"),
        ("ranked", "Alpha", "ranking"),
        ("approval", ["Zulu"], "approve"),
        ("score", {"Alpha": 6}, "scores"),
        ("score", {"Alpha": -1}, "scores"),
        ("score", {"Alpha": "5"}, "scores"),
        ("consensus", "maybe", "choice"),
        ("yes_no", "block", "choice"),
    ],
)
def test_it_refuses_invalid_ballots(world, now, kind, choice, field):
    poll = open_poll(world, kind, now=now)
    with pytest.raises(ValidationError) as exc:
        services.ballot_cast(actor=world.leader, poll=poll, choice=choice, now=now)
    assert field in exc.value.message_dict
    assert not BallotRecord.objects.exists()


def test_voting_twice_the_same_ballot_is_refused(world, now):
    poll = open_poll(world, now=now)
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    with pytest.raises(ValidationError, match="already cast exactly this ballot"):
        services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    assert BallotRecord.objects.count() == 1


def test_changing_a_vote_keeps_the_history_and_counts_the_last(world, now):
    poll = open_poll(world, now=now)
    _, first = services.ballot_cast(actor=world.leader, poll=poll, choice="no", now=now)
    _, second = services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    assert first != second
    ballot = Ballot.objects.get(poll=poll)
    assert (ballot.choice, ballot.receipt, ballot.changes) == ({"choice": "yes"}, second, 1)
    records = list(BallotRecord.objects.filter(poll=poll))
    assert [r.choice["choice"] for r in records] == ["no", "yes"]
    assert records[1].previous_hash == records[0].hash
    assert services.current_choices(poll) == [{"choice": "yes"}]


def _close(poll):
    at = after_close(poll)
    assert services.poll_settle(poll, now=at)
    poll.refresh_from_db()
    return poll


def test_yes_no_with_thresholds(world, now):
    poll = open_poll(world, now=now, threshold="unanimity")
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    services.ballot_cast(actor=world.other_leader, poll=poll, choice="no", now=now)
    assert _close(poll).result["passed"] is False
    poll = open_poll(world, now=now, threshold="majority")
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    services.ballot_cast(actor=world.other_leader, poll=poll, choice="abstain", now=now)
    assert _close(poll).result["passed"] is True


def test_consensus_is_blocked_by_one_block(world, now):
    poll = open_poll(world, "consensus", now=now)
    services.ballot_cast(actor=world.leader, poll=poll, choice="agree", now=now)
    services.ballot_cast(actor=world.other_leader, poll=poll, choice="block", now=now)
    result = _close(poll).result
    assert result["passed"] is False and result["tally"]["details"]["reason"] == "blocked"


def test_a_missed_quorum_fails_the_poll(world, now):
    poll = open_poll(world, now=now, quorum="0.75")
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    result = _close(poll).result
    assert (result["passed"], result["quorum_met"]) == (False, False)
    ranked = open_poll(world, "ranked", now=now, quorum="1")
    services.ballot_cast(actor=world.leader, poll=ranked, choice=["Bravo"], now=now)
    result = _close(ranked).result
    assert (result["winners"], result["quorum_met"]) == ([], False)


@pytest.mark.parametrize(
    "method, winner", [("schulze", "Bravo"), ("ranked_pairs", "Bravo"), ("irv", "Bravo")]
)
def test_ranked_polls_count_with_their_method(world, now, method, winner):
    poll = open_poll(world, "ranked", now=now, method=method)
    services.ballot_cast(actor=world.leader, poll=poll, choice=["Bravo", "Alpha"], now=now)
    services.ballot_cast(
        actor=world.other_leader, poll=poll, choice=[["Bravo", "Charlie"], "Alpha"], now=now
    )
    result = _close(poll).result
    assert result["winners"] == [winner] and result["method"] == method


def test_approval_and_score_polls(world, now):
    poll = open_poll(world, "approval", now=now)
    services.ballot_cast(actor=world.leader, poll=poll, choice=["Alpha", "Charlie"], now=now)
    services.ballot_cast(actor=world.other_leader, poll=poll, choice=["Charlie"], now=now)
    assert _close(poll).result["winners"] == ["Charlie"]
    poll = open_poll(world, "score", now=now)
    services.ballot_cast(actor=world.leader, poll=poll, choice={"Alpha": 5, "Bravo": 1}, now=now)
    services.ballot_cast(
        actor=world.other_leader, poll=poll, choice={"Alpha": 0, "Bravo": 5}, now=now
    )
    assert _close(poll).result["winners"] == ["Bravo"]


def test_the_export_recounts_to_the_published_result(world, now):
    poll = open_poll(world, "ranked", now=now, secret=True)
    services.ballot_cast(actor=world.leader, poll=poll, choice=["Alpha", "Bravo"], now=now)
    services.ballot_cast(actor=world.other_leader, poll=poll, choice=["Charlie"], now=now)
    poll = _close(poll)
    export = services.poll_export(poll)
    recount = tally(export["method"], export, **export["options"])
    assert recount == poll.result["tally"]
    assert export["result"]["winners"] == poll.result["winners"]
    assert len(export["receipts"]) == 2 and export["receipts"] == sorted(export["receipts"])


def test_the_export_waits_for_the_close(world, now):
    poll = open_poll(world, now=now)
    with pytest.raises(ValidationError, match="when the poll closes"):
        services.poll_export(poll)


def test_a_secret_poll_stores_no_link_between_organization_and_choice(world, now):
    poll = open_poll(world, "approval", now=now, secret=True)
    ballot, _receipt = services.ballot_cast(
        actor=world.leader, poll=poll, choice=["Alpha"], now=now
    )
    services.ballot_cast(actor=world.leader, poll=poll, choice=["Bravo"], now=now)
    ballot.refresh_from_db()
    assert (ballot.choice, ballot.receipt, ballot.cast_at) == (None, "", None)
    for record in BallotRecord.objects.filter(poll=poll):
        assert (record.organization_id, record.person_id, record.created_at) == (None, None, None)
    assert services.current_choices(poll) == [{"approve": ["Bravo"]}]
    from consortia.core.models import Event

    ballot_events = Event.objects.filter(verb="poll.ballot_cast")
    assert all(e.organization_id is None and e.actor_id is None for e in ballot_events)
    poll = _close(poll)
    assert poll.ballot_salt == ""  # the keys can no longer be recomputed by anyone


def test_secret_is_irreversible(world, now):
    poll = open_poll(world, now=now)
    services.poll_set_secret(actor=world.leader, poll=poll, secret=True)
    with pytest.raises(ValidationError, match="stays secret"):
        services.poll_set_secret(actor=world.leader, poll=poll, secret=False)
    poll.refresh_from_db()
    assert poll.secret


def test_an_open_poll_with_ballots_cannot_become_secret(world, now):
    poll = open_poll(world, now=now)
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    with pytest.raises(ValidationError, match="before the first vote"):
        services.poll_set_secret(actor=world.leader, poll=poll, secret=True)


def test_the_outcome_is_applied_exactly_once(world, now, monkeypatch):
    poll = open_poll(
        world, now=now, action="amend_charter", action_payload={"text": "New charter text"}
    )
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    at = after_close(poll)
    assert services.poll_settle(poll, now=at) is True
    stale = Poll.objects.get(pk=poll.pk)
    stale.outcome_applied_at = None  # another process that read the poll before it was settled
    assert services.poll_settle(stale, now=at) is False
    assert services.settle_closed_polls(now=at) == 0
    versions = Agreement.objects.filter(network=world.network, kind="charter").count()
    assert versions == 2


def test_a_closed_poll_settles_by_the_clock_alone(world, now, monkeypatch):
    poll = open_poll(world, now=now)
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: after_close(poll))
    assert poll.state == Poll.State.CLOSED
    assert services.settle_closed_polls() == 1
    poll.refresh_from_db()
    assert poll.result["passed"] is True


def test_amending_the_charter_requires_members_to_accept_it_again(world, now):
    poll = open_poll(world, now=now, action="amend_charter", action_payload={"text": "Version two"})
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    _close(poll)
    network = type(world.network).objects.get(pk=world.network.pk)
    assert network.agreements.filter(kind="charter").first().text == "Version two"
    assert not has_accepted_charter(world.acme.pk, network)


def test_removal_by_vote_excludes_the_member_concerned(world, now):
    membership = NetworkMembership.objects.get(network=world.network, organization=world.beta)
    with pytest.raises(ValidationError, match="reason"):
        open_poll(world, now=now, action="remove", action_payload={"membership": membership.pk})
    poll = open_poll(
        world,
        now=now,
        action="remove",
        action_payload={"membership": membership.pk, "reason": "Never delivers"},
    )
    with pytest.raises(PermissionDenied, match="not in the electorate"):
        services.ballot_cast(actor=world.other_leader, poll=poll, choice="no", now=now)
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    _close(poll)
    membership.refresh_from_db()
    # The default notice period: removed, effective 30 days after the close.
    assert membership.status == Status.REMOVED
    assert membership.ended_at == poll.closes_at + timedelta(days=30)


def test_admission_polls_are_opened_by_the_system(world, now):
    pending = NetworkMembership.objects.get(network=world.network, organization=world.gamma)
    with pytest.raises(ValidationError, match="opened by the system"):
        open_poll(world, now=now, action="admit", action_payload={"membership": pending.pk})
    poll = services.poll_create(
        actor=None,
        network=world.network,
        title="Admit Gamma",
        kind="yes_no",
        closes_at=now + timedelta(days=1),
        now=now,
        action="admit",
        action_payload={"membership": pending.pk},
    )
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    services.ballot_cast(actor=world.other_leader, poll=poll, choice="no", now=now)
    # Admission polls close as soon as every member has voted: a tie is not a majority.
    poll.refresh_from_db()
    assert poll.closed_early and poll.outcome_applied_at == poll.closes_at
    pending.refresh_from_db()
    assert pending.status == Status.REJECTED


def test_the_free_form_outcome_statement(world, now):
    poll = open_poll(world, now=now)
    with pytest.raises(ValidationError, match="once the poll has closed"):
        services.poll_record_outcome(actor=world.leader, poll=poll, statement="Done", now=now)
    with pytest.raises(PermissionDenied):
        services.poll_record_outcome(
            actor=world.other_leader, poll=poll, statement="Done", now=after_close(poll)
        )
    services.poll_record_outcome(
        actor=world.leader,
        poll=poll,
        statement="We go ahead",
        now=after_close(poll),
        review_on=(now + timedelta(days=90)).date(),
    )
    poll.refresh_from_db()
    assert poll.outcome_statement == "We go ahead" and poll.review_on


def test_new_members_after_opening_do_not_vote(world, now):
    poll = open_poll(world, now=now)
    newcomer = make_org_leader("eve@epsilon.test", "Eve", "Epsilon")
    admit(world.network, newcomer, world.leader)
    with pytest.raises(PermissionDenied, match="not in the electorate"):
        services.ballot_cast(actor=fresh(newcomer), poll=poll, choice="yes", now=now)


def _vote_rule(world):
    world.network.admission_rule = "vote"
    world.network.save(update_fields=["admission_rule"])


def test_under_the_vote_rule_an_application_opens_an_admission_poll(world, now):
    _vote_rule(world)
    newcomer = make_org_leader("eve@epsilon.test", "Eve", "Epsilon")
    from consortia.networks import services as network_services

    membership = network_services.network_apply(actor=newcomer, network=world.network)
    poll = Poll.objects.get(action="admit")
    assert poll.action_payload["membership"] == membership.pk and poll.created_by is None
    with pytest.raises(ValidationError, match="admits organizations by poll"):
        network_services.admission_vote(
            actor=fresh(world.leader), membership=membership, decision="approve"
        )
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes")
    services.ballot_cast(actor=world.other_leader, poll=poll, choice="yes")
    services.poll_settle(poll, now=after_close(poll))
    membership.refresh_from_db()
    assert membership.status == Status.ACTIVE


def test_an_admission_poll_does_not_decide_a_new_request(world, now):
    _vote_rule(world)
    newcomer = make_org_leader("eve@epsilon.test", "Eve", "Epsilon")
    from consortia.networks import services as network_services

    network_services.network_apply(actor=newcomer, network=world.network)
    first = Poll.objects.get(action="admit")
    network_services.network_leave(actor=fresh(newcomer), network=world.network)
    membership = network_services.network_apply(actor=fresh(newcomer), network=world.network)
    services.ballot_cast(actor=world.leader, poll=first, choice="no")
    services.poll_settle(first, now=after_close(first))
    membership.refresh_from_db()
    assert membership.status == Status.APPLIED  # the second poll decides
    assert Poll.objects.filter(action="admit").count() == 2


def test_the_worker_reminds_non_voters_once_a_day_before_the_close(world, now):
    from consortia.core.models import Notification

    poll = open_poll(world, now=now, hours=48)
    services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    assert services.remind_closing_polls(now=now) == 0  # two days left
    later = now + timedelta(hours=30)
    Notification.objects.all().delete()
    assert services.remind_closing_polls(now=later) == 1
    assert services.remind_closing_polls(now=later) == 0
    reminded = set(
        Notification.objects.filter(kind="poll.closing_soon").values_list("person_id", flat=True)
    )
    assert reminded == {world.other_leader.pk}  # Acme voted; Beta did not


def test_other_apps_register_actions_with_their_own_electorate(world, now):
    from consortia.decisions import outcomes

    applied = []
    outcomes.register(
        "test.pick",
        lambda poll, result: applied.append(result["winners"]),
        kinds=("ranked",),
        electorate=lambda poll: {world.acme.pk},
        system_only=True,
    )
    try:
        poll = services.poll_create(
            actor=None,
            network=world.network,
            title="Pick",
            kind="ranked",
            now=now,
            options=["Alpha", "Bravo"],
            closes_at=now + timedelta(hours=1),
            action="test.pick",
        )
        with pytest.raises(PermissionDenied, match="not in the electorate"):
            services.ballot_cast(actor=world.other_leader, poll=poll, choice=["Alpha"], now=now)
        services.ballot_cast(actor=world.leader, poll=poll, choice=["Bravo"], now=now)
        services.poll_settle(poll, now=after_close(poll))
        services.poll_settle(Poll.objects.get(pk=poll.pk), now=after_close(poll))
        assert applied == [["Bravo"]]
    finally:
        outcomes._REGISTRY.pop("test.pick")


def test_the_worker_runs_the_decisions_jobs(world, now):
    from consortia.core.worker import run_jobs

    poll = open_poll(world, now=now - timedelta(hours=2), hours=1)
    done = run_jobs()
    assert done["decisions.settle_closed_polls"] == 1
    assert done["decisions.remind_closing_polls"] == 0
    poll.refresh_from_db()
    assert poll.outcome_applied_at is not None
