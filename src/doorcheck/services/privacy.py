"""Guests' personal data leaves the laptop: on command, or N days after the event."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from doorcheck.domain.timeutil import parse_datetime
from doorcheck.paths import event_dir

WIPE_AFTER_DAYS = "wipe_after_days"


class WipeRefusedError(Exception):
    """Changes made at the door have not reached the server; wiping would lose them."""


def _read(store: Path, query: str) -> list[tuple[str, ...]]:
    # Read-only and without migrations: wiping must work on any store, even a broken one.
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
            return list(conn.execute(query))
    except sqlite3.Error:
        return []


def waiting_changes(folder: Path) -> int:
    total = 0
    for store in folder.glob("*.sqlite3"):
        rows = _read(store, "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sent')")
        total += int(rows[0][0]) if rows else 0
    return total


def wipe_event(data_dir: Path, event_id: str, *, force: bool = False) -> int:
    """Delete every store of the event on this laptop; returns the files removed."""
    folder = event_dir(data_dir, event_id)
    if not folder.exists():
        return 0
    waiting = waiting_changes(folder)
    if waiting and not force:
        raise WipeRefusedError(
            f"{waiting} changes made at this door have not reached the server yet. "
            "Sync first, or wipe with --force to lose them."
        )
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    shutil.rmtree(folder)
    return files


def due_for_wipe(folder: Path, now: datetime) -> bool:
    """The event ended more than its stores' wipe_after_days ago."""
    for store in folder.glob("*.sqlite3"):
        days = _read(store, f"SELECT value FROM settings WHERE key = '{WIPE_AFTER_DAYS}'")  # noqa: S608
        event = _read(store, "SELECT value FROM sync_state WHERE key = 'event'")
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
    wiped = []
    for folder in sorted((data_dir / "events").glob("*")):
        if folder.is_dir() and due_for_wipe(folder, now) and not waiting_changes(folder):
            shutil.rmtree(folder)
            wiped.append(folder.name)
    return wiped
