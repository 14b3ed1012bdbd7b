"""Accounts in a real browser: sign up, verify the address from the e-mail in the outbox,
turn on two-factor authentication with a code computed here, sign out, sign in with a code,
use a recovery code once, and find both sign-ins in the security log — at 1280 and 375 px."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from consortia.accounts import services
from consortia.core.models import OutboundEmail
from consortia.networks.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "violet tractor harbour 42"
EMAIL = "nia@nimbus.test"


def code_for(secret: str, step: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def no_sideways_scroll(page):
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def sign_in(page, password=PASSWORD):
    page.goto("/login/")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page):
    page.locator("summary.menu__toggle").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/$"))


@pytest.mark.parametrize("width", [1280, 375])
def test_sign_up_verify_two_factor_and_the_security_log(new_page, shoot, width):
    page = new_page(width=width, height=900)
    page.goto("/signup/")
    page.fill("input[name=name]", "Nia Nimbus")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    shoot(page, "sign-up")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r".*/login/.*"))
    assert "Check your inbox" in page.content()
    shoot(page, "check-inbox")

    # The link from the e-mail (console backend's outbox) verifies the address.
    body = OutboundEmail.objects.filter(to=EMAIL).latest("pk").body
    link = re.search(r"https?://\S+?(/accounts/confirm-email/\S+/)", body).group(1)
    page.goto(link)
    shoot(page, "confirm-address")
    page.get_by_role("button", name="Confirm").click()
    assert services.email_is_verified(Person.objects.get(email=EMAIL))

    sign_in(page)
    page.wait_for_url(re.compile(r".*/$"))
    assert "Verify your e-mail address" not in page.content()
    no_sideways_scroll(page)

    # Two-factor: confirm the password, scan (read) the secret, type the app's code.
    page.goto("/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:
        shoot(page, "confirm-password")
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r".*/2fa/totp/activate/.*"))
    assert page.locator(".qr__code svg").count() == 1  # drawn by the server
    no_sideways_scroll(page)
    shoot(page, "totp-activate")
    secret = page.input_value("#authenticator_secret")
    page.fill("input[name=code]", code_for(secret))
    page.get_by_role("button", name="Turn on").click()
    page.wait_for_load_state()
    shoot(page, "totp-on")
    person = Person.objects.get(email=EMAIL)
    assert services.has_two_factor(person)
    recovery = RecoveryCodes(Authenticator.objects.get(user=person, type="recovery_codes"))
    codes = recovery.get_unused_codes()

    # Sign out; signing in asks for the code.
    sign_out(page)
    sign_in(page)
    page.wait_for_url(re.compile(r".*/2fa/authenticate/.*"))
    shoot(page, "enter-code")
    page.fill("input[name=code]", code_for(secret, step=1))
    page.get_by_role("button", name=re.compile("sign in|confirm", re.I)).click()
    page.wait_for_url(re.compile(r".*/$"))

    # Once more with a recovery code; it works once only.
    sign_out(page)
    sign_in(page)
    page.wait_for_url(re.compile(r".*/2fa/authenticate/.*"))
    page.fill("input[name=code]", codes[0])
    page.get_by_role("button", name=re.compile("sign in|confirm", re.I)).click()
    page.wait_for_url(re.compile(r".*/$"))
    used = Authenticator.objects.get(user=person, type="recovery_codes")
    assert codes[0] not in RecoveryCodes(used).get_unused_codes()

    page.goto("/settings/security/log/")
    no_sideways_scroll(page)
    shoot(page, "security-log")
    log = page.locator("main").inner_text()
    assert log.count("Signed in") >= 3  # after verifying, with the app's code, with a recovery code
    assert "Signed in with a recovery code" in log
    assert "Two-factor authentication turned on" in log
    for path in (
        "/settings/security/",
        "/settings/sessions/",
        "/settings/privacy/",
        "/accounts/2fa/",
    ):
        page.goto(path)
        no_sideways_scroll(page)
        shoot(page, path.strip("/").replace("/", "-"))
