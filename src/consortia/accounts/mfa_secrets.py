"""Two-factor secrets at rest: allauth's MFA stores the TOTP key (`data["secret"]`) and the
recovery codes' seed (`data["seed"]`, and `data["migrated_codes"]` when imported) through its
adapter's encrypt()/decrypt() hooks; accounts.adapter.MFAAdapter sends them here. They are
encrypted by core.crypto (Fernet, key derived from SECRET_KEY and SECRET_KEY_FALLBACKS, like
webhook secrets, with a purpose of its own) and marked with PREFIX, so a value written before
migration accounts 0002 (plain text) is still read, and the migration knows what is done.
"""

import logging

from consortia.core import crypto

logger = logging.getLogger(__name__)

PURPOSE = b"consortia.accounts two-factor secrets v1"
PREFIX = "fernet1:"
# Which values of Authenticator.data hold secrets, by authenticator type (lists: each element).
SECRET_FIELDS = {"totp": ("secret",), "recovery_codes": ("seed", "migrated_codes")}


def seal(text: str) -> str:
    if text.startswith(PREFIX):
        return text
    return PREFIX + crypto.encrypt(text, purpose=PURPOSE)


class Unreadable(ValueError):
    """A stored two-factor secret that neither SECRET_KEY nor SECRET_KEY_FALLBACKS decrypts."""


def unseal(stored: str) -> str:
    """The plain secret. A stored value without PREFIX predates encryption and is returned as
    it is. Unreadable when SECRET_KEY changed and no fallback can read it: two-factor codes
    must never be checked against a wrong key. Whoever checks codes catches it and says so
    (`unreadable_message`, `report_unreadable`): a refusal, never a 500."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return crypto.decrypt(stored[len(PREFIX) :], purpose=PURPOSE)
    except crypto.InvalidToken:
        raise Unreadable(
            "a two-factor secret cannot be decrypted: SECRET_KEY changed (add the old key to "
            "SECRET_KEY_FALLBACKS)"
        ) from None


def check_code(authenticators, code: str):
    """`(the authenticator that accepts code, or None; whether none could be read)`, trying
    each of `authenticators` (an authenticator app, recovery codes) in turn. One whose secret
    cannot be decrypted is skipped: another may still work (a recovery seed stored before
    encryption). "None could be read" means no code of the person can be checked now: the
    caller refuses with `unreadable_message` instead of counting a wrong code."""
    unreadable = 0
    for authenticator in authenticators:
        try:
            if authenticator.wrap().validate_code(code):
                return authenticator, False
        except Unreadable:
            unreadable += 1
    return None, bool(authenticators) and unreadable == len(authenticators)


def unreadable_message(person) -> str:
    """What the person is told when their codes cannot be checked, with the way in that still
    works: a security key or passkey (WebAuthn keeps no secret of ours), else the operator."""
    from allauth.mfa.models import Authenticator

    has_key = Authenticator.objects.filter(
        user_id=person.pk, type=Authenticator.Type.WEBAUTHN
    ).exists()
    way_in = "Use your security key or passkey instead, or ask" if has_key else "Ask"
    return (
        "Your two-factor settings cannot be read on this server (its secret key was changed), "
        "so neither your authenticator app's codes nor your recovery codes can be checked. "
        "Nothing was changed. "
        f"{way_in} the people who run this site to restore the previous key or to reset your "
        "two-factor authentication."
    )


def report_unreadable(person, where: str) -> None:
    """A warning for the operator: who and where, never a secret."""
    logger.warning(
        "The two-factor secrets of person %s cannot be decrypted (%s): SECRET_KEY changed "
        "without the old key in SECRET_KEY_FALLBACKS. Put the old key back in "
        "SECRET_KEY_FALLBACKS, or delete this person's authenticators in the admin "
        "(Authenticators) so that they set up two-factor authentication again.",
        getattr(person, "pk", None),
        where,
    )


def transform_data(kind: str, data: dict, how) -> dict:
    """`data` with each secret field of an authenticator of type `kind` passed through `how`
    (seal or unseal); other fields untouched."""
    data = dict(data or {})
    for name in SECRET_FIELDS.get(kind, ()):
        value = data.get(name)
        if isinstance(value, str):
            data[name] = how(value)
        elif isinstance(value, list):
            data[name] = [how(v) if isinstance(v, str) else v for v in value]
    return data
