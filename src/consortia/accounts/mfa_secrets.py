"""Two-factor secrets at rest: allauth's MFA stores the TOTP key (`data["secret"]`) and the
recovery codes' seed (`data["seed"]`, and `data["migrated_codes"]` when imported) through its
adapter's encrypt()/decrypt() hooks; accounts.adapter.MFAAdapter sends them here. They are
encrypted by core.crypto (Fernet, key derived from SECRET_KEY and SECRET_KEY_FALLBACKS, like
webhook secrets, with a purpose of its own) and marked with PREFIX, so a value written before
migration accounts 0002 (plain text) is still read, and the migration knows what is done.
"""

from consortia.core import crypto

PURPOSE = b"consortia.accounts two-factor secrets v1"
PREFIX = "fernet1:"
# Which values of Authenticator.data hold secrets, by authenticator type (lists: each element).
SECRET_FIELDS = {"totp": ("secret",), "recovery_codes": ("seed", "migrated_codes")}


def seal(text: str) -> str:
    if text.startswith(PREFIX):
        return text
    return PREFIX + crypto.encrypt(text, purpose=PURPOSE)


def unseal(stored: str) -> str:
    """The plain secret. A stored value without PREFIX predates encryption and is returned as
    it is. ValueError when SECRET_KEY changed and no fallback can read it: two-factor codes must
    never be checked against a wrong key."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return crypto.decrypt(stored[len(PREFIX) :], purpose=PURPOSE)
    except crypto.InvalidToken:
        raise ValueError(
            "a two-factor secret cannot be decrypted: SECRET_KEY changed (add the old key to "
            "SECRET_KEY_FALLBACKS)"
        ) from None


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
