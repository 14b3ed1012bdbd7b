"""The demo network: realistic, built through the services, and safe to load twice."""

import pytest
from django.contrib.auth import authenticate
from django.db.models import Count, Q
from django.test import override_settings

from consortia import demo as consortia_demo
from consortia.core.models import Event
from consortia.networks import demo
from consortia.networks.models import (
    AgreementAcceptance,
    Invitation,
    NetworkMembership,
    Organization,
    OrgMembership,
    Person,
)

Status = NetworkMembership.Status


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def network(django_db_setup, django_db_blocker):
    """Loaded once for the module (each test still runs in its own rolled-back transaction),
    and removed afterwards so no other test module sees it."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as conftest's _fast_hashing
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast):
        network = consortia_demo.load().network
    yield network
    with django_db_blocker.unblock():
        demo.reset()
        assert not Event.objects.exists()
        assert not Organization.objects.exists()


def test_it_has_at_least_eight_active_organizations_of_different_kinds(network):
    active = Organization.objects.filter(
        network_memberships__network=network, network_memberships__status=Status.ACTIVE
    )
    assert active.count() >= 8
    assert active.values("kind").distinct().count() >= 4
    assert all(org.description and org.offerings and org.needs for org in active)


def test_each_organization_has_three_to_six_people_led_by_one_or_two_team_leaders(network):
    orgs = Organization.objects.filter(name__in=[org.name for org in demo.all_orgs()]).annotate(
        people=Count("memberships"),
        leaders=Count("memberships", filter=Q(memberships__role=OrgMembership.Role.TEAM_LEADER)),
        departments=Count("memberships__department", distinct=True),
    )
    assert len(orgs) == len(demo.all_orgs())
    for org in orgs:
        assert 3 <= org.people <= 6, org
        assert 1 <= org.leaders <= 2, org
        assert org.departments >= 2, org


def test_one_organization_awaits_admission_with_a_message(network):
    pending = NetworkMembership.objects.get(network=network, status__in=NetworkMembership.PENDING)
    assert pending.status == Status.APPLIED
    assert pending.message
    assert pending.admission_votes.count() == 1  # one approval of the two needed


def test_one_invitation_by_email_is_still_open(network):
    invitation = Invitation.objects.get(
        kind=Invitation.Kind.NETWORK, network=network, status=Invitation.Status.PENDING
    )
    assert invitation.is_open
    assert not Person.objects.filter(email=invitation.email).exists()


def test_most_but_not_all_members_accepted_the_charter(network):
    active = NetworkMembership.objects.filter(network=network, status=Status.ACTIVE).count()
    accepted = AgreementAcceptance.objects.filter(agreement__network=network).count()
    assert active / 2 < accepted < active
    assert len(network.agreements.get().text.split("\n\n")) == 8


def test_the_services_told_the_story_as_events(network):
    verbs = set(Event.objects.filter(network=network).values_list("verb", flat=True))
    assert {
        "network.founded",
        "network.applied",
        "network.admitted",
        "agreement.accepted",
        "network.invitation_accepted",
        "network.organization_invited",
    } <= verbs


def test_every_person_can_sign_in_with_the_demo_password(network):
    emails = demo.all_emails()
    assert Person.objects.filter(email__in=emails).count() == len(emails)
    for email in emails:
        assert authenticate(email=email, password=demo.PASSWORD) is not None, email


def test_loading_it_again_changes_nothing(network):
    before = (Person.objects.count(), Event.objects.count(), NetworkMembership.objects.count())
    result = consortia_demo.load()
    assert not result.created
    assert result.network == network
    assert (
        Person.objects.count(),
        Event.objects.count(),
        NetworkMembership.objects.count(),
    ) == before


def test_reset_removes_the_demo_and_nothing_else(world, network):
    others = Person.objects.exclude(email__in=demo.all_emails()).count()
    demo.reset()
    assert not Person.objects.filter(email__in=demo.all_emails()).exists()
    assert Person.objects.count() == others
    assert not Organization.objects.filter(name=demo.NORTHSHORE).exists()
    world.network.refresh_from_db()


def test_it_refuses_a_foreign_network_at_the_demo_address(network, world):
    from consortia.networks import services

    demo.reset()
    services.network_found(
        actor=world.outsider, name="Another", slug=demo.NETWORK_SLUG, charter_text="Ours."
    )
    with pytest.raises(demo.DemoError):
        consortia_demo.load()


def test_the_sign_in_text_names_the_lead_login_and_the_password():
    text = demo.logins_text()
    assert demo.LEAD_EMAIL in text
    assert demo.PASSWORD in text


def test_it_shows_one_settled_and_one_open_decision(network):
    from consortia.decisions import services as decisions
    from consortia.decisions.models import Poll

    polls = {poll.kind: poll for poll in Poll.objects.filter(network=network)}
    assert polls["ranked"].state == "closed" and polls["consensus"].state == "open"
    decisions.poll_settle(polls["ranked"])
    polls["ranked"].refresh_from_db()
    assert polls["ranked"].result["winners"] == ["Shared supplier-risk dashboard"]
