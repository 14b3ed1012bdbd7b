"""SECRET_KEY changed without the old key in SECRET_KEY_FALLBACKS: the stored two-factor secrets
cannot be decrypted. Every place that checks a code (the sign-in's second step, the confirmation
before a sensitive action, the API's token exchange) then refuses calmly — a clear message, no
failure counted, nothing changed, a warning for the operator without secrets — never a 500. With
the old key back in SECRET_KEY_FALLBACKS the same codes work again."""

import logging
import time
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from consortia.accounts.mfa_secrets import PREFIX, unreadable_message, unseal
from consortia.accounts.models import SecurityEvent
from consortia.core.models import ApiToken
from tests.api.conftest import ApiClient
from tests.conftest import PASSWORD, login

Kind = SecurityEvent.Kind
SECRET = "JBSWY3DPEHPK3PXP"
NEW_KEY = "a-brand-new-secret-key-" + "n" * 40
UNREADABLE = "cannot be read on this server"


def code_now(step: int = 0) -> str:
    return format_hotp_value(hotp_value(SECRET, int(time.time()) // 30 + step))


def turn_on_two_factor(person) -> list[str]:
    """An authenticator app and recovery codes, stored encrypted as allauth stores them."""
    TOTP.activate(person, SECRET)
    return RecoveryCodes.activate(person).get_unused_codes()


def stored(person) -> list:
    return list(
        Authenticator.objects.filter(user=person)
        .order_by("pk")
        .values("type", "data", "last_used_at")
    )


def security_log(person) -> list[str]:
    return list(SecurityEvent.objects.filter(person=person).values_list("kind", flat=True))


@pytest.fixture
def rotated(settings):
    """Rotate SECRET_KEY the wrong way (no fallback); give back the old key to undo it."""
    old = settings.SECRET_KEY

    def rotate():
        settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, []

    def keep_old_key():
        settings.SECRET_KEY_FALLBACKS = [old]

    return rotate, keep_old_key


def operator_warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "consortia.accounts.mfa_secrets"]


def test_the_sign_in_says_the_two_factor_settings_cannot_be_read_and_changes_nothing(
    world, rotated, caplog
):
    person = world.member
    codes = turn_on_two_factor(person)
    rotate, keep_old_key = rotated
    rotate()
    before, log_before = stored(person), security_log(person)
    client = Client()
    response = client.post("/login/", {"login": person.email, "password": PASSWORD})
    assert response.url.startswith("/accounts/2fa/authenticate")
    caplog.set_level(logging.WARNING, logger="consortia.accounts.mfa_secrets")
    # The right code, a recovery code, a wrong code: none can be checked against a wrong key.
    for code in (code_now(), codes[0], "000000"):
        response = client.post("/accounts/2fa/authenticate/", {"code": code})
        assert response.status_code == 200
        page = response.content.decode()
        assert UNREADABLE in page and "Nothing was changed" in page
        assert "Please correct" not in page  # about the account, not the code typed
        assert "people who run this site" in page
        assert "_auth_user_id" not in client.session
    assert stored(person) == before
    assert security_log(person) == log_before  # no failure counted towards the lockout
    warnings = operator_warnings(caplog)
    assert len(warnings) == 3 and all(r.levelno == logging.WARNING for r in warnings)
    for record in warnings:
        text = record.getMessage()
        assert f"person {person.pk}" in text and "SECRET_KEY_FALLBACKS" in text
        assert SECRET not in text and codes[0] not in text and PREFIX not in text
    # The old key back in SECRET_KEY_FALLBACKS: the same person signs in with their app.
    keep_old_key()
    response = client.post("/accounts/2fa/authenticate/", {"code": code_now()})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_a_security_key_is_offered_as_the_way_in_that_still_works(world):
    person = world.member
    turn_on_two_factor(person)
    assert "security key" not in unreadable_message(person)
    Authenticator.objects.create(user=person, type="webauthn", data={"credential": {}})
    assert "Use your security key or passkey instead" in unreadable_message(person)


def test_a_wrong_code_still_counts_when_a_secret_can_be_read(world, rotated):
    # A recovery seed stored before encryption (plain) stays readable after the key change:
    # it still signs in, and a wrong code is a wrong code (counted, not excused).
    person = world.member
    TOTP.activate(person, SECRET)
    recovery = RecoveryCodes.activate(person)
    seed = recovery.instance.data["seed"]
    rotate, _ = rotated
    recovery.instance.data["seed"] = unseal(seed)  # as before migration accounts 0002
    recovery.instance.save()
    codes = recovery.get_unused_codes()
    rotate()
    client = Client()
    client.post("/login/", {"login": person.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200 and UNREADABLE not in response.content.decode()
    assert Kind.TWO_FACTOR_FAILED in security_log(person)
    response = client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_confirming_a_sensitive_action_says_so_too(world, rotated):
    person = world.member
    turn_on_two_factor(person)
    rotate, _ = rotated
    rotate()
    client = login(person)
    before = stored(person)
    response = client.post("/accounts/2fa/reauthenticate/", {"code": code_now()})
    assert response.status_code == 200
    assert UNREADABLE in response.content.decode()
    assert stored(person) == before
    assert Kind.TWO_FACTOR_FAILED not in security_log(person)


def test_the_api_token_exchange_refuses_with_the_reason_and_counts_no_failure(
    world, rotated, caplog, settings
):
    person = world.member
    codes = turn_on_two_factor(person)
    rotate, keep_old_key = rotated
    rotate()
    settings.AXES_FAILURE_LIMIT = 2
    before, log_before = stored(person), security_log(person)
    caplog.set_level(logging.WARNING, logger="consortia.accounts.mfa_secrets")
    body = {"email": person.email, "password": PASSWORD, "name": "script"}
    for code in (code_now(), codes[0], code_now(), codes[1]):  # past the lockout's limit
        response = ApiClient().post("/auth/token", {**body, "code": code})
        assert response.status_code == 401, response.content
        assert UNREADABLE in response.json()["detail"]
    assert not ApiToken.objects.filter(person=person).exists()
    assert stored(person) == before and security_log(person) == log_before
    assert len(operator_warnings(caplog)) == 4
    assert all(SECRET not in r.getMessage() for r in operator_warnings(caplog))
    # A missing code is still just a missing code.
    response = ApiClient().post("/auth/token", body)
    assert response.status_code == 401 and UNREADABLE not in response.json()["detail"]
    keep_old_key()
    response = ApiClient().post("/auth/token", {**body, "code": codes[2]})
    assert response.status_code == 201


def test_the_two_factor_settings_pages_explain_instead_of_failing(world, settings, caplog):
    person = world.member
    client = login(person)
    # Secrets written under a key this server no longer has (and its sessions still valid).
    current = settings.SECRET_KEY
    settings.SECRET_KEY = "a-key-this-server-lost-" + "l" * 40
    turn_on_two_factor(person)
    settings.SECRET_KEY = current
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})  # the codes' page asks
    caplog.set_level(logging.WARNING, logger="consortia.accounts.mfa_secrets")
    for path in ("/accounts/2fa/", "/accounts/2fa/recovery-codes/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url == reverse("account_security"), path
        page = client.get(response.url).content.decode()
        assert UNREADABLE in page, path
    assert len(operator_warnings(caplog)) == 2
    assert Authenticator.objects.filter(user=person).count() == 2


def test_the_database_check_warns_the_operator(world, rotated):
    from consortia.accounts.checks import two_factor_secrets_readable

    turn_on_two_factor(world.member)
    turn_on_two_factor(world.leader)
    assert two_factor_secrets_readable(databases=["default"]) == []
    rotate, keep_old_key = rotated
    rotate()
    assert two_factor_secrets_readable() == []  # plain `check` does not query
    (warning,) = two_factor_secrets_readable(databases=["default"])
    assert warning.id == "accounts.W001" and warning.msg.startswith("4 stored two-factor")
    assert "SECRET_KEY_FALLBACKS" in warning.hint
    out = StringIO()
    call_command("check", "--database", "default", stderr=out, stdout=out)
    assert "accounts.W001" in out.getvalue()
    keep_old_key()
    assert two_factor_secrets_readable(databases=["default"]) == []
