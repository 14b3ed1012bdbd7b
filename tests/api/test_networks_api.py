"""The networks API: founding, the directory, members, admissions, the charter, leaving."""

import pytest

from consortia.networks import services
from consortia.networks.models import AdmissionVote, Network, NetworkMembership
from tests.api.conftest import ApiClient, field_errors, token_for
from tests.conftest import add_colleague, admit, fresh, make_org_leader, make_person

CHARTER = "We partner for mutual benefit."


@pytest.fixture
def hidden(world) -> Network:
    """An unlisted network of Beta Works alone: unknown to everyone else."""
    return services.network_found(
        actor=world.other_leader,
        name="Skunkworks",
        slug="skunkworks",
        charter_text=CHARTER,
        visibility="unlisted",
    )


def pending_id(world) -> int:
    return NetworkMembership.objects.get(network=world.network, organization=world.gamma).pk


def admit_gamma(world) -> None:
    membership = NetworkMembership.objects.get(pk=pending_id(world))
    services.admission_vote(actor=fresh(world.leader), membership=membership, decision="approve")


# GET /networks ------------------------------------------------------------------------------


def test_it_lists_my_networks_and_the_directory(api, world, hidden):
    services.network_found(actor=world.outsider, name="Open Harbor", charter_text=CHARTER)
    items = api.leader.get("/networks").json()["items"]
    assert [
        (n["slug"], n["mine"], n["my_status"], n["member_count"], n["charter_accepted"])
        for n in items
    ] == [
        ("northwind", True, "active", 2, True),
        ("open-harbor", False, None, 1, False),
    ]
    assert [n["slug"] for n in api.leader.get("/networks", scope="mine").json()["items"]] == [
        "northwind"
    ]
    assert [n["slug"] for n in api.leader.get("/networks", scope="directory").json()["items"]] == [
        "open-harbor"
    ]
    assert api.leader.get("/networks", scope="everything").status_code == 422


def test_the_applicant_sees_its_pending_network_as_its_own(api):
    (northwind,) = api.applicant.get("/networks", scope="mine").json()["items"]
    assert (northwind["my_status"], northwind["charter_accepted"]) == ("applied", False)


def test_someone_without_an_organization_sees_the_directory(world):
    client = ApiClient(token_for(make_person("new@nowhere.test", "New Person")))
    (northwind,) = client.get("/networks").json()["items"]
    assert (northwind["mine"], northwind["charter_accepted"]) == (False, False)
    assert client.get("/networks", scope="mine").json()["count"] == 0
    assert client.get("/organizations").json()["count"] == 0
    assert client.post("/networks/northwind/applications", {}).status_code == 403


def test_unlisted_networks_stay_out_of_the_directory(api, hidden):
    assert "skunkworks" not in str(api.outsider.get("/networks").json())
    assert "skunkworks" in str(api.other_member.get("/networks").json())


def test_network_list_queries_do_not_grow(api, world, django_assert_num_queries):
    api.outsider.get("/me")

    def count():
        # token + person + organization, COUNT(*), the page with its annotations
        with django_assert_num_queries(3):
            assert api.outsider.get("/networks").status_code == 200

    count()
    for n in range(3):
        founder = make_org_leader(f"f{n}@f.test", f"Founder {n}", f"Founder Org {n}")
        services.network_found(actor=founder, name=f"Net {n}", charter_text=CHARTER)
    count()


# POST /networks -----------------------------------------------------------------------------


def test_a_team_leader_founds_a_network_with_its_charter(api, world):
    response = api.outsider.post(
        "/networks",
        {
            "name": "Delta Circle",
            "charter_text": CHARTER,
            "visibility": "unlisted",
            "approvals_required": 2,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["slug"], body["visibility"], body["approvals_required"]) == (
        "delta-circle",
        "unlisted",
        2,
    )
    assert (body["mine"], body["my_status"], body["charter_accepted"], body["member_count"]) == (
        True,
        "active",
        True,
        1,
    )


def test_it_refuses_a_network_name_with_a_direction_override(api):
    response = api.outsider.post(
        "/networks", {"name": "Northwind\u202eecnaillA", "charter_text": CHARTER}
    )
    assert field_errors(response) == {
        "name": "Remove the invisible character U+202E RIGHT-TO-LEFT OVERRIDE: names cannot "
        "contain control or text-direction characters, which can make a name look like another."
    }
    assert not Network.objects.filter(name__startswith="Northwind\u202e").exists()


def test_only_team_leaders_found_networks(api):
    response = api.member.post("/networks", {"name": "Side", "charter_text": CHARTER})
    assert response.status_code == 403
    assert "team leader" in response.json()["detail"]
    assert not Network.objects.filter(name="Side").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "charter_text": CHARTER}, "name"),
        ({"name": "   ", "charter_text": CHARTER}, "name"),
        ({"name": "x" * 151, "charter_text": CHARTER}, "name"),
        ({"name": "Admin", "slug": "admin", "charter_text": CHARTER}, "slug"),
        ({"name": "Northwind", "slug": "northwind", "charter_text": CHARTER}, "slug"),
        ({"name": "N"}, "charter_text"),
        ({"name": "N", "charter_text": "   "}, "charter_text"),
        ({"name": "N", "charter_text": CHARTER, "visibility": "secret"}, "visibility"),
        ({"name": "N", "charter_text": CHARTER, "approvals_required": 0}, "approvals_required"),
        ({"name": "N", "charter_text": CHARTER, "approvals_required": 51}, "approvals_required"),
        ({"name": "N\x00", "charter_text": CHARTER}, "name"),
    ],
)
def test_it_refuses_a_bad_network_and_founds_nothing(api, body, field):
    before = Network.objects.count()
    assert field in field_errors(api.outsider.post("/networks", body))
    assert Network.objects.count() == before


# GET /networks/{slug} -----------------------------------------------------------------------


def test_a_listed_network_is_visible_to_anyone_signed_in(api):
    body = api.outsider.get("/networks/northwind").json()
    assert (body["name"], body["mine"], body["member_count"]) == ("Northwind Alliance", False, 2)


def test_an_unlisted_network_is_visible_only_to_those_concerned(api, world, hidden):
    assert api.outsider.get("/networks/skunkworks").status_code == 404
    assert api.other_member.get("/networks/skunkworks").json()["my_status"] == "active"
    # An invited address proves nothing (sign-up does not verify it): only the link does.
    services.network_invite_organization(
        actor=world.other_leader, network=hidden, email=world.outsider.email
    )
    assert api.outsider.get("/networks/skunkworks").status_code == 404
    assert api.leader.get("/networks/nowhere").status_code == 404


# GET /networks/{slug}/members ---------------------------------------------------------------


def test_members_see_the_member_list(api):
    body = api.other_member.get("/networks/northwind/members").json()
    assert body["count"] == 2
    assert [
        (m["organization"]["slug"], m["kind"], m["people_count"], m["charter_accepted"])
        for m in body["items"]
    ] == [
        ("acme-labs", "company", 2, True),
        ("beta-works", "university", 2, True),
    ]


def test_non_members_do_not_see_the_member_list(api, hidden):
    assert api.outsider.get("/networks/northwind/members").status_code == 404
    assert api.applicant.get("/networks/northwind/members").status_code == 404
    assert api.outsider.get("/networks/skunkworks/members").status_code == 404


def test_member_list_queries_do_not_grow(api, world, django_assert_num_queries):
    api.leader.get("/me")

    def count():
        # token + person + organization, network, own membership, COUNT(*), the page
        with django_assert_num_queries(5):
            assert api.leader.get("/networks/northwind/members").status_code == 200

    count()
    admit_gamma(world)
    admit(world.network, make_org_leader("e@e.test", "E", "Epsilon"), world.leader)
    count()


# GET /networks/{slug}/pending ---------------------------------------------------------------


def test_members_see_pending_admissions(api, world):
    (pending,) = api.leader.get("/networks/northwind/pending").json()["items"]
    assert pending["membership_id"] == pending_id(world)
    assert (pending["organization"]["slug"], pending["status"], pending["message"]) == (
        "gamma-group",
        "applied",
        "We would like to join.",
    )
    assert (pending["approvals"], pending["rejections"], pending["approvals_needed"]) == (0, 0, 1)
    assert pending["requested_by"] == "Gil Applicant"
    assert pending["my_organization_decided"] is False


def test_non_members_do_not_see_pending_admissions(api, hidden):
    assert api.outsider.get("/networks/northwind/pending").status_code == 404
    assert api.applicant.get("/networks/northwind/pending").status_code == 404
    assert api.leader.get("/networks/skunkworks/pending").status_code == 404


def test_pending_list_queries_do_not_grow(api, world, django_assert_num_queries):
    api.leader.get("/me")

    def count():
        # token + person + organization, network, own membership, COUNT(*), the page
        with django_assert_num_queries(5):
            assert api.leader.get("/networks/northwind/pending").status_code == 200

    count()
    for n in range(3):
        leader = make_org_leader(f"a{n}@a.test", f"A {n}", f"Applicant {n}")
        services.network_apply(actor=leader, network=world.network)
    count()


# GET /networks/{slug}/activity --------------------------------------------------------------


def test_members_see_the_network_activity(api):
    items = api.other_member.get("/networks/northwind/activity").json()["items"]
    assert items[0]["verb"] == "network.applied"
    assert items[0]["organization"] == {"slug": "gamma-group", "name": "Gamma Group"}
    assert items[-1]["verb"] == "network.founded"
    assert {item["verb"] for item in items} >= {"network.admitted", "agreement.accepted"}


def test_non_members_do_not_see_the_activity(api, hidden):
    assert api.outsider.get("/networks/northwind/activity").status_code == 404
    assert api.applicant.get("/networks/northwind/activity").status_code == 404
    assert api.outsider.get("/networks/skunkworks/activity").status_code == 404


def test_activity_queries_do_not_grow(api, world, django_assert_num_queries):
    api.leader.get("/me")

    def count():
        # token + person + organization, network, own membership, COUNT(*), the page of
        # events with actors and organizations
        with django_assert_num_queries(5):
            assert api.leader.get("/networks/northwind/activity").status_code == 200

    count()
    services.network_leave(actor=world.other_leader, network=world.network)
    admit_gamma(world)
    count()


# GET /networks/{slug}/charter and POST …/charter/accept -------------------------------------


def test_anyone_who_sees_the_network_reads_its_charter(api, hidden):
    body = api.outsider.get("/networks/northwind/charter").json()
    assert (body["version"], body["accepted_by_my_organization"]) == (1, False)
    assert body["text"].startswith("We partner for mutual benefit.")
    assert api.leader.get("/networks/northwind/charter").json()["accepted_by_my_organization"]
    assert api.outsider.get("/networks/skunkworks/charter").status_code == 404


def test_an_applicant_accepts_the_charter(api):
    response = api.applicant.post("/networks/northwind/charter/accept")
    assert response.status_code == 200, response.content
    assert response.json()["organization"]["slug"] == "gamma-group"
    assert response.json()["version"] == 1
    errors = field_errors(api.applicant.post("/networks/northwind/charter/accept"))
    assert "already accepted" in errors["__all__"]


def test_only_team_leaders_of_organizations_concerned_accept_the_charter(api, hidden):
    assert api.outsider.post("/networks/northwind/charter/accept").status_code == 403
    assert api.member.post("/networks/northwind/charter/accept").status_code == 403
    assert api.outsider.post("/networks/skunkworks/charter/accept").status_code == 404


# POST /networks/{slug}/applications ---------------------------------------------------------


def test_a_team_leader_asks_to_join(api, world):
    response = api.outsider.post("/networks/northwind/applications", {"message": "Hello"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["organization"]["slug"], body["network"]["slug"]) == (
        "applied",
        "delta-corp",
        "northwind",
    )
    errors = field_errors(api.outsider.post("/networks/northwind/applications", {}))
    assert "already asked" in errors["__all__"]


def test_only_team_leaders_ask_to_join(api, world, hidden):
    colleague = add_colleague(world.outsider, "dan@delta.test", "Dan Delta")
    response = ApiClient(token_for(colleague)).post("/networks/northwind/applications", {})
    assert response.status_code == 403
    assert api.outsider.post("/networks/skunkworks/applications", {}).status_code == 404
    assert not NetworkMembership.objects.filter(organization=world.delta).exists()


def test_it_refuses_a_bad_application(api, world):
    assert "message" in field_errors(
        api.outsider.post("/networks/northwind/applications", {"message": "x" * 2001})
    )
    assert "__all__" in field_errors(api.leader.post("/networks/northwind/applications", {}))
    assert not NetworkMembership.objects.filter(organization=world.delta).exists()


# POST /networks/{slug}/invitations ----------------------------------------------------------


def test_a_member_invites_an_organization(api):
    response = api.other_member.post(
        "/networks/northwind/invitations", {"email": "boss@epsilon.test", "message": "Join!"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["status"], body["network"]["slug"]) == (
        "network",
        "pending",
        "northwind",
    )
    assert body["inviting_organization"]["slug"] == "beta-works"


def test_only_acting_members_invite_organizations(api, hidden):
    body = {"email": "boss@epsilon.test"}
    assert api.outsider.post("/networks/northwind/invitations", body).status_code == 404
    assert api.applicant.post("/networks/northwind/invitations", body).status_code == 404
    assert api.leader.post("/networks/skunkworks/invitations", body).status_code == 404


def test_it_refuses_a_bad_network_invitation(api, world):
    path = "/networks/northwind/invitations"
    assert "email" in field_errors(api.leader.post(path, {"email": "nope"}))
    assert "email" in field_errors(api.leader.post(path, {"email": world.other_member.email}))
    assert "cc" in field_errors(api.leader.post(path, {"email": "a@b.test", "cc": "x"}))
    assert not world.network.invitations.filter(status="pending").exists()


# POST /networks/{slug}/admissions/{membership_id} -------------------------------------------


def test_a_team_leader_admits_an_applicant(api, world):
    response = api.leader.post(
        f"/networks/northwind/admissions/{pending_id(world)}", {"decision": "approve"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    assert response.json()["joined_at"] is not None


def test_a_rejection_needs_a_reason(api, world):
    path = f"/networks/northwind/admissions/{pending_id(world)}"
    assert "reason" in field_errors(api.leader.post(path, {"decision": "reject"}))
    assert "decision" in field_errors(api.leader.post(path, {"decision": "maybe"}))
    assert "decision" in field_errors(api.leader.post(path, {}))
    assert not AdmissionVote.objects.filter(membership_id=pending_id(world)).exists()
    response = api.leader.post(path, {"decision": "reject", "reason": "Competes with us"})
    assert response.json()["status"] == "applied"  # 1 of 2 organizations rejected so far
    errors = field_errors(api.leader.post(path, {"decision": "approve"}))
    assert "already decided" in errors["__all__"]


def test_only_acting_team_leaders_decide_admissions(api, world, hidden):
    approve = {"decision": "approve"}
    path = f"/networks/northwind/admissions/{pending_id(world)}"
    assert api.member.post(path, approve).status_code == 403
    assert api.outsider.post(path, approve).status_code == 404
    assert api.applicant.post(path, approve).status_code == 404
    elsewhere = f"/networks/skunkworks/admissions/{pending_id(world)}"
    assert api.leader.post(elsewhere, approve).status_code == 404
    assert api.leader.post("/networks/northwind/admissions/999999", approve).status_code == 404
    assert NetworkMembership.objects.get(pk=pending_id(world)).status == "applied"


# POST /networks/{slug}/leave ----------------------------------------------------------------


def test_a_team_leader_takes_the_organization_out(api, world):
    response = api.other_leader.post("/networks/northwind/leave")
    assert response.status_code == 200
    assert response.json()["status"] == "left"
    assert api.other_member.get("/networks/northwind/members").status_code == 404


def test_only_team_leaders_leave_and_only_what_they_are_in(api, world, hidden):
    assert api.member.post("/networks/northwind/leave").status_code == 403
    assert "__all__" in field_errors(api.outsider.post("/networks/northwind/leave"))
    assert api.outsider.post("/networks/skunkworks/leave").status_code == 404
    assert fresh(world.leader).organization.network_memberships.get().status == "active"


def test_it_founds_a_network_whose_admissions_are_decided_by_vote(api, world):
    response = api.outsider.post(
        "/networks",
        {"name": "Voting Circle", "charter_text": "We vote.", "admission_rule": "vote"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["admission_rule"] == "vote"
    bad = api.outsider.post(
        "/networks", {"name": "Bad Circle", "charter_text": "x", "admission_rule": "dictator"}
    )
    assert bad.status_code == 422
