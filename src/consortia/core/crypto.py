"""Secrets at rest (webhook signing secrets, two-factor secrets): encrypted with Fernet
(AES-128-CBC + HMAC-SHA256) under a key derived by HKDF-SHA256 from SECRET_KEY (and
SECRET_KEY_FALLBACKS, so a rotated SECRET_KEY still decrypts until the fallbacks are dropped).
Each use names its `purpose` (HKDF's info), so each gets its own key from the same SECRET_KEY:
a webhook secret's ciphertext is not a two-factor secret's. A database dump alone does not
reveal them.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _key(secret_key: str, purpose: bytes) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(derived)


def _fernet(purpose: bytes) -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(_key(key, purpose)) for key in keys])


def encrypt(text: str, *, purpose: bytes) -> str:
    return _fernet(purpose).encrypt(text.encode()).decode()


def decrypt(token: str, *, purpose: bytes) -> str:
    """The plain text; InvalidToken when SECRET_KEY changed and no fallback can read it."""
    return _fernet(purpose).decrypt(token.encode()).decode()


__all__ = ["InvalidToken", "decrypt", "encrypt"]
