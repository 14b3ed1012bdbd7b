"""The demo network: realistic, built through the services, and safe to load twice."""

import pytest
from django.contrib.auth import authenticate
from django.db.models import Count, Q
from django.test import RequestFactory, override_settings

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
        # A request, as every sign-in has one: the lockout check (axes) needs its address.
        request = RequestFactory().post("/login/")
        assert authenticate(request, email=email, password=demo.PASSWORD) is not None, email


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


def test_it_shows_settled_and_open_decisions(network):
    from consortia.decisions import services as decisions
    from consortia.decisions.models import Poll

    polls = Poll.objects.filter(network=network)
    ranked = polls.get(kind="ranked")
    assert ranked.state == "closed" and ranked.outcome_applied_at is not None
    assert [p.state for p in polls.filter(kind="consensus").order_by("closes_at")] == [
        "closed",
        "open",
    ]
    assert not decisions.poll_settle(ranked)  # settled when it closed, half a year ago
    assert ranked.result["winners"] == ["Shared supplier-risk dashboard"]


def test_its_history_spans_the_past_year(network):
    """The story is told over time: the feed, the trust index and the charts look lived in."""
    from datetime import timedelta

    from django.utils import timezone

    from consortia.initiatives.models import Commitment, Initiative
    from consortia.reviews.models import Review

    now = timezone.now()
    events = Event.objects.filter(network=network)
    oldest, newest = events.order_by("created_at")[0], events.order_by("-created_at")[0]
    assert now - oldest.created_at > timedelta(days=300)
    assert now - newest.created_at < timedelta(days=2)
    # Activity in most months, not all of it in the last minute.
    months = {e.created_at.strftime("%Y-%m") for e in events.only("created_at")}
    assert len(months) >= 10
    assert events.filter(created_at__gte=now - timedelta(hours=1)).count() < events.count() / 4
    # Commitments delivered on time and late, long ago and recently.
    delivered = Commitment.objects.filter(initiative__network=network, status="delivered")
    assert {c.timeliness for c in delivered} >= {"on time", "late"}
    assert min(c.closed_at for c in delivered) < now - timedelta(days=150)
    # A completed initiative with its held reviews; polls settled months ago.
    done = Initiative.objects.get(network=network, status="completed")
    assert Review.objects.filter(initiative=done, held_at__isnull=False).count() == 2
    ranked = network.polls.get(kind="ranked")
    assert now - ranked.outcome_applied_at > timedelta(days=150)
    # Measurements reported month after month.
    from consortia.metrics.models import Measurement

    reported = Measurement.objects.filter(metric__network=network).values_list(
        "created_at", flat=True
    )
    assert len({moment.strftime("%Y-%m") for moment in reported}) >= 10


def test_matching_is_indexed_and_a_demo_challenge_finds_sensible_helpers(network):
    """matching: the demo builds its index offline; Lakeside's apprentices challenge is
    answered first by the training nonprofit, with its words as evidence."""
    from consortia.matching import ranking
    from consortia.matching.models import MatchDocument
    from consortia.sharing.models import Item

    members = NetworkMembership.objects.filter(network=network).values("organization_id")
    assert MatchDocument.objects.filter(organization_id__in=members).count() >= members.count()
    challenge = Item.objects.get(network=network, title="Apprentices for CNC machining")
    alice = Person.objects.get(email="alice@northshore-steel.example")
    result = ranking.match(
        alice, network, f"{challenge.title}\n{challenge.body}", exclude=[challenge.organization_id]
    )
    top = result.matches[0]
    assert top.organization.name == "Great Lakes Skills Collaborative"
    assert top.strength == "strong" and top.words
