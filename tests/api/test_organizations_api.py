"""The organizations API: profiles, people, roles and colleague invitations."""

from consortia.core.models import OutboundEmail
from consortia.networks.models import Invitation, Organization, OrgMembership
from tests.api.conftest import ApiClient, field_errors, token_for
from tests.conftest import add_colleague, make_person


def membership_id(person) -> int:
    return OrgMembership.objects.get(person=person).pk


# GET /organizations ------------------------------------------------------------------------


def test_it_lists_my_organization_and_my_partners(api):
    body = api.leader.get("/organizations").json()
    assert body["count"] == 3
    assert [(o["name"], o["is_mine"], o["people_count"]) for o in body["items"]] == [
        ("Acme Labs", True, 2),
        ("Beta Works", False, 2),
        ("Gamma Group", False, 1),  # applying to a network where Acme is a member
    ]


def test_an_outsider_sees_only_their_own_organization(api):
    body = api.outsider.get("/organizations").json()
    assert [o["slug"] for o in body["items"]] == ["delta-corp"]


def test_it_paginates_organizations(api):
    body = api.leader.get("/organizations", limit=2, offset=1).json()
    assert body["count"] == 3
    assert [o["slug"] for o in body["items"]] == ["beta-works", "gamma-group"]
    assert api.leader.get("/organizations", limit=0).status_code == 422
    assert api.leader.get("/organizations", limit=101).status_code == 422
    assert api.leader.get("/organizations", offset=-1).status_code == 422


def test_organization_list_queries_do_not_grow(api, world, django_assert_num_queries):
    api.leader.get("/me")  # records the token's last use: no UPDATE below

    def count():
        # token + person + organization, COUNT(*), the page with its people counts
        with django_assert_num_queries(3):
            assert api.leader.get("/organizations").status_code == 200

    count()
    add_colleague(world.leader, "new@acme.test", "New Colleague")
    add_colleague(world.other_leader, "new@beta.test", "New Beta")
    count()


# POST /organizations -----------------------------------------------------------------------


def test_it_creates_my_organization_and_makes_me_its_team_leader(world):
    person = make_person("eve@epsilon.test", "Eve Founder")
    client = ApiClient(token_for(person))
    response = client.post(
        "/organizations",
        {
            "name": "Epsilon",
            "kind": "nonprofit",
            "website": "https://epsilon.test",
            "department": "Board",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "epsilon"
    assert response.json()["is_mine"] is True
    me = client.get("/me").json()
    assert me["organization"]["slug"] == "epsilon"
    assert me["role"] == "team_leader"
    assert me["department"] == "Board"


def test_it_refuses_a_bad_organization_and_creates_nothing(world):
    client = ApiClient(token_for(make_person("eve@epsilon.test", "Eve Founder")))
    before = Organization.objects.count()
    assert "name" in field_errors(client.post("/organizations", {"name": ""}))
    assert "name" in field_errors(client.post("/organizations", {"name": "x" * 151}))
    assert "kind" in field_errors(client.post("/organizations", {"name": "E", "kind": "cult"}))
    assert "website" in field_errors(
        client.post("/organizations", {"name": "E", "website": "not a url"})
    )
    assert "name" in field_errors(client.post("/organizations", {"name": "acme labs"}))
    assert "unknown" in field_errors(client.post("/organizations", {"name": "E", "unknown": 1}))
    assert Organization.objects.count() == before
    assert client.get("/me").json()["organization"] is None


def test_a_person_acts_for_one_organization_only(api):
    errors = field_errors(api.member.post("/organizations", {"name": "Side Project"}))
    assert "already belong to Acme Labs" in errors["__all__"]


# GET /organizations/{slug} ------------------------------------------------------------------


def test_it_shows_a_partner_organization(api):
    response = api.leader.get("/organizations/beta-works")
    assert response.status_code == 200
    assert response.json()["kind"] == "university"
    assert response.json()["is_mine"] is False


def test_it_hides_organizations_an_outsider_does_not_know(api):
    assert api.outsider.get("/organizations/acme-labs").status_code == 404
    assert api.leader.get("/organizations/delta-corp").status_code == 404
    assert api.leader.get("/organizations/no-such-org").status_code == 404
    assert api.leader.get("/organizations/bad%20slug").status_code == 422


# PATCH /organizations/{slug} ----------------------------------------------------------------


def test_a_team_leader_updates_the_profile(api, world):
    response = api.leader.patch(
        "/organizations/acme-labs", {"offerings": "Sensors", "needs": "Logistics"}
    )
    assert response.status_code == 200
    assert response.json()["offerings"] == "Sensors"
    world.acme.refresh_from_db()
    assert (world.acme.offerings, world.acme.needs, world.acme.kind) == (
        "Sensors",
        "Logistics",
        "company",
    )


def test_only_the_organizations_team_leaders_update_it(api):
    assert api.member.patch("/organizations/acme-labs", {"values": "x"}).status_code == 403
    assert api.other_leader.patch("/organizations/acme-labs", {"values": "x"}).status_code == 403
    assert api.outsider.patch("/organizations/acme-labs", {"values": "x"}).status_code == 404
    assert "team leader" in api.member.patch("/organizations/acme-labs", {}).json()["detail"]


def test_it_refuses_a_bad_update_and_changes_nothing(api, world):
    assert "website" in field_errors(api.leader.patch("/organizations/acme-labs", {"website": "x"}))
    assert "name" in field_errors(
        api.leader.patch("/organizations/acme-labs", {"name": "Beta Works"})
    )
    assert "kind" in field_errors(api.leader.patch("/organizations/acme-labs", {"kind": "cult"}))
    assert "description" in field_errors(
        api.leader.patch("/organizations/acme-labs", {"description": "x" * 10_001})
    )
    world.acme.refresh_from_db()
    assert (world.acme.name, world.acme.website, world.acme.kind) == ("Acme Labs", "", "company")


# GET /organizations/{slug}/people -----------------------------------------------------------


def test_it_lists_the_people_of_my_organization_with_emails(api, world):
    body = api.member.get("/organizations/acme-labs/people").json()
    assert body["count"] == 2
    assert [
        (p["person"]["name"], p["role"], p["department"], p["email"]) for p in body["items"]
    ] == [
        ("Ada Leader", "team_leader", "", "ada@acme.test"),
        ("Max Member", "member", "Engineering", "max@acme.test"),
    ]


def test_partners_see_people_without_their_emails(api):
    body = api.other_member.get("/organizations/acme-labs/people").json()
    assert body["count"] == 2
    assert {p["email"] for p in body["items"]} == {None}


def test_an_outsider_cannot_list_people(api):
    assert api.outsider.get("/organizations/acme-labs/people").status_code == 404


def test_people_list_queries_do_not_grow(api, world, django_assert_num_queries):
    api.leader.get("/me")

    def count():
        # token + person + organization, the organization (visibility), COUNT(*), the page
        with django_assert_num_queries(4):
            assert api.leader.get("/organizations/acme-labs/people").status_code == 200

    count()
    for n in range(3):
        add_colleague(world.leader, f"p{n}@acme.test", f"Person {n}")
    count()


# PATCH /organizations/{slug}/people/{membership_id} -----------------------------------------


def test_a_team_leader_changes_a_colleagues_role_and_department(api, world):
    response = api.leader.patch(
        f"/organizations/acme-labs/people/{membership_id(world.member)}",
        {"role": "team_leader", "department": "Research"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "team_leader"
    assert response.json()["department"] == "Research"


def test_only_own_team_leaders_change_roles(api, world):
    path = f"/organizations/acme-labs/people/{membership_id(world.leader)}"
    assert api.member.patch(path, {"role": "member"}).status_code == 403
    assert api.other_leader.patch(path, {"role": "member"}).status_code == 403
    assert api.outsider.patch(path, {"role": "member"}).status_code == 404
    # A person of another organization is not found under this organization's address.
    other = f"/organizations/acme-labs/people/{membership_id(world.other_member)}"
    assert api.leader.patch(other, {"role": "team_leader"}).status_code == 404


def test_it_keeps_at_least_one_team_leader(api, world):
    path = f"/organizations/acme-labs/people/{membership_id(world.leader)}"
    assert "role" in field_errors(api.leader.patch(path, {"role": "member"}))
    assert "role" in field_errors(api.leader.patch(path, {"role": "boss"}))
    assert "department" in field_errors(api.leader.patch(path, {"department": "x" * 101}))
    assert OrgMembership.objects.get(person=world.leader).role == "team_leader"


# POST /organizations/{slug}/invitations -----------------------------------------------------


def test_a_team_leader_invites_a_colleague(api, world):
    response = api.leader.post(
        "/organizations/acme-labs/invitations",
        {"email": "New@Acme.test", "department": "Sales", "message": "Join us"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["email"], body["status"], body["role"]) == (
        "colleague",
        "new@acme.test",
        "pending",
        "member",
    )
    assert body["organization"] == {"slug": "acme-labs", "name": "Acme Labs"}
    assert body["invited_by"] == "Ada Leader"
    assert OutboundEmail.objects.filter(to="new@acme.test").exists()


def test_only_own_team_leaders_invite_colleagues(api):
    body = {"email": "new@acme.test"}
    assert api.member.post("/organizations/acme-labs/invitations", body).status_code == 403
    assert api.other_leader.post("/organizations/acme-labs/invitations", body).status_code == 403
    assert api.outsider.post("/organizations/acme-labs/invitations", body).status_code == 404
    assert not Invitation.objects.filter(email="new@acme.test").exists()


def test_it_refuses_a_bad_colleague_invitation(api):
    path = "/organizations/acme-labs/invitations"
    before = Invitation.objects.count()
    assert "email" in field_errors(api.leader.post(path, {"email": "not-an-email"}))
    assert "email" in field_errors(api.leader.post(path, {"email": "max@acme.test"}))
    assert "role" in field_errors(api.leader.post(path, {"email": "n@a.test", "role": "boss"}))
    assert "email" in field_errors(api.leader.post(path, {}))
    assert Invitation.objects.count() == before
