"""App Code hashing and session tokens (the failed-login brake is in brake.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import string

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_APP_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


# 12 characters from 56: about 70 bits, far beyond what the login brake lets anyone try.
APP_CODE_LENGTH = 12
MIN_APP_CODE_LENGTH = 10
MIN_APP_CODE_BITS = 55


def new_app_code(length: int = APP_CODE_LENGTH) -> str:
    return "".join(secrets.choice(_APP_CODE_ALPHABET) for _ in range(length))


def hash_app_code(app_code: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(app_code.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_app_code(app_code: str, stored: str) -> bool:
    """Constant-time check of an App Code against its stored scrypt hash."""
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(digest_b64)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    actual = hashlib.scrypt(app_code.encode(), salt=salt, dklen=len(expected), **_SCRYPT)
    return hmac.compare_digest(actual, expected)


# Verified against when no station matches, so a wrong station name costs the same
# time as a wrong App Code and timing does not reveal which stations exist.
DUMMY_HASH = hash_app_code(new_app_code())


def new_session_token() -> str:
    """40 hex characters from the OS CSPRNG, as the protocol's examples show."""
    return secrets.token_hex(20)


def token_digest(token: str) -> str:
    """Sessions are stored by digest so a copy of the database holds no live token."""
    return hashlib.sha256(token.encode()).hexdigest()


def app_code_weakness(app_code: str) -> str | None:
    """Why a chosen App Code is easy to guess, as a plain sentence; None if it is not."""
    if len(app_code) < MIN_APP_CODE_LENGTH:
        return f"The App Code is shorter than {MIN_APP_CODE_LENGTH} characters."
    alphabet = 0
    for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits):
        if any(c in group for c in app_code):
            alphabet += len(group)
    if any(not c.isascii() or not c.isalnum() for c in app_code):
        alphabet += 32
    bits = len(app_code) * math.log2(max(alphabet, 2))
    if bits < MIN_APP_CODE_BITS or len(set(app_code)) < MIN_APP_CODE_LENGTH // 2:
        return "The App Code is easy to guess: mix letters of both cases and digits."
    return None
