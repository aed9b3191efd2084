"""How a worker is doing, in words a steward can act on, and kept in the store so
`doorcheck status` (another process) sees it too.

The words name a cause, never a guest: exceptions from the store or a parser may
carry personal data, so only their kind reaches the screen and the log.
"""

from __future__ import annotations

import errno
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from doorcheck.sqlite_drivers import driver_errors
from doorcheck.words import Phrase, phrase

STATE_PREFIX = "worker."
WORKERS = ("sync", "source", "forward", "count")  # the keys workers persist under


class StateStore(Protocol):
    def get_state(self, key: str) -> str | None: ...

    def set_state(self, key: str, value: str | None) -> None: ...


@dataclass(frozen=True)
class WorkerHealth:
    """``failing`` is None while the worker does its work; ``stopped`` means retrying
    cannot help and the words say what to do."""

    worker: str
    failing: str | Phrase | None = None
    stopped: bool = False
    retry_in: float | None = None


@dataclass(frozen=True)
class StoredFailure:
    worker: str
    reason: str  # English
    stopped: bool
    since: str  # UTC, ISO 8601


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception, what it wraps (SQLAlchemy's ``orig``) and what caused it."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or any(item is s for s in seen) or len(seen) > 20:
            continue
        seen.append(item)
        orig = getattr(item, "orig", None)
        todo += [orig if isinstance(orig, BaseException) else None]
        todo += [item.__cause__, item.__context__]
    return seen


def _sqlite_code(exc: BaseException) -> int | None:
    for cause in _causes(exc):
        if isinstance(cause, driver_errors()):  # sqlite3's, or sqlcipher3's
            code = getattr(cause, "sqlite_errorcode", None)
            if isinstance(code, int):
                return code & 0xFF  # the primary code; extended codes add high bits
    return None


def is_disk_full(exc: BaseException) -> bool:
    """SQLite's "database or disk is full", or the OS's "no space left on device"."""
    if _sqlite_code(exc) == sqlite3.SQLITE_FULL:
        return True
    return any(isinstance(c, OSError) and c.errno == errno.ENOSPC for c in _causes(exc))


DISK_FULL = phrase("The laptop's disk is full: nothing new is recorded until space is free.")


def describe(exc: BaseException) -> str | Phrase:
    """What went wrong, in one sentence, without the exception's own text."""
    if is_disk_full(exc):
        return DISK_FULL
    code = _sqlite_code(exc)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return phrase("The door's data file is locked by another program.")
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN):
        return phrase("The door's data file cannot be written (check its folder's permissions).")
    if code is not None:
        return phrase("The door's data file failed (SQLite error {code}).", code=code)
    if any(isinstance(c, MemoryError) for c in _causes(exc)):
        return phrase("The laptop is out of memory.")
    return phrase("An unexpected error ({kind}).", kind=type(exc).__name__)


def save_health(store: StateStore, health: WorkerHealth, clock: datetime | None = None) -> None:
    """Keep a failure (or its end) where other processes read it."""
    key = STATE_PREFIX + health.worker
    if health.failing is None:
        store.set_state(key, None)
        return
    since = (clock or datetime.now(UTC)).isoformat()
    value = {"reason": str(health.failing), "stopped": health.stopped, "since": since}
    store.set_state(key, json.dumps(value))


def stored_failures(store: StateStore) -> list[StoredFailure]:
    """The workers failing now, as the last one to fail wrote it."""
    found = []
    for worker in WORKERS:
        text = store.get_state(STATE_PREFIX + worker)
        if not text:
            continue
        try:
            value = json.loads(text)
            found.append(
                StoredFailure(
                    worker, str(value["reason"]), bool(value["stopped"]), str(value["since"])
                )
            )
        except (ValueError, KeyError, TypeError):
            continue
    return found
