"""The initiative lifecycle through the services: consent everywhere, authority from the clock."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consortia.core.models import Event, Notification
from consortia.initiatives import permissions, services
from consortia.initiatives.models import (
    Commitment,
    Initiative,
    JointPlan,
    LeadershipTerm,
    Participation,
    Request,
)
from tests.conftest import fresh
from tests.initiatives.conftest import make_leader, propose, today


def test_it_proposes_with_the_proposer_as_first_participant(world):
    initiative = propose(world)
    assert initiative.status == Initiative.Status.PROPOSED
    assert [p.organization for p in initiative.participations.all()] == [world.acme]
    assert initiative.participations.get().status == Participation.Status.ACTIVE
    assert Event.objects.filter(verb="initiative.proposed").exists()


def test_it_refuses_an_end_before_the_start_and_changes_nothing(world):
    with pytest.raises(ValidationError) as exc:
        propose(world, ends_on=today() - timedelta(days=1))
    assert "end date" in str(exc.value)
    assert not Initiative.objects.exists()


def test_it_refuses_proposals_from_organizations_outside_the_network(world):
    with pytest.raises(PermissionDenied):
        services.initiative_propose(
            actor=world.outsider,
            network=world.network,
            title="X",
            objective="Y",
            starts_on=today(),
            ends_on=today(),
        )


def test_nobody_is_added_without_accepting(world):
    initiative = propose(world)
    participation = services.participation_invite(
        actor=fresh(world.leader), initiative=initiative, organization=world.beta
    )
    assert participation.status == Participation.Status.INVITED
    assert not permissions.is_participant(fresh(world.other_leader), initiative)
    # Acme cannot accept on Beta's behalf.
    with pytest.raises(PermissionDenied):
        services.participation_accept(actor=fresh(world.leader), participation=participation)
    services.participation_accept(actor=fresh(world.other_leader), participation=participation)
    participation.refresh_from_db()
    assert participation.status == Participation.Status.ACTIVE
    assert participation.team_leader == world.other_leader


def test_a_request_to_join_is_accepted_by_a_participating_team_leader(world):
    initiative = propose(world)
    participation = services.participation_request(
        actor=fresh(world.other_leader), initiative=initiative
    )
    assert participation.status == Participation.Status.REQUESTED
    # The requester cannot accept itself, nor can a plain member of Acme.
    for person in (world.other_leader, world.member):
        with pytest.raises(PermissionDenied):
            services.participation_accept(actor=fresh(person), participation=participation)
    services.participation_accept(actor=fresh(world.leader), participation=participation)
    participation.refresh_from_db()
    assert participation.status == Participation.Status.ACTIVE


def test_with_a_leader_only_the_leader_accepts_participants(world, initiative):
    make_leader(initiative, world.other_leader)
    from tests.conftest import admit, make_org_leader

    epsilon = make_org_leader("eve@eps.test", "Eve Eps", "Epsilon")
    admit(world.network, epsilon, world.leader)
    participation = services.participation_request(actor=fresh(epsilon), initiative=initiative)
    with pytest.raises(PermissionDenied) as exc:
        services.participation_accept(actor=fresh(world.leader), participation=participation)
    assert "Bo Other" in str(exc.value)
    services.participation_accept(actor=fresh(world.other_leader), participation=participation)


def test_a_nominee_must_accept_before_being_granted_a_term(world, initiative):
    nomination = services.nominate(
        actor=fresh(world.leader), initiative=initiative, person=fresh(world.other_leader)
    )
    with pytest.raises(ValidationError):
        services.leadership_term_grant(
            initiative=initiative, person=world.other_leader, source="consensus"
        )
    with pytest.raises(PermissionDenied):
        services.nomination_accept(actor=fresh(world.leader), nomination=nomination)
    services.nomination_accept(actor=fresh(world.other_leader), nomination=nomination)
    term = services.elect_leader(initiative, fresh(world.other_leader), source="election poll #1")
    assert permissions.current_leader(initiative).person == world.other_leader
    assert term.ends_at == services.term_end_for(initiative)
    assert permissions.is_leader(world.other_leader, initiative)


def test_a_nomination_of_an_outsider_is_refused(world, initiative):
    with pytest.raises(ValidationError):
        services.nominate(actor=fresh(world.leader), initiative=initiative, person=world.outsider)


def test_the_leaders_plan_rights_vanish_when_the_term_ends(world, initiative):
    now = timezone.now()
    make_leader(
        initiative,
        world.other_leader,
        starts_at=now - timedelta(days=10),
        ends_at=now + timedelta(hours=1),
    )
    services.plan_revise(actor=fresh(world.other_leader), initiative=initiative, goals="v1")
    later = now + timedelta(hours=2)
    permissions.forget(initiative)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert permissions.current_leader(initiative) is None
        assert not permissions.is_leader(world.other_leader, initiative)
        # Without a leader, the rule falls back to participating team leaders (still Bo)...
        # ...but on behalf of the initiative, nobody may send requests any more.
        with pytest.raises(PermissionDenied) as exc:
            services.request_send(
                actor=fresh(world.other_leader),
                initiative=initiative,
                to_organization=world.acme,
                title="Audit",
                due_on=today() + timedelta(days=5),
                on_behalf_of_initiative=True,
            )
        assert "nobody leads it now" in str(exc.value)
    assert JointPlan.objects.count() == 1
    assert not Request.objects.exists()


def test_a_member_who_is_not_the_leader_cannot_edit_the_plan_while_a_term_runs(world, initiative):
    make_leader(initiative, world.other_leader)
    with pytest.raises(PermissionDenied):
        services.plan_revise(actor=fresh(world.leader), initiative=initiative, goals="Mine")
    assert not JointPlan.objects.exists()


def test_an_expired_leader_who_is_not_a_team_leader_loses_the_plan(world, initiative):
    now = timezone.now()
    make_leader(
        initiative,
        world.member,
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(minutes=1),
    )
    with pytest.raises(PermissionDenied):
        services.plan_revise(actor=fresh(world.member), initiative=initiative, goals="Late")
    assert not JointPlan.objects.exists()


def test_plan_versions_are_accepted_per_organization(world, initiative):
    plan = services.plan_revise(
        actor=fresh(world.leader),
        initiative=initiative,
        goals="Cut shortages by half",
        raci={
            "responsibilities": [
                {"name": "Data", "roles": {str(world.acme.pk): "A", str(world.beta.pk): "R"}}
            ]
        },
    )
    assert plan.version == 1
    assert list(plan.acceptances.values_list("organization", flat=True)) == [world.acme.pk]
    services.plan_accept(actor=fresh(world.other_leader), plan=plan)
    with pytest.raises(ValidationError):
        services.plan_accept(actor=fresh(world.other_leader), plan=plan)
    second = services.plan_revise(actor=fresh(world.leader), initiative=initiative, goals="v2")
    assert second.version == 2 and second.acceptances.count() == 1


def test_it_refuses_a_raci_role_for_a_non_participant(world, initiative):
    with pytest.raises(ValidationError):
        services.plan_revise(
            actor=fresh(world.leader),
            initiative=initiative,
            goals="G",
            raci={"responsibilities": [{"name": "X", "roles": {str(world.delta.pk): "R"}}]},
        )
    with pytest.raises(ValidationError):
        services.plan_revise(
            actor=fresh(world.leader),
            initiative=initiative,
            goals="G",
            raci={"responsibilities": [{"name": "X", "roles": {str(world.acme.pk): "Z"}}]},
        )
    assert not JointPlan.objects.exists()


def send(world, initiative, **fields):
    data = dict(
        to_organization=world.beta, title="Calibrate sensors", due_on=today() + timedelta(days=7)
    )
    data.update(fields)
    return services.request_send(actor=fresh(world.leader), initiative=initiative, **data)


def test_a_request_becomes_a_commitment_only_when_accepted(world, initiative):
    request = send(world, initiative)
    assert Notification.objects.filter(person=world.other_leader, kind="request.received").exists()
    assert not Commitment.objects.exists()
    with pytest.raises(PermissionDenied):
        services.request_accept(actor=fresh(world.leader), request=request)
    commitment = services.request_accept(actor=fresh(world.other_leader), request=request)
    assert commitment.due_on == request.due_on and commitment.owner_organization == world.beta
    assert Notification.objects.filter(person=world.leader, kind="request.answered").exists()
    services.commitment_deliver(actor=fresh(world.other_member), commitment=commitment)
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.DELIVERED
    assert commitment.timeliness == "on time"


def test_a_decline_needs_a_reason_and_changes_nothing_without_one(world, initiative):
    request = send(world, initiative)
    with pytest.raises(ValidationError):
        services.request_decline(actor=fresh(world.other_leader), request=request, reason="  ")
    request.refresh_from_db()
    assert request.status == Request.Status.OPEN
    services.request_decline(actor=fresh(world.other_leader), request=request, reason="No capacity")
    request.refresh_from_db()
    assert request.status == Request.Status.DECLINED and request.reason == "No capacity"


def test_it_refuses_a_due_date_in_the_past(world, initiative):
    with pytest.raises(ValidationError) as exc:
        send(world, initiative, due_on=today() - timedelta(days=1))
    assert "past" in str(exc.value)
    assert not Request.objects.exists()


def test_due_dates_beyond_the_calendar_are_refused_and_change_nothing(world, initiative):
    # A due date in the year 9999 has no next day: it once broke the calendar feed of every
    # person of the organization it was sent to. Sending, countering and renegotiating refuse it.
    far = date(9999, 12, 31)
    message = "Give a date between the years 2000 and 2199."
    with pytest.raises(ValidationError) as exc:
        send(world, initiative, due_on=far)
    assert exc.value.message_dict["due_on"] == [message]
    assert not Request.objects.exists()
    request = send(world, initiative)
    with pytest.raises(ValidationError) as exc:
        services.request_counter(actor=fresh(world.other_leader), request=request, due_on=far)
    assert exc.value.message_dict["due_on"] == [message]
    request.refresh_from_db()
    assert request.counter_due_on is None and request.status == Request.Status.OPEN
    commitment = services.request_accept(actor=fresh(world.other_leader), request=request)
    with pytest.raises(ValidationError) as exc:
        services.commitment_renegotiate(
            actor=fresh(world.leader), commitment=commitment, due_on=far, reason="Typo"
        )
    assert exc.value.message_dict["due_on"] == [message]
    assert Commitment.objects.get().status == Commitment.Status.OPEN


def test_non_participants_cannot_send_requests(world, initiative):
    from tests.conftest import admit, make_org_leader

    epsilon = make_org_leader("eve@eps.test", "Eve Eps", "Epsilon")
    admit(world.network, epsilon, world.leader)
    with pytest.raises(PermissionDenied):
        services.request_send(
            actor=fresh(epsilon),
            initiative=initiative,
            to_organization=world.acme,
            title="Hi",
            due_on=today(),
        )


def test_a_counter_proposal_is_accepted_by_the_sender(world, initiative):
    request = send(world, initiative)
    new_date = today() + timedelta(days=14)
    services.request_counter(actor=fresh(world.other_leader), request=request, due_on=new_date)
    with pytest.raises(PermissionDenied):
        services.request_counter_accept(actor=fresh(world.other_leader), request=request)
    commitment = services.request_counter_accept(actor=fresh(world.leader), request=request)
    assert commitment.due_on == new_date


def test_overdue_and_late_are_computed_on_read(world, initiative):
    commitment = services.request_accept(
        actor=fresh(world.other_leader), request=send(world, initiative)
    )
    later = timezone.now() + timedelta(days=9)
    assert not commitment.is_overdue
    assert commitment.is_overdue_at(later)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert commitment.is_overdue
        services.commitment_deliver(actor=fresh(world.other_leader), commitment=commitment)
    commitment.refresh_from_db()
    assert commitment.timeliness == "late"
    assert not commitment.is_overdue


def test_renegotiating_keeps_the_history(world, initiative):
    commitment = services.request_accept(
        actor=fresh(world.other_leader), request=send(world, initiative)
    )
    with pytest.raises(ValidationError):
        services.commitment_renegotiate(
            actor=fresh(world.leader),
            commitment=commitment,
            due_on=today() + timedelta(days=20),
            reason="",
        )
    replacement = services.commitment_renegotiate(
        actor=fresh(world.leader),
        commitment=commitment,
        due_on=today() + timedelta(days=20),
        reason="Parts are late",
    )
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.RENEGOTIATED
    assert replacement.previous == commitment and replacement.status == Commitment.Status.OPEN
    with pytest.raises(ValidationError):
        services.commitment_deliver(actor=fresh(world.other_leader), commitment=commitment)


def test_only_the_owner_withdraws_with_a_reason(world, initiative):
    commitment = services.request_accept(
        actor=fresh(world.other_leader), request=send(world, initiative)
    )
    with pytest.raises(PermissionDenied):
        services.commitment_withdraw(actor=fresh(world.leader), commitment=commitment, reason="x")
    with pytest.raises(ValidationError):
        services.commitment_withdraw(
            actor=fresh(world.other_leader), commitment=commitment, reason=""
        )
    services.commitment_withdraw(
        actor=fresh(world.other_leader), commitment=commitment, reason="Budget cut"
    )
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.WITHDRAWN


def test_the_leader_sends_on_behalf_of_the_initiative(world, initiative):
    make_leader(initiative, world.other_leader)
    request = services.request_send(
        actor=fresh(world.other_leader),
        initiative=initiative,
        to_organization=world.acme,
        title="Host the review",
        due_on=today() + timedelta(days=3),
        on_behalf_of_initiative=True,
    )
    assert request.on_behalf_of_initiative
    with pytest.raises(PermissionDenied):
        send(world, initiative, on_behalf_of_initiative=True)


def test_lifecycle_start_complete(world, initiative):
    services.initiative_start(actor=fresh(world.leader), initiative=initiative)
    initiative.refresh_from_db()
    assert initiative.status == Initiative.Status.ACTIVE
    with pytest.raises(PermissionDenied):  # nobody leads it: completing needs a poll
        services.initiative_complete(actor=fresh(world.leader), initiative=initiative)
    make_leader(initiative, world.other_leader)
    services.initiative_complete(actor=fresh(world.other_leader), initiative=initiative)
    initiative.refresh_from_db()
    assert initiative.status == Initiative.Status.COMPLETED
    with pytest.raises(PermissionDenied):
        services.plan_revise(actor=fresh(world.other_leader), initiative=initiative, goals="After")


def test_a_new_term_ends_the_running_one(world, initiative):
    make_leader(initiative, world.other_leader)
    make_leader(initiative, world.leader)
    terms = list(LeadershipTerm.objects.order_by("id"))
    assert terms[0].ends_at == terms[1].starts_at
    assert permissions.current_leader(initiative).person == world.leader


def test_leaving_and_rejoining(world, initiative):
    services.participation_leave(actor=fresh(world.other_leader), initiative=initiative)
    assert not permissions.is_participant(fresh(world.other_leader), initiative)
    participation = services.participation_request(
        actor=fresh(world.other_leader), initiative=initiative
    )
    assert participation.status == Participation.Status.REQUESTED


def test_it_refuses_absurd_periods(world):
    with pytest.raises(ValidationError):
        propose(world, ends_on=today() + timedelta(days=365 * 40))
    with pytest.raises(ValidationError):
        propose(world, starts_on=date(1, 1, 1), ends_on=date(1, 1, 2))
    # A start in the year 9999 leaves no room for the 20-year limit: refused with the reason
    # (it was a server error), as is any start after 2199.
    for starts_on in (date(9999, 1, 1), date(2200, 1, 1)):
        with pytest.raises(ValidationError) as exc:
            propose(world, starts_on=starts_on, ends_on=starts_on + timedelta(days=31))
        assert exc.value.message_dict["starts_on"] == [
            "Give a date between the years 2000 and 2199."
        ]
    assert not Initiative.objects.exists()
