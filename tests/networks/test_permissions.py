"""The permission funnel, cell by cell: who may view, read and act on what."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from consortia.networks import permissions, services
from consortia.networks.models import Network
from consortia.networks.selectors import events_visible_to

pytestmark = pytest.mark.django_db

ALLOWED, FORBIDDEN, NOT_FOUND = "allowed", "403", "404"

# persona by need on a LISTED network
LISTED = {
    "leader": {"view": ALLOWED, "member": ALLOWED, "act": ALLOWED},
    "member": {"view": ALLOWED, "member": ALLOWED, "act": ALLOWED},
    "other_member": {"view": ALLOWED, "member": ALLOWED, "act": ALLOWED},
    # Inside a network is 404 to whoever is not an active member (DESIGN.md rule 3).
    "applicant": {"view": ALLOWED, "member": NOT_FOUND, "act": NOT_FOUND},
    "outsider": {"view": ALLOWED, "member": NOT_FOUND, "act": NOT_FOUND},
    "anonymous": {"view": NOT_FOUND, "member": NOT_FOUND, "act": NOT_FOUND},
}
# …and on an UNLISTED one: outsiders may not even learn it exists.
UNLISTED = {
    **LISTED,
    "outsider": {"view": NOT_FOUND, "member": NOT_FOUND, "act": NOT_FOUND},
}


def outcome(person, slug, need):
    try:
        permissions.get_network_for(person, slug, need=need)
    except Http404:
        return NOT_FOUND
    except PermissionDenied:
        return FORBIDDEN
    return ALLOWED


def persona(world, name):
    return AnonymousUser() if name == "anonymous" else getattr(world, name)


@pytest.mark.parametrize("visibility,matrix", [("listed", LISTED), ("unlisted", UNLISTED)])
def test_it_decides_network_access_per_the_matrix(world, visibility, matrix):
    Network.objects.filter(pk=world.network.pk).update(visibility=visibility)
    actual = {
        name: {need: outcome(persona(world, name), "northwind", need) for need in cells}
        for name, cells in matrix.items()
    }
    assert actual == matrix


def test_it_answers_404_for_a_network_that_does_not_exist(world):
    assert outcome(world.leader, "no-such-network", "view") == NOT_FOUND


def test_it_does_not_reveal_an_unlisted_network_to_whoever_claims_an_invited_address(world):
    """Sign-up does not verify addresses: only the emailed link proves one is the invitee."""
    Network.objects.filter(pk=world.network.pk).update(visibility="unlisted")
    services.network_invite_organization(
        actor=world.leader, network=world.network, email=world.outsider.email
    )
    assert outcome(world.outsider, "northwind", "view") == NOT_FOUND


def test_it_still_shows_an_unlisted_network_to_a_former_or_rejected_member(world):
    Network.objects.filter(pk=world.network.pk).update(visibility="unlisted")
    services.network_leave(actor=world.other_leader, network=world.network)
    from tests.conftest import fresh

    assert outcome(fresh(world.other_member), "northwind", "view") == ALLOWED
    assert outcome(fresh(world.other_member), "northwind", "member") == NOT_FOUND


def test_it_stops_acting_until_a_new_member_accepts_the_charter(world):
    from consortia.networks.models import NetworkMembership
    from tests.conftest import fresh

    pending = NetworkMembership.objects.get(organization=world.gamma)
    services.admission_vote(actor=world.leader, membership=pending, decision="approve")
    applicant = fresh(world.applicant)
    assert outcome(applicant, "northwind", "member") == ALLOWED
    assert outcome(applicant, "northwind", "act") == FORBIDDEN
    services.charter_accept(actor=applicant, network=world.network)
    assert outcome(fresh(applicant), "northwind", "act") == ALLOWED


def test_it_ends_access_the_moment_an_organization_leaves(world):
    services.network_leave(actor=world.other_leader, network=world.network)
    from tests.conftest import fresh

    assert outcome(fresh(world.other_member), "northwind", "member") == NOT_FOUND


@pytest.mark.parametrize(
    "name,visible",
    [
        ("leader", {"Acme Labs", "Beta Works", "Gamma Group"}),
        ("other_member", {"Acme Labs", "Beta Works", "Gamma Group"}),
        ("applicant", {"Gamma Group"}),
        ("outsider", {"Delta Corp"}),
    ],
)
def test_it_shows_organizations_only_to_their_partners(world, name, visible):
    person = getattr(world, name)
    names = set(permissions.organizations_visible_to(person).values_list("name", flat=True))
    assert names == visible


def test_it_hides_an_organization_from_non_partners_with_404(world):
    with pytest.raises(Http404):
        permissions.get_organization_for(world.outsider, world.acme.slug)
    with pytest.raises(PermissionDenied):
        permissions.get_organization_for(world.other_leader, world.acme.slug, write=True)
    with pytest.raises(PermissionDenied):
        permissions.get_organization_for(world.member, world.acme.slug, write=True)
    assert permissions.get_organization_for(world.leader, world.acme.slug, write=True) == world.acme


def test_it_filters_events_by_audience(world):
    leader_events = set(events_visible_to(person=world.leader).values_list("summary", flat=True))
    other_events = set(
        events_visible_to(person=world.other_member).values_list("summary", flat=True)
    )
    outsider_events = set(
        events_visible_to(person=world.outsider).values_list("summary", flat=True)
    )
    acme_private = "Ada Leader invited max@acme.test to join Acme Labs"
    assert acme_private in leader_events
    assert acme_private not in other_events
    assert "Acme Labs founded Northwind Alliance and accepted its charter" in other_events
    # The outsider sees only its own organization's events, nothing of the network.
    assert outsider_events == {"Dee Outsider created Delta Corp"}
    assert events_visible_to(person=AnonymousUser()).count() == 0


def test_it_filters_events_in_one_query(world, django_assert_num_queries):
    person = world.leader
    person.membership  # noqa: B018 - the org is known once the request is authenticated
    with django_assert_num_queries(1):
        list(events_visible_to(person=person, network=world.network)[:25])
