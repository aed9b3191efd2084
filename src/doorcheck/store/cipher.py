"""Encrypted stores: SQLCipher under the same engine, with a random 256-bit key.

A door created encrypted (``doorcheck login --encrypt``) keeps every store of its
data folder in SQLCipher's format: each page of the database and of its write-ahead
log is encrypted (AES-256) and authenticated (HMAC-SHA512). The key is random, not a
passphrase, so it is given raw (``x'…'``): SQLCipher then skips the key derivation
(PBKDF2, 256,000 rounds) a passphrase would cost every new connection. Where the key
is kept is store/credentials.py's business (the OS keyring, or the user-only file).

sqlcipher3 (which bundles SQLCipher) is imported here only, and only when an
encrypted store is opened: a plain door never loads it, and works where it does
not import at all.
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Any

KEY_BYTES = 32  # AES-256
SQLITE_NOTADB = 26  # "file is not a database": SQLCipher's answer to a wrong key, too


class StoreKey:
    """An encrypted store's key. Its text is never in a repr, a log or an error."""

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes) -> None:
        if len(raw) != KEY_BYTES:
            raise ValueError(f"a store key has {KEY_BYTES} bytes")
        self._raw = raw

    @classmethod
    def new(cls) -> StoreKey:
        return cls(secrets.token_bytes(KEY_BYTES))

    @classmethod
    def from_text(cls, text: str) -> StoreKey:
        """The key as kept (hex); ValueError if it is not one."""
        return cls(bytes.fromhex(text))

    def text(self) -> str:
        return self._raw.hex()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StoreKey) and secrets.compare_digest(self._raw, other._raw)

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        return "StoreKey(hidden)"


class Locked(StrEnum):
    """Why a store stays shut."""

    NO_KEY = "no-key"  # the folder's stores are encrypted; the key is not where it was kept
    WRONG_KEY = "wrong-key"  # the key given does not open the file
    NO_SQLCIPHER = "no-sqlcipher"  # the store is encrypted; sqlcipher3 does not load here
    NOT_A_DATABASE = "not-a-database"  # opened as a plain store, it is none (encrypted?)


class StoreLockedError(Exception):
    """A store that cannot be opened here. Nothing was created, changed or removed."""

    def __init__(self, reason: Locked, path: Path | None = None, why: str = "") -> None:
        self.reason = reason
        self.path = path
        self.why = why
        super().__init__(f"{reason.value}: {path}" + (f" ({why})" if why else ""))


def sqlcipher() -> ModuleType:
    """sqlcipher3's DB-API module, imported on first use."""
    try:
        import sqlcipher3.dbapi2 as dbapi
    except ImportError as exc:
        raise StoreLockedError(Locked.NO_SQLCIPHER, why=str(exc)) from None
    module: ModuleType = dbapi
    return module


def connect(database: str | Path, key: StoreKey, **options: Any) -> Any:
    """A SQLCipher connection with its key given, and proven: the key pragma must come
    before any other statement, and a wrong key shows only when a page is read.
    ``options`` go to ``connect`` (``uri``, ``timeout``, ``isolation_level``, ...)."""
    dbapi = sqlcipher()
    conn = dbapi.connect(str(database), **options)
    try:
        # SQLCipher would print "hmac check failed" to stderr for a wrong key, beneath
        # the refusal in words this module raises (the setting is the process's).
        conn.execute("PRAGMA cipher_log_level = NONE")
        # The key as a blob literal; never a bound parameter (PRAGMA takes none), and
        # never through SQLAlchemy, whose statement logging would print it.
        conn.execute(f"PRAGMA key = \"x'{key.text()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except dbapi.DatabaseError as exc:
        conn.close()
        if getattr(exc, "sqlite_errorcode", None) == SQLITE_NOTADB:
            path = Path(str(database).removeprefix("file:").split("?")[0])
            raise StoreLockedError(Locked.WRONG_KEY, path) from None
        raise
    except BaseException:
        conn.close()
        raise
    return conn


def is_not_a_database(exc: BaseException) -> bool:
    """SQLite's "file is not a database", from either driver, wrapped or not."""
    wrapped = getattr(exc, "orig", None)
    return any(
        getattr(error, "sqlite_errorcode", None) == SQLITE_NOTADB for error in (exc, wrapped)
    )
