"""A security key (WebAuthn) as the second factor, in Chromium with a virtual authenticator
(the browser's own WebAuthn implementation, driven through the DevTools protocol)."""

import re

import pytest

from consortia.accounts import services
from consortia.accounts.models import SecurityEvent
from tests.browser.helpers import sign_in as _sign_in
from tests.conftest import PASSWORD


def sign_in(page, who, wait=False):
    _sign_in(page, who, wait=False)


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_adds_a_security_key_and_signs_in_with_it(new_page, shoot, world, settings):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the test server speaks plain http
    page = new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    person = world.member
    sign_in(page, person, wait=False)
    page.wait_for_url(re.compile(r".*/$"))
    page.goto("/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_url(re.compile(r".*/webauthn/add/.*"))
    page.fill("input[name=name]", "My key")
    shoot(page, "add-key")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    shoot(page, "key-added")
    assert services.has_two_factor(person)

    page.locator("summary.menu__toggle").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/$"))
    sign_in(page, person, wait=False)
    page.wait_for_url(re.compile(r".*/2fa/authenticate/.*"))
    shoot(page, "use-key")
    page.get_by_role("button", name=re.compile("security key", re.I)).click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/$"))
    assert SecurityEvent.objects.filter(person=person, kind="two_factor_enabled").exists()
    assert SecurityEvent.objects.filter(person=person, kind="signed_in").count() >= 2
