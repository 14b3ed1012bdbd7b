"""Behaviour of the web pages: each page and each POST, happy path, bad input and permissions."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from consortia.core import views as core_views
from consortia.core.models import OutboundEmail
from consortia.networks import services
from consortia.networks.models import (
    AdmissionVote,
    AgreementAcceptance,
    Invitation,
    Network,
    NetworkMembership,
    Organization,
    OrgMembership,
    Person,
)
from tests.conftest import PASSWORD, admit, fresh, login, make_org_leader, make_person

HX = {"HTTP_HX_REQUEST": "true"}
Status = NetworkMembership.Status


def url(name, *args):
    return reverse(name, args=args)


def text(response) -> str:
    return response.content.decode()


def status_of(network, organization) -> str:
    return NetworkMembership.objects.get(network=network, organization=organization).status


@pytest.fixture
def quiet(world) -> Network:
    """An unlisted network founded by Beta Works; Acme Labs is not in it."""
    return services.network_found(
        actor=world.other_leader,
        name="Quiet Circle",
        slug="quiet",
        visibility="unlisted",
        charter_text="We keep it small.",
    )


def assert_fragment(response):
    assert "<html" not in text(response)
    assert 'id="flash"' in text(response)  # the flash messages travel out of band


# Home, sign up, sign in, sign out --------------------------------------------------------


def test_it_shows_the_landing_page_to_anonymous_visitors(client, db):
    response = client.get(url("home"))
    assert response.status_code == 200
    assert "Create an account" in text(response)
    assert url("signup") in text(response)


def test_it_shows_the_dashboard_with_networks_admissions_and_activity(as_leader, world):
    response = as_leader.get(url("home"))
    body = text(response)
    assert response.status_code == 200
    assert "Northwind Alliance" in body
    assert "Charter accepted" in body
    assert "Gamma Group" in body and "0 of 1 approval" in body  # awaiting our decision
    assert "Beta Works was admitted" in body  # recent activity


def test_it_hides_admissions_my_organization_already_decided(world):
    services.admission_vote(
        actor=world.other_leader,
        membership=world.gamma.network_memberships.get(),
        decision="reject",
        reason="Not yet",
    )
    body = text(login(world.leader).get(url("home")))
    assert "Admissions to decide" in body and "Gamma Group asks to join" in body
    body = text(login(world.other_leader).get(url("home")))
    assert "Admissions to decide" not in body and "Gamma Group asks to join" not in body


def test_it_asks_people_without_an_organization_to_create_one(db):
    response = login(make_person("new@example.test", "New Person")).get(url("home"))
    assert "Create your organization" in text(response)


def test_it_reveals_nothing_of_an_invitation_to_whoever_signs_up_with_the_address(world):
    """Addresses are not verified at sign-up: until the address is verified, only the emailed
    link shows the invitation (verified: tests/core/test_waiting.py)."""
    world.network.visibility = "unlisted"
    world.network.save()
    newcomer = make_person("zoe@zeta.test", "Zoe", verified=False)
    services.network_invite_organization(
        actor=world.leader, network=world.network, email="zoe@zeta.test"
    )
    body = text(login(newcomer).get(url("home")))
    assert "Northwind" not in body


def test_it_signs_up_and_then_signs_in_a_new_person(client, db):
    response = client.post(
        url("signup"), {"name": "Nia New", "email": "Nia@Example.test", "password1": PASSWORD}
    )
    assert response.status_code == 302 and response.url == url("login")
    assert Person.objects.get(email="nia@example.test").name == "Nia New"
    assert OutboundEmail.objects.filter(to="nia@example.test").exists()  # the link
    response = client.post(url("login"), {"login": "nia@example.test", "password": PASSWORD})
    assert "Welcome, Nia" in text(client.get(url("home")))


def test_it_returns_to_next_after_signing_up(client, db):
    target = url("invitation", "sometoken")
    response = client.post(
        url("signup") + f"?next={target}",
        {"name": "Nia", "email": "nia@example.test", "password1": PASSWORD, "next": target},
    )
    assert response.url == url("login") + "?next=" + target.replace("/", "%2F")


def test_it_ignores_a_next_pointing_to_another_site(client, db):
    response = client.post(
        url("signup"),
        {
            "name": "Nia",
            "email": "nia@example.test",
            "password1": PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert "evil.example" not in response.url


def test_it_prefills_the_invited_email_on_sign_up(client, db):
    response = client.get(url("signup") + "?email=zoe@zeta.test")
    assert 'value="zoe@zeta.test"' in text(response)


def test_it_does_not_say_whether_an_address_has_an_account(client, world):
    # Finding 4: the same answer as for a new address; the owner is told by e-mail instead.
    response = client.post(
        url("signup"), {"name": "Ada Again", "email": "ADA@acme.test", "password1": PASSWORD}
    )
    fresh_answer = Client().post(
        url("signup"), {"name": "Newt", "email": "newt@acme.test", "password1": PASSWORD}
    )
    assert response.status_code == fresh_answer.status_code == 302
    assert response.url == fresh_answer.url
    assert "already exists" not in text(client.get(response.url))
    assert not client.session.get("_auth_user_id")
    assert Person.objects.filter(email__iexact="ada@acme.test").count() == 1
    assert OutboundEmail.objects.filter(to="ada@acme.test", subject__icontains="exists").exists()


def test_it_rejects_an_invalid_email_and_a_weak_password(client, db):
    response = client.post(url("signup"), {"name": "X", "email": "not-an-email", "password1": "1"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in text(response)
    assert not Person.objects.exists()
    response = client.post(url("signup"), {"name": "X", "email": "x@x.test", "password1": "123"})
    assert "too short" in text(response)
    assert not Person.objects.exists()


def test_it_signs_in_with_email_and_password(client, world):
    response = client.post(url("login"), {"login": "ada@acme.test", "password": PASSWORD})
    assert response.status_code == 302
    assert "Welcome, Ada" in text(client.get(url("home")))


def test_it_says_when_the_password_is_wrong(client, world):
    response = client.post(url("login"), {"login": "ada@acme.test", "password": "nope"})
    assert "not correct" in text(response)
    assert "_auth_user_id" not in client.session


def test_it_signs_out_only_with_a_post(as_leader):
    # GET shows a confirmation page and signs nobody out; POST signs out.
    assert as_leader.get(url("logout")).status_code == 200
    assert "_auth_user_id" in as_leader.session
    assert as_leader.post(url("logout")).status_code == 302
    assert "Create an account" in text(as_leader.get(url("home")))


def test_it_links_to_api_tokens_from_the_person_menu(as_leader):
    tokens = url("tokens")
    assert tokens in text(as_leader.get(url("home")))


# Organizations -----------------------------------------------------------------------------


def test_it_creates_an_organization_with_me_as_team_leader(db):
    person = make_person("new@example.test", "New Person")
    client = login(person)
    response = client.post(
        url("organization_create"),
        {"name": "Zeta Foods", "kind": "company", "description": "Food", "department": "Ops"},
    )
    assert response.status_code == 302 and response.url == url("my_organization")
    membership = OrgMembership.objects.get(person=person)
    assert membership.organization.name == "Zeta Foods"
    assert membership.role == "team_leader" and membership.department == "Ops"


def test_it_returns_to_next_after_creating_an_organization(world):
    client = login(make_person("new@example.test", "New Person"))
    target = url("network_apply", "northwind")
    response = client.post(
        url("organization_create") + f"?next={target}",
        {"name": "Zeta Foods", "kind": "company", "next": target},
    )
    assert response.url == target
    assert "Send our request" in text(client.get(target))


def test_it_refuses_a_duplicate_organization_name(world):
    client = login(make_person("new@example.test", "New Person"))
    response = client.post(url("organization_create"), {"name": "acme labs", "kind": "company"})
    assert response.status_code == 422
    assert "already exists" in text(response)
    assert Organization.objects.filter(name__iexact="acme labs").count() == 1


def test_it_refuses_an_organization_name_with_a_direction_override(world):
    client = login(make_person("new@example.test", "New Person"))
    # U+202E shows what follows backwards: this would read as "Acme LabsSecure".
    response = client.post(
        url("organization_create"), {"name": "Acme Labs\u202eeruceS", "kind": "company"}
    )
    assert response.status_code == 422
    assert "Remove the invisible character U+202E RIGHT-TO-LEFT OVERRIDE" in text(response)
    assert Organization.objects.count() == 4  # the world's four, nothing new
    assert not OrgMembership.objects.filter(person__email="new@example.test").exists()


def test_it_refuses_to_sign_up_a_person_with_a_hidden_character_in_the_name(client, db):
    response = client.post(
        url("signup"), {"name": "Nia\u2066 New", "email": "nia@example.test", "password1": PASSWORD}
    )
    assert response.status_code == 200
    assert "U+2066 LEFT-TO-RIGHT ISOLATE" in text(response)
    assert not Person.objects.filter(email="nia@example.test").exists()


def test_it_sends_people_who_already_have_an_organization_to_it(as_member):
    response = as_member.get(url("organization_create"))
    assert response.status_code == 302 and response.url == url("my_organization")


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    for path in (
        url("organization_create"),
        url("my_organization"),
        url("network_list"),
        url("network_detail", "northwind"),
        url("organization_detail", "acme-labs"),
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith(url("login") + "?next=")


def test_it_shows_my_organization_with_people_and_manage_forms_for_leaders(as_leader, world):
    body = text(as_leader.get(url("my_organization")))
    assert "Max Member" in body and "Engineering" in body
    assert "Invite a colleague" in body and url("colleague_invite") in body
    assert url("org_member_update", world.member.membership.pk) in body


def test_it_shows_members_the_organization_without_manage_forms(as_member, world):
    body = text(as_member.get(url("my_organization")))
    assert "Ada Leader" in body
    assert url("org_member_update", world.leader.membership.pk) not in body
    assert 'action="' + url("colleague_invite") not in body


def test_it_redirects_to_creation_when_i_have_no_organization(db):
    client = login(make_person("new@example.test", "New"))
    assert client.get(url("my_organization")).url == url("organization_create")


def test_it_edits_the_organization_profile(as_leader, world):
    response = as_leader.post(
        url("organization_edit"),
        {"name": "Acme Labs", "kind": "startup", "website": "acme.example", "offerings": "Sensors"},
    )
    assert response.status_code == 302
    acme = Organization.objects.get(pk=world.acme.pk)
    assert acme.kind == "startup" and acme.website == "https://acme.example"
    assert acme.offerings == "Sensors"


def test_it_refuses_renaming_an_organization_to_a_taken_name(as_leader):
    response = as_leader.post(url("organization_edit"), {"name": "Beta Works", "kind": "company"})
    assert response.status_code == 422
    assert "already exists" in text(response)


def test_it_forbids_members_to_edit_the_organization(as_member):
    assert as_member.get(url("organization_edit")).status_code == 403
    response = as_member.post(url("organization_edit"), {"name": "Hacked", "kind": "company"})
    assert response.status_code == 403
    assert "team leader" in text(response)
    assert not Organization.objects.filter(name="Hacked").exists()


def test_it_shows_a_partner_organization_profile(as_other, world):
    response = as_other.get(url("organization_detail", world.acme.slug))
    assert response.status_code == 200
    assert "Ada Leader" in text(response) and "Northwind Alliance" in text(response)


def test_it_shows_an_applicant_organization_to_members(as_leader, world):
    assert as_leader.get(url("organization_detail", world.gamma.slug)).status_code == 200


def test_it_hides_unrelated_organizations_with_404(as_outsider, as_leader, world):
    assert as_outsider.get(url("organization_detail", world.acme.slug)).status_code == 404
    assert as_leader.get(url("organization_detail", world.delta.slug)).status_code == 404
    assert as_leader.get(url("organization_detail", "no-such-org")).status_code == 404


def test_it_invites_a_colleague(as_leader, world):
    response = as_leader.post(
        url("colleague_invite"),
        {"email": "Kim@Acme.test", "role": "member", "department": "Sales", "message": "Hi"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="kim@acme.test")
    assert invitation.organization == world.acme and invitation.department == "Sales"
    assert OutboundEmail.objects.filter(to="kim@acme.test").exists()
    assert "kim@acme.test" in text(as_leader.get(url("my_organization")))


def test_it_invites_a_colleague_inline_with_htmx(as_leader):
    response = as_leader.post(
        url("colleague_invite"), {"email": "kim@acme.test", "role": "member"}, **HX
    )
    assert response.status_code == 200
    assert_fragment(response)
    assert 'id="colleagues"' in text(response) and "kim@acme.test" in text(response)
    assert "Invitation sent to kim@acme.test" in text(response)


def test_it_shows_colleague_invitation_errors_inline(as_leader):
    response = as_leader.post(url("colleague_invite"), {"email": "nope", "role": "member"}, **HX)
    assert response.status_code == 422
    assert_fragment(response)
    assert "Enter a valid email address." in text(response)
    response = as_leader.post(
        url("colleague_invite"), {"email": "max@acme.test", "role": "member"}, **HX
    )
    assert response.status_code == 422
    assert "already in Acme Labs" in text(response)
    assert (
        not Invitation.objects.filter(email="max@acme.test", kind="colleague")
        .exclude(status="accepted")
        .exists()
    )


def test_it_refuses_a_second_open_invitation_to_the_same_colleague(as_leader):
    as_leader.post(url("colleague_invite"), {"email": "kim@acme.test", "role": "member"})
    response = as_leader.post(url("colleague_invite"), {"email": "kim@acme.test", "role": "member"})
    assert response.status_code == 422
    assert "already has an open invitation" in text(response)


def test_it_forbids_members_to_invite_colleagues(as_member):
    response = as_member.post(url("colleague_invite"), {"email": "kim@acme.test", "role": "member"})
    assert response.status_code == 403
    assert not Invitation.objects.filter(email="kim@acme.test").exists()


def test_it_withdraws_a_colleague_invitation(as_leader, world):
    invitation, _ = services.colleague_invite(actor=world.leader, email="kim@acme.test")
    response = as_leader.post(url("colleague_invitation_revoke", invitation.pk))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    response = as_leader.post(url("colleague_invitation_revoke", invitation.pk), follow=True)
    assert "no longer open" in text(response)


def test_it_withdraws_a_colleague_invitation_with_htmx(as_leader, world):
    invitation, _ = services.colleague_invite(actor=world.leader, email="kim@acme.test")
    response = as_leader.post(url("colleague_invitation_revoke", invitation.pk), **HX)
    assert_fragment(response)
    assert "is withdrawn" in text(response)


def test_it_forbids_members_to_withdraw_colleague_invitations(as_member, world):
    invitation, _ = services.colleague_invite(actor=world.leader, email="kim@acme.test")
    assert as_member.post(url("colleague_invitation_revoke", invitation.pk)).status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_it_changes_a_colleague_role_and_department(as_leader, world):
    pk = world.member.membership.pk
    response = as_leader.post(
        url("org_member_update", pk), {f"p{pk}-role": "team_leader", f"p{pk}-department": "R&D"}
    )
    assert response.status_code == 302
    membership = OrgMembership.objects.get(pk=pk)
    assert membership.role == "team_leader" and membership.department == "R&D"


def test_it_changes_a_colleague_inline_with_htmx(as_leader, world):
    pk = world.member.membership.pk
    response = as_leader.post(
        url("org_member_update", pk), {f"p{pk}-role": "member", f"p{pk}-department": "Sales"}, **HX
    )
    assert response.status_code == 200
    assert_fragment(response)
    assert text(response).lstrip().startswith("<tr") and "Sales" in text(response)


def test_it_keeps_at_least_one_team_leader(as_leader, world):
    pk = world.leader.membership.pk
    response = as_leader.post(
        url("org_member_update", pk), {f"p{pk}-role": "member", f"p{pk}-department": ""}
    )
    assert response.status_code == 422
    assert "at least one team leader" in text(response)
    assert OrgMembership.objects.get(pk=pk).role == "team_leader"


def test_it_refuses_an_unknown_role(as_leader, world):
    pk = world.member.membership.pk
    response = as_leader.post(url("org_member_update", pk), {f"p{pk}-role": "boss"}, **HX)
    assert response.status_code == 422
    assert "Select a valid choice" in text(response)


def test_it_forbids_members_to_change_roles(as_member, world):
    pk = world.member.membership.pk
    response = as_member.post(url("org_member_update", pk), {f"p{pk}-role": "team_leader"})
    assert response.status_code == 403
    assert OrgMembership.objects.get(pk=pk).role == "member"


def test_it_hides_people_of_other_organizations_from_role_changes(as_leader, world):
    pk = world.other_member.membership.pk
    response = as_leader.post(url("org_member_update", pk), {f"p{pk}-role": "team_leader"})
    assert response.status_code == 404


# Networks: list, found, detail -------------------------------------------------------------


def test_it_lists_my_networks_and_the_directory(as_outsider, as_leader, world, quiet):
    services.network_found(
        actor=world.outsider, name="Delta Forum", slug="delta-forum", charter_text="Hi"
    )
    body = text(as_leader.get(url("network_list")))
    assert "Northwind Alliance" in body and "Delta Forum" in body
    assert "Quiet Circle" not in body  # unlisted and not ours
    body = text(as_outsider.get(url("network_list")))
    assert "Northwind Alliance" in body and "Quiet Circle" not in body


def test_it_founds_a_network_with_a_charter(as_outsider, world):
    response = as_outsider.post(
        url("network_create"),
        {
            "name": "Delta Forum",
            "slug": "",
            "description": "A forum",
            "visibility": "listed",
            "approvals_required": "2",
            "charter_title": "",
            "charter_text": "Be kind.",
        },
    )
    assert response.status_code == 302 and response.url == url("network_detail", "delta-forum")
    network = Network.objects.get(slug="delta-forum")
    assert network.approvals_required == 2
    assert status_of(network, world.delta) == "active"


def test_it_explains_there_is_no_owner_when_founding(as_leader):
    assert "There is no owner role" in text(as_leader.get(url("network_create")))


def test_it_refuses_a_taken_network_address(as_outsider, world):
    response = as_outsider.post(
        url("network_create"),
        {
            "name": "Another",
            "slug": "northwind",
            "visibility": "listed",
            "approvals_required": "1",
            "charter_text": "Hi",
        },
    )
    assert response.status_code == 422
    assert "is taken by another network" in text(response)
    assert 'id="id_slug_error"' in text(response)
    assert Network.objects.count() == 1


def test_it_refuses_a_network_without_a_charter_or_with_bad_numbers(as_outsider):
    response = as_outsider.post(
        url("network_create"),
        {"name": "X", "visibility": "listed", "approvals_required": "0", "charter_text": ""},
    )
    assert response.status_code == 422
    assert "This field is required." in text(response)
    assert "greater than or equal to 1" in text(response)
    response = as_outsider.post(
        url("network_create"),
        {
            "name": "X",
            "slug": "admin",
            "visibility": "listed",
            "approvals_required": "1",
            "charter_text": "Hi",
        },
    )
    assert response.status_code == 422 and "is reserved" in text(response)


def test_it_forbids_members_to_found_networks(as_member):
    assert as_member.get(url("network_create")).status_code == 403
    response = as_member.post(
        url("network_create"),
        {"name": "X", "visibility": "listed", "approvals_required": "1", "charter_text": "Hi"},
    )
    assert response.status_code == 403


def test_it_asks_for_an_organization_before_founding(db):
    client = login(make_person("new@example.test", "New"))
    response = client.get(url("network_create"))
    assert response.url.startswith(url("organization_create") + "?next=")


def test_it_shows_a_network_to_a_member_with_its_sections(as_leader, world):
    body = text(as_leader.get(url("network_detail", "northwind")))
    assert "Regional manufacturers" in body
    assert url("network_members", "northwind") in body
    assert url("network_invite", "northwind") in body
    assert "1 organization waiting for admission" in body


def test_it_shows_a_listed_network_to_outsiders_with_a_way_to_ask(as_outsider):
    response = as_outsider.get(url("network_detail", "northwind"))
    assert response.status_code == 200
    assert url("network_apply", "northwind") in text(response)
    assert url("network_members", "northwind") not in text(response)


def test_it_shows_an_applicant_its_progress(as_applicant):
    body = text(as_applicant.get(url("network_detail", "northwind")))
    assert "Awaiting admission" in body and "0 of 1 approval" in body


def test_it_shows_a_rejected_organization_the_reasons(as_applicant, world):
    membership = world.gamma.network_memberships.get()
    services.admission_vote(
        actor=world.leader, membership=membership, decision="reject", reason="Too early for us"
    )
    services.admission_vote(
        actor=world.other_leader, membership=membership, decision="reject", reason="Overlap"
    )
    body = text(as_applicant.get(url("network_detail", "northwind")))
    assert "Not admitted this time" in body and "Too early for us" in body


def test_it_hides_unlisted_networks_from_outsiders_with_404(as_leader, quiet):
    for name in (
        "network_detail",
        "network_members",
        "network_activity",
        "network_charter",
        "network_invite",
        "network_apply",
        "network_leave",
    ):
        assert as_leader.get(url(name, "quiet")).status_code == 404, name
    assert as_leader.post(url("network_apply", "quiet"), {"message": "hi"}).status_code == 404
    assert as_leader.post(url("network_charter", "quiet")).status_code == 404
    assert as_leader.get(url("network_detail", "no-such-network")).status_code == 404


# Members and admissions --------------------------------------------------------------------


def test_it_lists_members_with_people_count_charter_and_pending_admissions(as_leader, world):
    body = text(as_leader.get(url("network_members", "northwind")))
    assert "Acme Labs" in body and "Beta Works" in body
    assert "Charter accepted" in body
    assert "Gamma Group" in body and "0 of 1 approval" in body
    assert url("admission_decide", "northwind", world.gamma.network_memberships.get().pk) in body


def test_the_written_out_admission_form_is_the_decision_form_as_field_html_renders_it(
    as_leader, world
):
    # The members page writes each admission's reject form out instead of rendering a Django
    # form per admission (issue 14): the same names, ids and help text as the form's own.
    import re

    from django.template.loader import render_to_string

    from consortia.networks.forms import AdmissionDecisionForm

    pk = world.gamma.network_memberships.get().pk
    form = AdmissionDecisionForm(prefix=f"a{pk}")
    field = render_to_string("includes/field.html", {"field": form["reason"], "no_optional": True})

    def squash(html):
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()

    body = squash(text(as_leader.get(url("network_members", "northwind"))))
    assert squash(field) in body
    assert f'name="{form["decision"].html_name}" value="approve"' in body
    assert f'name="{form["decision"].html_name}" value="reject"' in body


def test_it_shows_members_who_are_not_team_leaders_no_decision_buttons(as_member, world):
    body = text(as_member.get(url("network_members", "northwind")))
    assert "Gamma Group" in body
    assert (
        url("admission_decide", "northwind", world.gamma.network_memberships.get().pk) not in body
    )


def test_it_paginates_the_member_list(as_leader, world, settings):
    settings.PAGE_SIZE = 1
    first = text(as_leader.get(url("network_members", "northwind")))
    second = text(as_leader.get(url("network_members", "northwind") + "?page=2"))
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert as_leader.get(url("network_members", "northwind") + "?page=abc").status_code == 200


def test_it_keeps_applicants_and_outsiders_out_of_members_and_activity(as_applicant, as_outsider):
    for client in (as_applicant, as_outsider):  # not theirs to know: 404, as for no network
        assert client.get(url("network_members", "northwind")).status_code == 404
        assert client.get(url("network_activity", "northwind")).status_code == 404


def test_it_admits_an_organization_on_approval(as_leader, world):
    membership = world.gamma.network_memberships.get()
    response = as_leader.post(
        url("admission_decide", "northwind", membership.pk),
        {f"a{membership.pk}-decision": "approve"},
    )
    assert response.status_code == 302
    assert status_of(world.network, world.gamma) == "active"
    assert "Gamma Group is now a member" in text(as_leader.get(response.url))


def test_it_approves_inline_with_htmx_and_shows_progress(as_leader, world):
    Network.objects.filter(pk=world.network.pk).update(approvals_required=2)
    membership = world.gamma.network_memberships.get()
    response = as_leader.post(
        url("admission_decide", "northwind", membership.pk),
        {f"a{membership.pk}-decision": "approve"},
        **HX,
    )
    assert response.status_code == 200
    assert_fragment(response)
    body = text(response)
    assert f'id="admission-{membership.pk}"' in body
    assert "1 of 2 approvals" in body and "Your organization has decided" in body
    assert status_of(world.network, world.gamma) == "applied"


def test_it_shows_the_decided_card_with_htmx_once_admitted(as_leader, world):
    membership = world.gamma.network_memberships.get()
    response = as_leader.post(
        url("admission_decide", "northwind", membership.pk),
        {f"a{membership.pk}-decision": "approve"},
        **HX,
    )
    assert_fragment(response)
    assert "Admitted" in text(response)


def test_it_requires_a_reason_to_reject(as_leader, world):
    membership = world.gamma.network_memberships.get()
    path = url("admission_decide", "northwind", membership.pk)
    response = as_leader.post(
        path, {f"a{membership.pk}-decision": "reject", f"a{membership.pk}-reason": " "}, **HX
    )
    assert response.status_code == 422
    assert "Say why" in text(response)
    described = f"id_a{membership.pk}-reason_helptext id_a{membership.pk}-reason_error"
    assert f'aria-describedby="{described}"' in text(response)
    assert not AdmissionVote.objects.filter(membership=membership).exists()
    response = as_leader.post(path, {f"a{membership.pk}-decision": "reject"})
    assert response.status_code == 422 and "Say why" in text(response)


def test_it_rejects_with_a_reason(as_leader, world):
    Network.objects.filter(pk=world.network.pk).update(approvals_required=2)
    membership = world.gamma.network_memberships.get()
    response = as_leader.post(
        url("admission_decide", "northwind", membership.pk),
        {f"a{membership.pk}-decision": "reject", f"a{membership.pk}-reason": "Competes with us"},
    )
    assert response.status_code == 302
    assert status_of(world.network, world.gamma) == "rejected"
    assert AdmissionVote.objects.get(membership=membership).reason == "Competes with us"


def test_it_refuses_to_decide_twice_or_on_a_decided_admission(as_leader, world):
    Network.objects.filter(pk=world.network.pk).update(approvals_required=2)
    membership = world.gamma.network_memberships.get()
    path = url("admission_decide", "northwind", membership.pk)
    as_leader.post(path, {f"a{membership.pk}-decision": "approve"})
    response = as_leader.post(path, {f"a{membership.pk}-decision": "approve"})
    assert response.status_code == 422
    assert "already decided" in text(response)
    other = login(world.other_leader)
    other.post(path, {f"a{membership.pk}-decision": "approve"})
    response = other.post(path, {f"a{membership.pk}-decision": "approve"}, **HX)
    assert response.status_code == 200  # the card now says it was admitted
    assert "Admitted" in text(response) and "no longer waiting for admission" in text(response)
    response = other.post(path, {f"a{membership.pk}-decision": "approve"}, follow=True)
    assert "no longer waiting for admission (member)" in text(response)


def test_it_refuses_an_unknown_decision(as_leader, world):
    membership = world.gamma.network_memberships.get()
    response = as_leader.post(
        url("admission_decide", "northwind", membership.pk), {f"a{membership.pk}-decision": "maybe"}
    )
    assert response.status_code == 422
    assert not AdmissionVote.objects.filter(membership=membership).exists()


def test_it_forbids_members_and_applicants_to_decide_admissions(as_member, as_applicant, world):
    membership = world.gamma.network_memberships.get()
    path = url("admission_decide", "northwind", membership.pk)
    assert as_member.post(path, {f"a{membership.pk}-decision": "approve"}).status_code == 403
    assert as_applicant.post(path, {f"a{membership.pk}-decision": "approve"}).status_code == 404
    assert not AdmissionVote.objects.filter(membership=membership).exists()


def test_it_hides_admissions_of_unlisted_networks_from_outsiders(as_leader, world, quiet):
    membership = services.network_apply(actor=world.outsider, network=quiet)
    response = as_leader.post(
        url("admission_decide", "quiet", membership.pk), {f"a{membership.pk}-decision": "approve"}
    )
    assert response.status_code == 404


def test_it_says_why_an_htmx_action_was_refused(as_member, world):
    membership = world.gamma.network_memberships.get()
    response = as_member.post(
        url("admission_decide", "northwind", membership.pk),
        {f"a{membership.pk}-decision": "approve"},
        **HX,
    )
    assert response.status_code == 403
    assert "data-error-message" in text(response) and "team leader" in text(response)


# Activity and charter ----------------------------------------------------------------------


def test_it_shows_the_network_activity_to_members(as_other, world):
    body = text(as_other.get(url("network_activity", "northwind")))
    assert "Gamma Group asked to join Northwind Alliance" in body


def test_it_pages_the_activity_from_newer_to_older_without_counting_it(as_leader, settings):
    settings.PAGE_SIZE = 2
    first = text(as_leader.get(url("network_activity", "northwind")))
    assert "Page 1" in first and "Older" in first
    second = text(as_leader.get(url("network_activity", "northwind") + "?page=2"))
    assert "Page 2" in second and "?page=1" in second
    for page in ("999", "-3", "abc"):
        assert (
            as_leader.get(url("network_activity", "northwind") + f"?page={page}").status_code == 200
        )


def test_it_shows_the_charter_and_who_accepted_it_to_members(as_member):
    body = text(as_member.get(url("network_charter", "northwind")))
    assert "We partner for mutual benefit" in body
    assert "Accepted version 1" in body and "Beta Works" in body
    assert "A team leader of Acme Labs accepts" not in body  # already accepted


def test_it_shows_the_charter_but_not_the_acceptances_to_outsiders(as_outsider):
    body = text(as_outsider.get(url("network_charter", "northwind")))
    assert "We partner for mutual benefit" in body
    assert "Accepted version 1" not in body


def test_it_lets_an_applicant_accept_the_charter(as_applicant, world):
    response = as_applicant.post(url("network_charter", "northwind"))
    assert response.status_code == 302
    assert AgreementAcceptance.objects.filter(organization=world.gamma).exists()
    response = as_applicant.post(url("network_charter", "northwind"), follow=True)
    assert response.status_code == 200
    assert "already accepted version 1" in text(response)


def test_it_accepts_the_charter_inline_with_htmx(as_applicant):
    response = as_applicant.post(url("network_charter", "northwind"), **HX)
    assert response.status_code == 200
    assert_fragment(response)
    assert 'id="charter-status"' in text(response) and "Charter accepted" in text(response)


def test_it_forbids_members_and_outsiders_to_accept_the_charter(as_other, as_outsider, world):
    assert as_other.post(url("network_charter", "northwind")).status_code == 403
    assert as_outsider.post(url("network_charter", "northwind")).status_code == 403
    assert not AgreementAcceptance.objects.filter(organization=world.delta).exists()


# Inviting organizations ----------------------------------------------------------------------


def test_it_invites_an_organization_by_email(as_member, world):
    response = as_member.post(
        url("network_invite", "northwind"), {"email": "zoe@zeta.test", "message": "Join us"}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="zoe@zeta.test")
    assert invitation.network == world.network and invitation.inviting_organization == world.acme
    assert "zoe@zeta.test" in text(as_member.get(url("network_invite", "northwind")))


def test_it_invites_an_organization_inline_with_htmx(as_leader):
    response = as_leader.post(url("network_invite", "northwind"), {"email": "zoe@zeta.test"}, **HX)
    assert response.status_code == 200
    assert_fragment(response)
    assert 'id="invite-panel"' in text(response) and "zoe@zeta.test" in text(response)


def test_it_refuses_inviting_a_member_or_an_invalid_email(as_leader):
    response = as_leader.post(url("network_invite", "northwind"), {"email": "bo@beta.test"}, **HX)
    assert response.status_code == 422
    assert "already a member" in text(response)
    response = as_leader.post(url("network_invite", "northwind"), {"email": "gil@gamma.test"})
    assert response.status_code == 422 and "already waiting for admission" in text(response)
    response = as_leader.post(url("network_invite", "northwind"), {"email": "bad@"})
    assert response.status_code == 422 and "Enter a valid email address." in text(response)
    assert not Invitation.objects.filter(kind="network").exists()


def test_it_forbids_inviting_before_admission_or_charter(as_applicant, world):
    assert as_applicant.get(url("network_invite", "northwind")).status_code == 404
    newcomer = make_org_leader("hu@eta.test", "Hu", "Eta Labs")
    admit(world.network, newcomer, world.leader, accept_charter=False)
    response = login(newcomer).post(url("network_invite", "northwind"), {"email": "z@z.test"})
    assert response.status_code == 403
    assert "accept the network" in text(response)


def test_it_withdraws_a_network_invitation(as_leader, world):
    invitation, _ = services.network_invite_organization(
        actor=world.leader, network=world.network, email="zoe@zeta.test"
    )
    response = as_leader.post(url("network_invitation_revoke", "northwind", invitation.pk), **HX)
    assert_fragment(response)
    assert 'id="open-invitations"' in text(response)
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_it_forbids_other_organizations_to_withdraw_our_invitation(as_other, world):
    invitation, _ = services.network_invite_organization(
        actor=world.leader, network=world.network, email="zoe@zeta.test"
    )
    response = as_other.post(url("network_invitation_revoke", "northwind", invitation.pk))
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == "pending"


# Applying and leaving ------------------------------------------------------------------------


def test_it_lets_an_outsider_apply_and_accept_the_charter_at_once(as_outsider, world):
    response = as_outsider.post(
        url("network_apply", "northwind"), {"message": "We make parts", "accept_charter": "on"}
    )
    assert response.status_code == 302 and response.url == url("network_detail", "northwind")
    membership = NetworkMembership.objects.get(network=world.network, organization=world.delta)
    assert membership.status == "applied" and membership.message == "We make parts"
    assert AgreementAcceptance.objects.filter(organization=world.delta).exists()


def test_it_shows_the_charter_on_the_apply_page(as_outsider):
    body = text(as_outsider.get(url("network_apply", "northwind")))
    assert "We partner for mutual benefit" in body and "accept_charter" in body


def test_it_refuses_applying_when_already_in(as_applicant, as_leader, world):
    response = as_applicant.post(url("network_apply", "northwind"), {"message": "Again"})
    assert response.status_code == 422
    assert "already asked to join" in text(response)
    response = as_leader.post(url("network_apply", "northwind"), {"message": "Again"})
    assert response.status_code == 422 and "already a member" in text(response)


def test_it_forbids_members_to_apply_for_their_organization(world):
    colleague = make_person("ed@delta.test", "Ed")
    invitation, _ = services.colleague_invite(actor=world.outsider, email="ed@delta.test")
    services.invitation_accept(actor=colleague, invitation=invitation)
    client = login(fresh(colleague))
    assert "Only a team leader" in text(client.get(url("network_apply", "northwind")))
    assert client.post(url("network_apply", "northwind"), {"message": "x"}).status_code == 403


def test_it_asks_people_without_an_organization_to_create_one_before_applying(db, world):
    client = login(make_person("new@example.test", "New"))
    body = text(client.get(url("network_apply", "northwind")))
    assert "Create your organization" in body


def test_it_explains_what_leaving_means_before_leaving(as_other):
    body = text(as_other.get(url("network_leave", "northwind")))
    assert "stays with the network" in body
    assert "members-only content" in body
    assert "ask to join again" in body


def test_it_lets_a_team_leader_leave_and_refuses_leaving_twice(world):
    client = login(world.other_leader)
    response = client.post(url("network_leave", "northwind"))
    assert response.status_code == 302 and response.url == url("network_list")
    assert status_of(world.network, world.beta) == "left"
    response = client.post(url("network_leave", "northwind"), follow=True)
    assert response.status_code == 200
    assert "cannot leave it" in text(response)


def test_it_lets_an_applicant_withdraw_its_request(as_applicant, world):
    as_applicant.post(url("network_leave", "northwind"))
    assert status_of(world.network, world.gamma) == "left"


def test_it_forbids_members_to_take_their_organization_out(as_other, world):
    assert as_other.post(url("network_leave", "northwind")).status_code == 403
    assert status_of(world.network, world.beta) == "active"


# Invitation links ----------------------------------------------------------------------------


@pytest.fixture
def network_invitation(world):
    invitation, token = services.network_invite_organization(
        actor=world.leader, network=world.network, email="zoe@zeta.test", message="Join us, Zoe"
    )
    return invitation, token


@pytest.fixture
def colleague_invitation(world):
    invitation, token = services.colleague_invite(
        actor=world.leader, email="kim@acme.test", department="Sales"
    )
    return invitation, token


def test_it_says_when_an_invitation_link_is_not_valid(client, as_leader, db):
    for c in (client, as_leader):
        response = c.get(url("invitation", "not-a-token"))
        assert response.status_code == 404
        assert "doesn\u2019t work" in text(response)
    assert as_leader.post(url("invitation_accept", "not-a-token")).status_code == 404


def test_it_asks_anonymous_visitors_to_sign_up_or_in_with_the_invited_email(
    client, network_invitation
):
    _, token = network_invitation
    body = text(client.get(url("invitation", token)))
    assert "Northwind Alliance" in body and "We partner for mutual benefit" in body
    assert "email=zoe%40zeta.test" in body and "next=%2Finvitations%2F" in body
    response = client.post(url("invitation_accept", token))
    assert response.url.startswith(url("login") + "?next=")


def test_it_tells_a_person_signed_in_with_another_email(as_outsider, network_invitation):
    invitation, token = network_invitation
    response = as_outsider.get(url("invitation", token))
    assert response.status_code == 403
    assert "sent to <strong>zoe@zeta.test</strong>" in text(response)
    assert as_outsider.post(url("invitation_accept", token)).status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_it_lets_a_colleague_accept_and_join(colleague_invitation, world):
    _, token = colleague_invitation
    kim = make_person("kim@acme.test", "Kim")
    client = login(kim)
    assert "Accept and join Acme Labs" in text(client.get(url("invitation", token)))
    response = client.post(url("invitation_accept", token))
    assert response.status_code == 302 and response.url == url("my_organization")
    membership = OrgMembership.objects.get(person=kim)
    assert membership.organization == world.acme and membership.department == "Sales"


def test_it_tells_a_colleague_who_already_has_an_organization(world):
    _, token = services.colleague_invite(actor=world.leader, email="dee@delta.test")
    client = login(world.outsider)
    assert "You already belong to Delta Corp" in text(client.get(url("invitation", token)))
    response = client.post(url("invitation_accept", token))
    assert response.status_code == 422
    assert "already belong" in text(response)


def test_it_lets_a_team_leader_accept_a_network_invitation(world):
    zoe = make_org_leader("zoe@zeta.test", "Zoe", "Zeta Foods")
    _, token = services.network_invite_organization(
        actor=world.leader, network=world.network, email="zoe@zeta.test"
    )
    client = login(zoe)
    assert "Accept for Zeta Foods" in text(client.get(url("invitation", token)))
    response = client.post(url("invitation_accept", token), {"accept_charter": "on"})
    assert response.url == url("network_detail", "northwind")
    assert status_of(world.network, zoe.organization) == "invited"
    assert AgreementAcceptance.objects.filter(organization=zoe.organization).exists()
    assert "Admission is now up to its member organizations" in text(client.get(response.url))


def test_it_creates_the_organization_and_accepts_in_one_step(network_invitation, world):
    _, token = network_invitation
    zoe = make_person("zoe@zeta.test", "Zoe")
    client = login(zoe)
    assert "Create organization and accept" in text(client.get(url("invitation", token)))
    response = client.post(
        url("invitation_accept", token),
        {"org-name": "Zeta Foods", "org-kind": "company", "org-description": "Food"},
    )
    assert response.status_code == 302
    zeta = Organization.objects.get(name="Zeta Foods")
    assert OrgMembership.objects.get(person=zoe).role == "team_leader"
    assert status_of(world.network, zeta) == "invited"
    assert not AgreementAcceptance.objects.filter(organization=zeta).exists()  # not ticked


def test_it_keeps_nothing_when_the_new_organization_is_invalid(network_invitation, world):
    invitation, token = network_invitation
    client = login(make_person("zoe@zeta.test", "Zoe"))
    response = client.post(url("invitation_accept", token), {"org-name": "", "org-kind": "company"})
    assert response.status_code == 422
    assert "This field is required." in text(response)
    response = client.post(
        url("invitation_accept", token), {"org-name": "Beta Works", "org-kind": "company"}, **HX
    )
    assert response.status_code == 422
    assert_fragment(response)
    assert "already exists" in text(response)
    assert not OrgMembership.objects.filter(person__email="zoe@zeta.test").exists()
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_it_tells_members_that_a_team_leader_must_accept(world):
    ed = make_person("ed@delta.test", "Ed")
    invitation, _ = services.colleague_invite(actor=world.outsider, email="ed@delta.test")
    services.invitation_accept(actor=ed, invitation=invitation)
    _, token = services.network_invite_organization(
        actor=world.leader, network=world.network, email="ed@delta.test"
    )
    client = login(fresh(ed))
    assert "Only a team leader of Delta Corp" in text(client.get(url("invitation", token)))
    assert client.post(url("invitation_accept", token)).status_code == 403


def test_it_says_when_the_organization_is_already_in_the_network(world):
    _, token = services.network_invite_organization(
        actor=world.leader, network=world.network, email="dee@delta.test"
    )
    services.network_apply(actor=world.outsider, network=world.network)
    client = login(world.outsider)
    body = text(client.get(url("invitation", token)))
    assert "Delta Corp is already waiting for admission to Northwind Alliance" in body
    response = client.post(url("invitation_accept", token))
    assert response.status_code == 422


def test_it_refuses_accepting_twice(colleague_invitation):
    _, token = colleague_invitation
    client = login(make_person("kim@acme.test", "Kim"))
    client.post(url("invitation_accept", token))
    response = client.get(url("invitation", token))
    assert response.status_code == 200 and "You have accepted this invitation" in text(response)
    response = client.post(url("invitation_accept", token))
    assert response.status_code == 422
    assert "already been accepted" in text(response)


def test_it_says_when_an_invitation_expired_or_was_withdrawn(network_invitation, world):
    invitation, token = network_invitation
    client = login(make_person("zoe@zeta.test", "Zoe"))
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    response = client.get(url("invitation", token))
    assert response.status_code == 410 and "has expired" in text(response)
    assert client.post(url("invitation_accept", token)).status_code == 422
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(days=1)
    )
    services.invitation_revoke(actor=world.leader, invitation=invitation)
    response = client.get(url("invitation", token))
    assert response.status_code == 410 and "withdrawn" in text(response)
    response = client.post(url("invitation_decline", token))
    assert response.status_code == 422 and "withdrawn" in text(response)


def test_it_declines_an_invitation_with_a_reason(network_invitation):
    invitation, token = network_invitation
    client = login(make_person("zoe@zeta.test", "Zoe"))
    response = client.post(url("invitation_decline", token), {"reason": "Not now"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "declined" and invitation.decline_reason == "Not now"
    assert "You declined this invitation" in text(client.get(url("invitation", token)))


def test_it_declines_inline_with_htmx(colleague_invitation):
    _, token = colleague_invitation
    client = login(make_person("kim@acme.test", "Kim"))
    response = client.post(url("invitation_decline", token), **HX)
    assert response.status_code == 200
    assert_fragment(response)
    assert 'id="invitation-answer"' in text(response)
    assert "You declined this invitation" in text(response)


def test_it_tells_htmx_where_to_go_after_accepting(colleague_invitation):
    _, token = colleague_invitation
    client = login(make_person("kim@acme.test", "Kim"))
    response = client.post(url("invitation_accept", token), **HX)
    assert response["HX-Redirect"] == url("my_organization")


# Error pages ---------------------------------------------------------------------------------


def test_it_renders_error_pages_without_a_traceback(client, db):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = core_views.server_error(request)
    assert response.status_code == 500 and "went wrong" in text(response)
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and "can\u2019t find that page" in text(response)


def test_too_many_sign_ups_from_one_address_get_the_sites_page(client, db):
    # allauth counts sign-up attempts per address (20 a minute); past that it answered a bare
    # page without the site around it or a way on.
    for _ in range(25):
        response = client.post("/signup/", {"name": "", "email": "x", "password1": "p"})
        if response.status_code == 429:
            break
    assert response.status_code == 429
    page = text(response)
    assert "Too many attempts in a short time" in page and "Nothing was changed" in page
    assert 'class="site-header' in response.content.decode()
