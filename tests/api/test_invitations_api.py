"""Invitations through the API.

The invitee answers with the secret from the emailed link, as on the web: sign-up does not
verify addresses, so being signed in with the invited address is not enough. The inviting
organization lists what it sent and withdraws by id.
"""

import pytest

from consortia.networks import services
from consortia.networks.models import Invitation, NetworkMembership
from tests.api.conftest import ApiClient, field_errors, token_for
from tests.conftest import add_colleague, make_person


@pytest.fixture
def to_outsider(world) -> tuple[Invitation, str]:
    """Acme invites Delta Corp (through its team leader's email) into Northwind."""
    return services.network_invite_organization(
        actor=world.leader, network=world.network, email="DEE@delta.test", message="Join us"
    )


@pytest.fixture
def newcomer(world):
    """Someone without an organization, invited by Acme's team leader to join Acme Labs."""
    person = make_person("nia@acme.test", "Nia Newcomer")
    invitation, raw = services.colleague_invite(
        actor=world.leader, email=person.email, department="Design"
    )
    return person, invitation, raw


# GET /invitations ---------------------------------------------------------------------------


def test_it_lists_the_open_invitations_my_organization_sent(api, to_outsider, newcomer):
    invitation, _raw = to_outsider
    body = api.member.get("/invitations").json()
    assert body["count"] == 2
    assert [(i["kind"], i["email"], i["status"]) for i in body["items"]] == [
        ("colleague", "nia@acme.test", "pending"),
        ("network", "dee@delta.test", "pending"),
    ]
    sent = body["items"][1]
    assert sent["id"] == invitation.pk
    assert sent["network"] == {"slug": "northwind", "name": "Northwind Alliance"}
    assert sent["inviting_organization"]["slug"] == "acme-labs"
    assert sent["invited_by"] == "Ada Leader"


def test_invitations_addressed_to_me_are_not_listed(api, to_outsider):
    # Whoever signs up with an address must not learn what was sent to it.
    assert api.outsider.get("/invitations").json()["count"] == 0
    assert api.other_leader.get("/invitations").json()["count"] == 0


def test_invitation_list_queries_do_not_grow(api, world, django_assert_num_queries):
    api.leader.get("/me")

    def count():
        # token + person + organization, COUNT(*), the page with networks, organizations and
        # inviters
        with django_assert_num_queries(3):
            assert api.leader.get("/invitations").status_code == 200

    count()
    for n in range(3):
        services.network_invite_organization(
            actor=world.leader, network=world.network, email=f"boss{n}@e.test"
        )
        services.colleague_invite(actor=world.leader, email=f"c{n}@acme.test")
    count()


# POST /invitations/accept -------------------------------------------------------------------


def test_a_newcomer_accepts_a_colleague_invitation(world, newcomer):
    person, _invitation, raw = newcomer
    client = ApiClient(token_for(person))
    response = client.post("/invitations/accept", {"token": raw})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    me = client.get("/me").json()
    assert (me["organization"]["slug"], me["role"], me["department"]) == (
        "acme-labs",
        "member",
        "Design",
    )
    errors = field_errors(client.post("/invitations/accept", {"token": raw}))
    assert "already been accepted" in errors["__all__"]


def test_a_team_leader_accepts_a_network_invitation_for_the_organization(api, to_outsider):
    _invitation, raw = to_outsider
    response = api.outsider.post("/invitations/accept", {"token": raw})
    assert response.status_code == 200, response.content
    assert response.json()["organization"]["slug"] == "delta-corp"
    membership = NetworkMembership.objects.get(organization__slug="delta-corp")
    assert membership.status == "invited"  # the members still decide


def test_a_wrong_secret_looks_like_no_invitation(api, to_outsider):
    invitation, raw = to_outsider
    for token in ("not-the-secret", raw[:-1], str(invitation.pk)):
        assert api.outsider.post("/invitations/accept", {"token": token}).status_code == 404
        assert api.outsider.post("/invitations/decline", {"token": token}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_only_the_invited_address_can_answer_even_with_the_link(api, to_outsider):
    invitation, raw = to_outsider
    for client in (api.leader, api.other_leader, api.member):
        response = client.post("/invitations/accept", {"token": raw})
        assert response.status_code == 403
        assert "sent to dee@delta.test" in response.json()["detail"]
        assert client.post("/invitations/decline", {"token": raw}).status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_only_a_team_leader_accepts_for_the_organization(world):
    colleague = add_colleague(world.outsider, "dan@delta.test", "Dan Delta")
    invitation, raw = services.network_invite_organization(
        actor=world.leader, network=world.network, email=colleague.email
    )
    response = ApiClient(token_for(colleague)).post("/invitations/accept", {"token": raw})
    assert response.status_code == 403
    assert "team leader" in response.json()["detail"]
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_someone_in_an_organization_cannot_accept_a_colleague_invitation_elsewhere(api, world):
    _invitation, raw = services.colleague_invite(actor=world.leader, email=world.outsider.email)
    errors = field_errors(api.outsider.post("/invitations/accept", {"token": raw}))
    assert "already belong" in errors["__all__"]


def test_it_refuses_a_bad_accept(api):
    assert "token" in field_errors(api.outsider.post("/invitations/accept", {}))
    assert "token" in field_errors(api.outsider.post("/invitations/accept", {"token": ""}))
    assert "token" in field_errors(api.outsider.post("/invitations/accept", {"token": "x" * 101}))


# POST /invitations/decline ------------------------------------------------------------------


def test_the_invitee_declines_with_a_reason(api, to_outsider):
    invitation, raw = to_outsider
    response = api.outsider.post("/invitations/decline", {"token": raw, "reason": "Not now"})
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    invitation.refresh_from_db()
    assert invitation.decline_reason == "Not now"
    assert "__all__" in field_errors(api.outsider.post("/invitations/decline", {"token": raw}))


def test_it_refuses_a_bad_decline(api, to_outsider):
    invitation, raw = to_outsider
    path = "/invitations/decline"
    assert "reason" in field_errors(api.outsider.post(path, {"token": raw, "reason": "x" * 2001}))
    assert "reason" in field_errors(api.outsider.post(path, {"token": raw, "reason": 42}))
    assert "token" in field_errors(api.outsider.post(path, {"reason": "No"}))
    invitation.refresh_from_db()
    assert invitation.status == "pending"


# DELETE /invitations/{id} -------------------------------------------------------------------


def test_the_inviting_organization_withdraws_an_invitation(api, to_outsider):
    invitation, raw = to_outsider
    response = api.member.delete(f"/invitations/{invitation.pk}")  # anyone at Acme
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert api.leader.get("/invitations").json()["count"] == 0
    errors = field_errors(api.leader.delete(f"/invitations/{invitation.pk}"))
    assert "unanswered" in errors["__all__"]
    errors = field_errors(api.outsider.post("/invitations/accept", {"token": raw}))
    assert "withdrawn" in errors["__all__"]


def test_only_the_inviting_organization_withdraws(api, to_outsider):
    invitation, _raw = to_outsider
    assert api.outsider.delete(f"/invitations/{invitation.pk}").status_code == 404
    assert api.other_leader.delete(f"/invitations/{invitation.pk}").status_code == 404
    assert api.leader.delete("/invitations/999999").status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_only_team_leaders_withdraw_colleague_invitations(api, newcomer):
    _person, invitation, _raw = newcomer
    assert api.member.delete(f"/invitations/{invitation.pk}").status_code == 403
    assert api.leader.delete(f"/invitations/{invitation.pk}").status_code == 200
