"""Webhook signing secrets at rest: encrypted by core.crypto (Fernet under a key derived by
HKDF-SHA256 from SECRET_KEY and SECRET_KEY_FALLBACKS) for this purpose. A database dump alone
does not reveal them.
"""

from consortia.core import crypto

INFO = b"consortia.integrations webhook secrets v1"


def encrypt(text: str) -> str:
    return crypto.encrypt(text, purpose=INFO)


def decrypt(token: str) -> str:
    """The plain secret; ValueError when SECRET_KEY changed and no fallback can read it."""
    try:
        return crypto.decrypt(token, purpose=INFO)
    except crypto.InvalidToken:
        raise ValueError(
            "the webhook secret cannot be decrypted: SECRET_KEY changed (add the old key to "
            "SECRET_KEY_FALLBACKS, or rotate the endpoint's secret)"
        ) from None
