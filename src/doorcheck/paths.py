"""Where a door keeps its files inside its data folder."""

from __future__ import annotations

from pathlib import Path


def safe_name(text: str) -> str:
    """A file-name-safe form of an event id or station name."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text) or "_"


def event_dir(data_dir: Path, event_id: str) -> Path:
    return data_dir / "events" / safe_name(event_id)


def store_path(data_dir: Path, event_id: str, station: str) -> Path:
    """One store per event and station."""
    return event_dir(data_dir, event_id) / f"{safe_name(station)}.sqlite3"
