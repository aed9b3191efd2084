"""Guests' personal data leaves the laptop: on command, or N days after the event.

An encrypted door's stores are read with the folder's key; where the key cannot be
had, what they hold cannot be told: an event is then not wiped on its own, and a
wipe on command needs ``force``.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from doorcheck.domain.timeutil import parse_datetime
from doorcheck.paths import event_dir
from doorcheck.sqlite import driver_errors
from doorcheck.store.cipher import StoreKey, StoreLockedError
from doorcheck.store.credentials import load_store_key
from doorcheck.store.database import driver_connection

WIPE_AFTER_DAYS = "wipe_after_days"


class WipeRefusedError(Exception):
    """Changes made at the door have not reached the server; wiping would lose them."""


def _read(store: Path, query: str, key: StoreKey | None) -> list[tuple[str, ...]]:
    # Read-only and without migrations: wiping must work on any store, even a broken one.
    unreadable: tuple[type[Exception], ...] = (*driver_errors(), StoreLockedError)
    try:
        conn = driver_connection(f"file:{store}?mode=ro", key, uri=True)
    except unreadable:
        return []
    try:
        return list(conn.execute(query))
    except driver_errors():
        return []
    finally:
        conn.close()


def store_key(data_dir: Path) -> StoreKey | None:
    """The key of the folder's stores, None if they are plain or it cannot be had."""
    try:
        return load_store_key(data_dir)
    except StoreLockedError:
        return None


def waiting_changes(folder: Path, key: StoreKey | None = None) -> int:
    """Changes made at the event's doors in ``folder`` that wait for the server
    (``key``: the stores' key, if they are encrypted)."""
    total = 0
    for store in folder.glob("*.sqlite3"):
        rows = _read(store, "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sent')", key)
        total += int(rows[0][0]) if rows else 0
    return total


def wipe_event(data_dir: Path, event_id: str, *, force: bool = False) -> int:
    """Delete every store of the event on this laptop; returns the files removed."""
    folder = event_dir(data_dir, event_id)
    if not folder.exists():
        return 0
    try:
        key = load_store_key(data_dir)
    except StoreLockedError:
        if not force:
            raise WipeRefusedError(
                "This door's data is encrypted and its key cannot be had, so whether "
                "changes made here still wait for the server cannot be told. Unlock the "
                "keyring and try again, or wipe with --force to lose them."
            ) from None
        key = None
    waiting = waiting_changes(folder, key)
    if waiting and not force:
        raise WipeRefusedError(
            f"{waiting} changes made at this door have not reached the server yet. "
            "Sync first, or wipe with --force to lose them."
        )
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    shutil.rmtree(folder)
    return files


def due_for_wipe(folder: Path, now: datetime, key: StoreKey | None = None) -> bool:
    """The event ended more than its stores' wipe_after_days ago."""
    for store in folder.glob("*.sqlite3"):
        days = _read(store, f"SELECT value FROM settings WHERE key = '{WIPE_AFTER_DAYS}'", key)  # noqa: S608
        event = _read(store, "SELECT value FROM sync_state WHERE key = 'event'", key)
        if not days or not event:
            continue
        try:
            end = parse_datetime(json.loads(event[0][0]).get("endDateTime"))
            after = timedelta(days=float(days[0][0]))
        except (ValueError, AttributeError):
            continue
        if end is not None and now > end + after:
            return True
    return False


def wipe_expired(data_dir: Path, now: datetime | None = None) -> list[str]:
    """Wipe every event whose wipe time has come and whose changes all reached the
    server; returns the event folders wiped. Run at start."""
    now = now or datetime.now(UTC)
    wiped: list[str] = []
    folders = sorted(p for p in (data_dir / "events").glob("*") if p.is_dir())
    if not folders:
        return wiped
    # Without an encrypted folder's key nothing reads as due: nothing is wiped unseen.
    key = store_key(data_dir)
    for folder in folders:
        if due_for_wipe(folder, now, key) and not waiting_changes(folder, key):
            shutil.rmtree(folder)
            wiped.append(folder.name)
    return wiped
