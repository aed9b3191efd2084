"""App Code hashing, session tokens and the failed-login brake."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_APP_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def new_app_code(length: int = 10) -> str:
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


class LoginBrake:
    """Slows down guessing: after ``free`` failures from one client, a growing wait.

    Per process; with several workers each keeps its own count, which still bounds
    guessing to a few attempts per worker per lockout period.
    """

    def __init__(
        self,
        free: int = 5,
        window: float = 600.0,
        max_lock: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free = free
        self.window = window
        self.max_lock = max_lock
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, client: str) -> float:
        """How long this client must still wait before its next attempt counts."""
        with self._lock:
            now = self._clock()
            recent = [t for t in self._failures.get(client, []) if now - t < self.window]
            self._failures[client] = recent
            if len(recent) < self.free:
                return 0.0
            lock = min(self.max_lock, 2.0 ** (len(recent) - self.free + 1))
            return max(0.0, recent[-1] + lock - now)

    def failed(self, client: str) -> None:
        with self._lock:
            self._failures.setdefault(client, []).append(self._clock())

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
