"""Webhook signing secrets at rest: encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a
key derived by HKDF-SHA256 from SECRET_KEY (and SECRET_KEY_FALLBACKS, so a rotated SECRET_KEY
still decrypts until the fallbacks are dropped). A database dump alone does not reveal them.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

INFO = b"consortia.integrations webhook secrets v1"


def _key(secret_key: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(derived)


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(_key(key)) for key in keys])


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The plain secret; ValueError when SECRET_KEY changed and no fallback can read it."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError(
            "the webhook secret cannot be decrypted: SECRET_KEY changed (add the old key to "
            "SECRET_KEY_FALLBACKS, or rotate the endpoint's secret)"
        ) from None
