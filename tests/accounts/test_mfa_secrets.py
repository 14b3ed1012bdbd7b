"""Two-factor secrets are encrypted at rest (allauth's MFA adapter hooks, accounts.mfa_secrets),
sign-in with a TOTP code still works, and migration accounts 0002 encrypts what was stored in
plain text before (and decrypts it again when reversed)."""

import importlib
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.apps import apps
from django.test import Client

from consortia.accounts.mfa_secrets import PREFIX, unseal
from tests.conftest import PASSWORD, signed_in

migration = importlib.import_module("consortia.accounts.migrations.0002_encrypt_two_factor_secrets")


def test_the_totp_secret_and_recovery_seed_are_stored_encrypted(
    world, django_capture_on_commit_callbacks
):
    person = world.member
    client = signed_in(person)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    secret = client.get("/accounts/2fa/totp/activate/").context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302
    codes = RecoveryCodes(
        Authenticator.objects.get(user=person, type="recovery_codes")
    ).get_unused_codes()
    totp = Authenticator.objects.get(user=person, type="totp")
    stored = str(totp.data)
    assert secret not in stored and totp.data["secret"].startswith(PREFIX)
    assert unseal(totp.data["secret"]) == secret
    recovery = Authenticator.objects.get(user=person, type="recovery_codes")
    assert recovery.data["seed"].startswith(PREFIX)
    assert not any(code in str(recovery.data) for code in codes)
    assert RecoveryCodes(recovery).get_unused_codes() == codes
    # Signing in with the authenticator app's code still works (the next step's code: the
    # one used to turn it on may not be used twice; the tolerance accepts one step ahead).
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30 + 1))
    other = Client()
    response = other.post("/login/", {"login": person.email, "password": PASSWORD})
    assert response.url.startswith("/accounts/2fa/authenticate")
    assert other.post(response.url, {"code": "000000"}).status_code == 200  # refused
    response = other.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302 and "_auth_user_id" in other.session


def test_the_migration_encrypts_plain_secrets_and_reverses(world):
    plain_totp = {"secret": "JBSWY3DPEHPK3PXP"}
    plain_codes = {"seed": "ab" * 40, "used_mask": 3, "migrated_codes": ["12345678"]}
    totp = Authenticator.objects.create(user=world.member, type="totp", data=plain_totp)
    codes = Authenticator.objects.create(user=world.member, type="recovery_codes", data=plain_codes)
    key = Authenticator.objects.create(
        user=world.leader, type="webauthn", data={"credential": {"id": "x"}}
    )
    migration.encrypt_secrets(apps, None)
    migration.encrypt_secrets(apps, None)  # twice: nothing is encrypted twice
    for row in (totp, codes, key):
        row.refresh_from_db()
    assert "JBSWY3DPEHPK3PXP" not in str(totp.data) and "12345678" not in str(codes.data)
    assert ("ab" * 40) not in str(codes.data) and codes.data["used_mask"] == 3
    assert key.data == {"credential": {"id": "x"}}
    assert unseal(totp.data["secret"]) == "JBSWY3DPEHPK3PXP"
    migration.decrypt_secrets(apps, None)
    totp.refresh_from_db()
    codes.refresh_from_db()
    assert totp.data == plain_totp and codes.data == plain_codes
