"""`consortia manage check --database default`: warns when stored two-factor secrets cannot be
decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS (the key was changed without keeping the old
one), before people find out at sign-in. A database check: plain `check` does not query."""

from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.security, checks.Tags.database)
def two_factor_secrets_readable(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from allauth.mfa.models import Authenticator

    from consortia.accounts import mfa_secrets

    unreadable = 0
    try:
        for alias in databases:
            rows = Authenticator.objects.using(alias).filter(
                type__in=list(mfa_secrets.SECRET_FIELDS)
            )
            for kind, data in rows.values_list("type", "data").iterator():
                try:
                    mfa_secrets.transform_data(kind, data, mfa_secrets.unseal)
                except mfa_secrets.Unreadable:
                    unreadable += 1
    except DatabaseError:
        return []  # not migrated yet: nothing stored to read
    if not unreadable:
        return []
    return [
        checks.Warning(
            f"{unreadable} stored two-factor secret(s) (authenticator apps, recovery codes) "
            "cannot be decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS: their owners cannot "
            "sign in with them.",
            hint="Add the previous SECRET_KEY to SECRET_KEY_FALLBACKS. If it is lost, delete "
            "those people's authenticators in the admin (Authenticators) so that they set up "
            "two-factor authentication again.",
            id="accounts.W001",
        )
    ]
