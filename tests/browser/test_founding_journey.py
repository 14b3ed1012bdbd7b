"""The founding journey in a real browser, as two people on two machines would take it:
found a network, invite an organization, sign up and accept as the invitee, approve the
admission, and see both organizations in the member list."""

import re

import pytest

from consortia.core.models import OutboundEmail
from consortia.networks.models import NetworkMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long enough passphrase 42"


def sign_up(page, *, name, email=None):
    """Sign up, open the verification link from the e-mail, then sign in (and come back to
    where the sign-up started, e.g. the invitation)."""
    page.fill("input[name=name]", name)
    if email is not None:
        page.fill("input[name=email]", email)
    email = page.input_value("input[name=email]")
    page.fill("input[name=password1]", PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r".*/login/.*"))
    back_to = page.url
    body = OutboundEmail.objects.filter(to=email).latest("pk").body
    page.goto(re.search(r"https?://\S+?(/accounts/confirm-email/\S+/)", body).group(1))
    page.get_by_role("button", name="Confirm").click()
    page.goto(back_to)
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_it_founds_a_network_invites_an_organization_and_admits_it(new_page, shoot):
    # Ada signs up, creates her organization and founds the network.
    ada = new_page()
    ada.goto("/signup/")
    sign_up(ada, name="Ada Founder", email="ada@acme.test")
    ada.goto("/organization/new/")
    ada.fill("input[name=name]", "Acme Labs")
    ada.get_by_role("button", name="Create organization").click()
    ada.wait_for_url(re.compile(r".*/organization/$"))
    shoot(ada, "organization-created")

    ada.goto("/networks/new/")
    ada.fill("input[name=name]", "Northwind Alliance")
    ada.fill("input[name=slug]", "northwind")
    ada.fill("textarea[name=description]", "Manufacturers partnering on supply-chain resilience.")
    ada.fill("textarea[name=charter_text]", "We partner for mutual benefit and decide together.")
    shoot(ada, "found-form")
    ada.get_by_role("button", name="Found the network").click()
    ada.wait_for_url(re.compile(r".*/n/northwind/$"))
    assert "Northwind Alliance" in ada.content()
    shoot(ada, "network-founded")

    # She invites Beta Works by the email of its future team leader.
    ada.goto("/n/northwind/invite/")
    ada.fill("input[name=email]", "bo@beta.test")
    ada.fill("textarea[name=message]", "You make the sensors we lack.")
    ada.get_by_role("button", name="Send invitation").click()
    ada.get_by_text("bo@beta.test").first.wait_for()
    shoot(ada, "invitation-sent")
    email = OutboundEmail.objects.get(to="bo@beta.test")
    link = re.search(r"https?://\S+(/invitations/[\w-]+/)", email.body).group(1)

    # Bo opens the link on another machine, signs up, creates Beta Works and accepts.
    bo = new_page()
    bo.goto(link)
    assert "Northwind Alliance" in bo.content()
    shoot(bo, "invitation-anonymous")
    bo.locator("main").get_by_role("link", name="Create an account").click()
    assert bo.input_value("input[name=email]") == "bo@beta.test"
    sign_up(bo, name="Bo Beta")
    bo.wait_for_url(re.compile(r".*/invitations/.*"))
    bo.fill("input[name=org-name]", "Beta Works")
    bo.check("input[name=accept_charter]")
    shoot(bo, "invitation-create-organization")
    bo.get_by_role("button", name="Create organization and accept").click()
    bo.wait_for_url(re.compile(r".*/n/northwind/$"))
    assert "Admission is now up to" in bo.locator("main").inner_text()
    shoot(bo, "invitation-accepted")
    membership = NetworkMembership.objects.get(organization__name="Beta Works")
    assert membership.status == "invited"  # accepted by Beta, not yet admitted

    # Ada approves the admission from the members page.
    ada.goto("/n/northwind/members/")
    shoot(ada, "members-pending")
    with ada.expect_response(lambda r: r.request.method == "POST") as answer:
        ada.get_by_role("button", name=re.compile(r"^Approve")).click()
    assert answer.value.ok
    shoot(ada, "admission-approved")
    ada.goto("/n/northwind/members/")
    members = ada.locator("main").inner_text()
    assert "Acme Labs" in members and "Beta Works" in members
    shoot(ada, "members-both")
    membership.refresh_from_db()
    assert membership.status == "active"

    # Bo sees the network as a member now, also on a phone-sized screen.
    phone = new_page(width=375, height=800)
    phone.goto("/login/")
    phone.fill("input[name=login]", "bo@beta.test")
    phone.fill("input[name=password]", PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.goto("/n/northwind/members/")
    assert "Acme Labs" in phone.locator("main").inner_text()
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 375px"
    shoot(phone, "members-phone")


def test_it_hides_a_network_from_an_outsider_who_guesses_its_address(new_page, shoot, world):
    world.network.visibility = "unlisted"
    world.network.save()
    page = new_page()
    page.goto("/login/")
    page.fill("input[name=login]", world.outsider.email)
    page.fill("input[name=password]", "correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    for path in ("/n/northwind/", "/n/northwind/members/", "/n/northwind/activity/"):
        response = page.goto(path)
        assert response.status == 404, path
        assert "Northwind" not in page.content()
    shoot(page, "outsider-404")
