"""The flows of C1 through the service layer: consent at every step, no owner, events."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consortia.core.models import Event, OutboundEmail
from consortia.networks import services
from consortia.networks.models import (
    AdmissionVote,
    AgreementAcceptance,
    Invitation,
    Network,
    NetworkMembership,
    OrgMembership,
)
from tests.conftest import add_colleague, fresh, make_org_leader, make_person

pytestmark = pytest.mark.django_db


def status_of(network, organization):
    return NetworkMembership.objects.get(network=network, organization=organization).status


class TestSignUpAndOrganizations:
    def test_it_signs_up_with_a_normalised_email(self):
        person = make_person("  Zoe@Example.TEST ", "Zoe")
        assert person.email == "zoe@example.test"
        assert person.check_password("correct horse battery staple")

    def test_it_refuses_a_duplicate_email_whatever_its_case(self):
        make_person("zoe@example.test", "Zoe")
        with pytest.raises(ValidationError) as exc:
            make_person("ZOE@example.test", "Zoe again")
        assert "already exists" in str(exc.value)

    def test_it_refuses_a_weak_password(self):
        with pytest.raises(ValidationError) as exc:
            services.person_sign_up(email="a@b.test", name="A", password="123")
        assert "password" in exc.value.message_dict

    def test_it_makes_the_creator_of_an_organization_its_team_leader(self):
        person = make_person("zoe@example.test", "Zoe")
        org = services.organization_create(actor=person, name="Zeta Labs", department="Ops")
        membership = OrgMembership.objects.get(person=person)
        assert membership.organization == org
        assert membership.role == "team_leader"
        assert org.slug == "zeta-labs"
        assert Event.objects.filter(verb="organization.created", audience_organization=org).exists()

    def test_it_refuses_a_second_organization_for_one_person(self, world):
        with pytest.raises(ValidationError):
            services.organization_create(actor=world.leader, name="Side Project")

    def test_it_refuses_a_duplicate_organization_name(self, world):
        person = make_person("new@x.test", "New")
        with pytest.raises(ValidationError) as exc:
            services.organization_create(actor=person, name="acme labs")
        assert "name" in exc.value.message_dict
        assert not OrgMembership.objects.filter(person=person).exists()

    def test_it_lets_only_team_leaders_edit_their_organization(self, world):
        services.organization_update(actor=world.leader, organization=world.acme, needs="Sensors")
        assert world.acme.needs == "Sensors"
        with pytest.raises(PermissionDenied):
            services.organization_update(actor=world.member, organization=world.acme, needs="x")
        with pytest.raises(PermissionDenied):
            services.organization_update(
                actor=world.other_leader, organization=world.acme, needs="x"
            )

    def test_it_keeps_at_least_one_team_leader(self, world):
        with pytest.raises(ValidationError):
            services.org_member_update(
                actor=world.leader, membership=world.leader.membership, role="member"
            )
        services.org_member_update(
            actor=world.leader,
            membership=world.member.membership,
            role="team_leader",
            department="Sales",
        )
        services.org_member_update(
            actor=world.leader, membership=world.leader.membership, role="member"
        )
        assert fresh(world.member).is_team_leader
        assert not fresh(world.leader).is_team_leader


class TestColleagueInvitations:
    def test_it_adds_a_colleague_only_when_they_accept(self, world):
        invitation, raw = services.colleague_invite(
            actor=world.leader, email="new@acme.test", role="member", department="Sales"
        )
        assert OutboundEmail.objects.filter(to="new@acme.test", body__contains=raw).exists()
        assert Invitation.objects.get(pk=invitation.pk).digest != raw  # stored hashed
        person = make_person("new@acme.test", "New Colleague")
        assert person.organization is None
        services.invitation_accept(actor=person, invitation=services.invitation_by_token(raw))
        person = fresh(person)
        assert person.organization == world.acme
        assert person.membership.department == "Sales"

    def test_it_lets_only_team_leaders_invite_colleagues(self, world):
        with pytest.raises(PermissionDenied):
            services.colleague_invite(actor=world.member, email="x@acme.test")

    def test_it_refuses_someone_already_in_the_organization(self, world):
        with pytest.raises(ValidationError):
            services.colleague_invite(actor=world.leader, email="MAX@acme.test")

    def test_it_refuses_an_invalid_email(self, world):
        with pytest.raises(ValidationError) as exc:
            services.colleague_invite(actor=world.leader, email="not-an-email")
        assert "email" in exc.value.message_dict

    def test_it_refuses_a_reused_link(self, world):
        _, raw = services.colleague_invite(actor=world.leader, email="new@acme.test")
        person = make_person("new@acme.test", "New")
        services.invitation_accept(actor=person, invitation=services.invitation_by_token(raw))
        with pytest.raises(ValidationError) as exc:
            services.invitation_accept(
                actor=fresh(person), invitation=services.invitation_by_token(raw)
            )
        assert "already been accepted" in str(exc.value)

    def test_it_refuses_an_expired_link(self, world):
        invitation, raw = services.colleague_invite(actor=world.leader, email="new@acme.test")
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        person = make_person("new@acme.test", "New")
        with pytest.raises(ValidationError) as exc:
            services.invitation_accept(actor=person, invitation=services.invitation_by_token(raw))
        assert "expired" in str(exc.value)
        assert fresh(person).organization is None

    def test_it_refuses_someone_else_using_the_link(self, world):
        _, raw = services.colleague_invite(actor=world.leader, email="new@acme.test")
        stranger = make_person("stranger@x.test", "Stranger")
        with pytest.raises(PermissionDenied):
            services.invitation_accept(actor=stranger, invitation=services.invitation_by_token(raw))

    def test_it_lets_the_invitee_decline(self, world):
        _, raw = services.colleague_invite(actor=world.leader, email="new@acme.test")
        person = make_person("new@acme.test", "New")
        services.invitation_decline(
            actor=person, invitation=services.invitation_by_token(raw), reason="No"
        )
        assert services.invitation_by_token(raw).status == "declined"
        assert fresh(person).organization is None

    def test_it_lets_the_inviting_organization_withdraw(self, world):
        invitation, raw = services.colleague_invite(actor=world.leader, email="new@acme.test")
        with pytest.raises(PermissionDenied):
            services.invitation_revoke(actor=world.other_leader, invitation=invitation)
        services.invitation_revoke(actor=world.leader, invitation=invitation)
        person = make_person("new@acme.test", "New")
        with pytest.raises(ValidationError):
            services.invitation_accept(actor=person, invitation=services.invitation_by_token(raw))


class TestFoundingANetwork:
    def test_it_makes_the_founders_organization_the_first_member_without_any_owner(self):
        founder = make_org_leader("f@f.test", "Founder", "Founders Inc")
        network = services.network_found(
            actor=founder, name="Open Circle", charter_text="We partner.", approvals_required=2
        )
        assert network.slug == "open-circle"
        membership = NetworkMembership.objects.get(network=network)
        assert membership.organization == founder.organization
        assert membership.status == "active"
        assert AgreementAcceptance.objects.filter(organization=founder.organization).count() == 1
        # No owner: the network model has no field pointing at a person or an organization.
        assert not [
            f
            for f in Network._meta.concrete_fields
            if f.is_relation and f.related_model.__name__ in {"Person", "Organization"}
        ]

    def test_it_refuses_a_taken_slug_and_changes_nothing(self, world):
        before = Network.objects.count()
        with pytest.raises(ValidationError) as exc:
            services.network_found(
                actor=world.outsider, name="Another", slug="northwind", charter_text="x"
            )
        assert "slug" in exc.value.message_dict
        assert Network.objects.count() == before

    def test_it_needs_a_charter_and_a_team_leader(self, world):
        with pytest.raises(ValidationError) as exc:
            services.network_found(actor=world.outsider, name="No Charter", charter_text="  ")
        assert "charter_text" in exc.value.message_dict
        with pytest.raises(PermissionDenied):
            services.network_found(actor=world.member, name="Rogue", charter_text="x")

    def test_it_refuses_reserved_and_empty_slugs(self, world):
        for slug in ("new", "!!!"):
            with pytest.raises(ValidationError):
                services.network_found(actor=world.outsider, name="N", slug=slug, charter_text="x")


class TestNetworkInvitations:
    def test_it_admits_an_invited_organization_only_after_it_accepts_and_members_approve(
        self, world
    ):
        _, raw = services.network_invite_organization(
            actor=world.member, network=world.network, email="eve@epsilon.test", message="Join us"
        )
        assert OutboundEmail.objects.filter(to="eve@epsilon.test", body__contains=raw).exists()
        eve = make_org_leader("eve@epsilon.test", "Eve", "Epsilon")
        assert not NetworkMembership.objects.filter(organization=eve.organization).exists()
        services.invitation_accept(actor=eve, invitation=services.invitation_by_token(raw))
        assert status_of(world.network, eve.organization) == "invited"
        membership = NetworkMembership.objects.get(organization=eve.organization)
        assert membership.invited_by == world.member
        services.admission_vote(actor=world.leader, membership=membership, decision="approve")
        assert status_of(world.network, eve.organization) == "active"

    def test_it_refuses_to_invite_an_organization_already_in(self, world):
        with pytest.raises(ValidationError) as exc:
            services.network_invite_organization(
                actor=world.leader, network=world.network, email="cy@beta.test"
            )
        assert "already a member" in str(exc.value)
        with pytest.raises(ValidationError) as exc:
            services.network_invite_organization(
                actor=world.leader, network=world.network, email="gil@gamma.test"
            )
        assert "waiting for admission" in str(exc.value)

    def test_it_refuses_a_second_open_invitation_to_the_same_address(self, world):
        services.network_invite_organization(
            actor=world.leader, network=world.network, email="e@e.test"
        )
        with pytest.raises(ValidationError):
            services.network_invite_organization(
                actor=world.other_leader, network=world.network, email="E@e.test"
            )

    def test_it_refuses_invitations_from_non_members(self, world):
        for person in (world.applicant, world.outsider):
            with pytest.raises(PermissionDenied):
                services.network_invite_organization(
                    actor=person, network=world.network, email="e@e.test"
                )

    def test_it_lets_only_a_team_leader_accept_for_the_organization(self, world):
        _, raw = services.network_invite_organization(
            actor=world.leader, network=world.network, email="dee-colleague@delta.test"
        )
        colleague = add_colleague(world.outsider, "dee-colleague@delta.test", "Dee's colleague")
        with pytest.raises(PermissionDenied):
            services.invitation_accept(
                actor=colleague, invitation=services.invitation_by_token(raw)
            )
        assert not NetworkMembership.objects.filter(organization=world.delta).exists()


class TestApplicationsAndAdmission:
    def test_it_refuses_an_application_from_an_organization_already_in(self, world):
        with pytest.raises(ValidationError):
            services.network_apply(actor=world.leader, network=world.network)
        with pytest.raises(ValidationError):
            services.network_apply(actor=world.applicant, network=world.network)

    def test_it_admits_when_enough_member_organizations_approve(self, world):
        Network.objects.filter(pk=world.network.pk).update(approvals_required=2)
        membership = NetworkMembership.objects.get(organization=world.gamma)
        services.admission_vote(actor=world.leader, membership=membership, decision="approve")
        assert status_of(world.network, world.gamma) == "applied"
        services.admission_vote(actor=world.other_leader, membership=membership, decision="approve")
        assert status_of(world.network, world.gamma) == "active"
        assert Event.objects.filter(verb="network.admitted", network=world.network).exists()

    def test_it_caps_the_approvals_needed_at_the_number_of_members(self, world):
        Network.objects.filter(pk=world.network.pk).update(approvals_required=5)
        membership = NetworkMembership.objects.get(organization=world.gamma)
        services.admission_vote(actor=world.leader, membership=membership, decision="approve")
        services.admission_vote(actor=world.other_leader, membership=membership, decision="approve")
        assert status_of(world.network, world.gamma) == "active"

    def test_it_rejects_once_approval_can_no_longer_be_reached(self, world):
        Network.objects.filter(pk=world.network.pk).update(approvals_required=2)
        membership = NetworkMembership.objects.get(organization=world.gamma)
        services.admission_vote(
            actor=world.leader, membership=membership, decision="reject", reason="Competitor"
        )
        assert status_of(world.network, world.gamma) == "rejected"

    def test_it_needs_a_reason_to_reject(self, world):
        membership = NetworkMembership.objects.get(organization=world.gamma)
        with pytest.raises(ValidationError):
            services.admission_vote(actor=world.leader, membership=membership, decision="reject")
        assert not AdmissionVote.objects.filter(membership=membership).exists()

    def test_it_counts_one_decision_per_organization(self, world):
        Network.objects.filter(pk=world.network.pk).update(approvals_required=2)
        membership = NetworkMembership.objects.get(organization=world.gamma)
        services.admission_vote(actor=world.leader, membership=membership, decision="approve")
        colleague = add_colleague(world.leader, "lee@acme.test", "Lee", role="team_leader")
        with pytest.raises(ValidationError):
            services.admission_vote(actor=colleague, membership=membership, decision="approve")
        assert AdmissionVote.objects.filter(membership=membership).count() == 1

    def test_it_refuses_decisions_from_members_who_have_not_accepted_the_charter(self, world):
        newcomer = make_org_leader("n@n.test", "Newcomer", "Newco")
        membership = services.network_apply(actor=newcomer, network=world.network)
        services.admission_vote(actor=world.leader, membership=membership, decision="approve")
        with pytest.raises(PermissionDenied) as exc:
            services.admission_vote(
                actor=fresh(newcomer),
                membership=NetworkMembership.objects.get(organization=world.gamma),
                decision="approve",
            )
        assert "charter" in str(exc.value)

    def test_it_refuses_decisions_from_non_team_leaders_and_outsiders(self, world):
        membership = NetworkMembership.objects.get(organization=world.gamma)
        with pytest.raises(PermissionDenied):
            services.admission_vote(actor=world.member, membership=membership, decision="approve")
        with pytest.raises(PermissionDenied):
            services.admission_vote(actor=world.outsider, membership=membership, decision="approve")
        with pytest.raises(PermissionDenied):
            services.admission_vote(
                actor=world.applicant, membership=membership, decision="approve"
            )

    def test_it_refuses_a_decision_on_a_settled_membership(self, world):
        membership = NetworkMembership.objects.get(organization=world.beta)
        with pytest.raises(ValidationError):
            services.admission_vote(actor=world.leader, membership=membership, decision="approve")


class TestCharterAndLeaving:
    def test_it_records_who_accepted_the_charter_once(self, world):
        services.charter_accept(actor=world.applicant, network=world.network)
        with pytest.raises(ValidationError):
            services.charter_accept(actor=world.applicant, network=world.network)
        with pytest.raises(PermissionDenied):
            services.charter_accept(actor=world.outsider, network=world.network)
        with pytest.raises(PermissionDenied):
            services.charter_accept(actor=world.member, network=world.network)

    def test_it_lets_a_member_leave_at_any_time_but_only_once(self, world):
        services.network_leave(actor=world.other_leader, network=world.network)
        assert status_of(world.network, world.beta) == "left"
        with pytest.raises(ValidationError):
            services.network_leave(actor=fresh(world.other_leader), network=world.network)
        assert Event.objects.filter(verb="network.left").count() == 1

    def test_it_lets_a_former_member_ask_to_join_again(self, world):
        services.network_leave(actor=world.other_leader, network=world.network)
        services.network_apply(actor=fresh(world.other_leader), network=world.network)
        assert status_of(world.network, world.beta) == "applied"

    def test_it_lets_an_applicant_withdraw(self, world):
        services.network_leave(actor=world.applicant, network=world.network)
        assert status_of(world.network, world.gamma) == "left"

    def test_it_refuses_leaving_a_network_one_is_not_in(self, world):
        with pytest.raises(ValidationError):
            services.network_leave(actor=world.outsider, network=world.network)
        with pytest.raises(PermissionDenied):
            services.network_leave(actor=world.member, network=world.network)


class TestEvents:
    def test_every_flow_leaves_an_event_with_actor_and_audience(self, world):
        verbs = set(Event.objects.values_list("verb", flat=True))
        assert {
            "organization.created",
            "organization.colleague_invited",
            "organization.member_joined",
            "network.founded",
            "network.applied",
            "network.admission_approved",
            "network.admitted",
            "agreement.accepted",
        } <= verbs
        assert not Event.objects.filter(audience="network", network__isnull=True).exists()


def test_it_decides_pending_admissions_again_when_a_member_leaves(world):
    Network.objects.filter(pk=world.network.pk).update(approvals_required=2)
    membership = NetworkMembership.objects.get(organization=world.gamma)
    services.admission_vote(actor=world.leader, membership=membership, decision="approve")
    assert status_of(world.network, world.gamma) == "applied"
    services.network_leave(actor=world.other_leader, network=world.network)
    # One member left: one approval is now all that can be asked, and it was given.
    assert status_of(world.network, world.gamma) == "active"


def test_it_lets_the_founders_choose_admission_by_vote(world):
    from consortia.decisions.models import Poll

    network = services.network_found(
        actor=world.outsider, name="Voters", charter_text="We vote.", admission_rule="vote"
    )
    newcomer = make_org_leader("v@v.test", "Vic", "Vee Corp")
    membership = services.network_apply(actor=newcomer, network=network)
    assert membership.status == "applied"
    poll = Poll.objects.get(network=network)
    assert poll.action == "admit" and poll.kind == "yes_no"
    with pytest.raises(ValidationError):
        services.network_found(
            actor=world.outsider, name="Bad", charter_text="x", admission_rule="dictator"
        )
