"""Encrypt the two-factor secrets allauth stored in plain text (TOTP keys, recovery code seeds);
reversible (decrypts them again)."""

from django.db import migrations

from consortia.accounts.mfa_secrets import SECRET_FIELDS, seal, transform_data, unseal


def _rewrite(apps, how):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=list(SECRET_FIELDS)).iterator():
        data = transform_data(authenticator.type, authenticator.data, how)
        if data != authenticator.data:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


def encrypt_secrets(apps, schema_editor):
    _rewrite(apps, seal)


def decrypt_secrets(apps, schema_editor):
    _rewrite(apps, unseal)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_security_log_sso_domains_token_addresses"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets)]
