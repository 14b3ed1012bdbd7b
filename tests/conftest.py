"""Shared personas: a small network built through the services, as people would build it.

- leader:        team leader of Acme Labs, whose organization founded the Northwind network
- member:        a member (not team leader) of Acme Labs
- other_leader:  team leader of Beta Works, an admitted member that accepted the charter
- other_member:  a member of Beta Works ("a member of another organization")
- applicant:     team leader of Gamma Group, which asked to join and awaits admission
- outsider:      team leader of Delta Corp, which has nothing to do with the network
- anonymous:     a visitor who is not signed in (use `client`)
"""

import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client

from consortia.accounts import services as accounts
from consortia.core.models import OutboundEmail
from consortia.networks import services
from consortia.networks.models import Network, Organization, OrgMembership, Person

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits and used TOTP codes live in the cache; each test starts clean.
    cache.clear()
    yield
    cache.clear()


CONFIRM_LINK = re.compile(r"/accounts/confirm-email/([^/\s]+)/")


def verification_key(email: str) -> str:
    """The key in the newest verification e-mail queued for `email`."""
    for message in OutboundEmail.objects.filter(to=email).order_by("-pk"):
        found = CONFIRM_LINK.search(message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no verification e-mail to {email}")


def verify_email(person: Person) -> Person:
    """What the person does after signing up: ask for the link, open it from the e-mail."""
    accounts.email_verification_send(person=person)
    accounts.email_confirm(key=verification_key(person.email))
    return person


def make_person(email: str, name: str, *, verified: bool = True) -> Person:
    person = services.person_sign_up(email=email, name=name, password=PASSWORD)
    return verify_email(person) if verified else person


def make_org_leader(email: str, name: str, org_name: str, **org_fields) -> Person:
    person = make_person(email, name)
    services.organization_create(actor=person, name=org_name, **org_fields)
    return Person.objects.get(pk=person.pk)


def add_colleague(leader: Person, email: str, name: str, *, role="member", department="") -> Person:
    person = make_person(email, name)
    invitation, _ = services.colleague_invite(
        actor=leader, email=email, role=role, department=department
    )
    services.invitation_accept(actor=person, invitation=invitation)
    return Person.objects.get(pk=person.pk)


def admit(network: Network, applicant_leader: Person, *approvers: Person, accept_charter=True):
    membership = services.network_apply(actor=applicant_leader, network=network, message="Hello")
    for approver in approvers:
        services.admission_vote(actor=fresh(approver), membership=membership, decision="approve")
    if accept_charter:
        services.charter_accept(actor=fresh(applicant_leader), network=network)
    membership.refresh_from_db()
    return membership


def fresh(person: Person) -> Person:
    """The same person with no cached memberships, as on a new request."""
    return Person.objects.select_related("org_membership__organization").get(pk=person.pk)


@dataclass
class World:
    network: Network
    leader: Person
    member: Person
    other_leader: Person
    other_member: Person
    applicant: Person
    outsider: Person

    @property
    def acme(self) -> Organization:
        return self.leader.organization

    @property
    def beta(self) -> Organization:
        return self.other_leader.organization

    @property
    def gamma(self) -> Organization:
        return self.applicant.organization

    @property
    def delta(self) -> Organization:
        return self.outsider.organization


@pytest.fixture
def world(db) -> World:
    leader = make_org_leader("ada@acme.test", "Ada Leader", "Acme Labs", kind="company")
    member = add_colleague(leader, "max@acme.test", "Max Member", department="Engineering")
    network = services.network_found(
        actor=leader,
        name="Northwind Alliance",
        slug="northwind",
        description="Regional manufacturers partnering on supply-chain resilience.",
        charter_text="We partner for mutual benefit. Nobody gives orders; we request and accept.",
    )
    other_leader = make_org_leader("bo@beta.test", "Bo Other", "Beta Works", kind="university")
    admit(network, other_leader, leader)
    other_member = add_colleague(
        other_leader, "cy@beta.test", "Cy Colleague", department="Research"
    )
    applicant = make_org_leader("gil@gamma.test", "Gil Applicant", "Gamma Group")
    services.network_apply(actor=applicant, network=network, message="We would like to join.")
    outsider = make_org_leader("dee@delta.test", "Dee Outsider", "Delta Corp")
    return World(
        network=network,
        leader=fresh(leader),
        member=fresh(member),
        other_leader=fresh(other_leader),
        other_member=fresh(other_member),
        applicant=fresh(applicant),
        outsider=fresh(outsider),
    )


def login(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def signed_in(person: Person, password: str = PASSWORD) -> Client:
    """A client signed in through the sign-in form, as a person does (sensitive actions such
    as creating an API token accept a sign-in of the last few minutes)."""
    client = Client()
    response = client.post("/login/", {"login": person.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def as_leader(world) -> Client:
    return login(world.leader)


@pytest.fixture
def as_member(world) -> Client:
    return login(world.member)


@pytest.fixture
def as_other(world) -> Client:
    return login(world.other_member)


@pytest.fixture
def as_applicant(world) -> Client:
    return login(world.applicant)


@pytest.fixture
def as_outsider(world) -> Client:
    return login(world.outsider)


__all__ = [
    "PASSWORD",
    "OrgMembership",
    "World",
    "add_colleague",
    "admit",
    "fresh",
    "login",
    "make_org_leader",
    "make_person",
    "signed_in",
    "verification_key",
    "verify_email",
]
