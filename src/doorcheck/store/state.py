"""Settings and sync state: two small key/value tables.

Sync state holds the cursor, the last sync times, the measured clock skew, and the
store's own bookkeeping (see UNREADABLE and UNCONFIRMED); settings hold what staff
chose at this door.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from doorcheck.store.schema import SettingRow, StateRow
from doorcheck.store.transactions import Database

STATE = StateRow.__table__  # type: ignore[attr-defined]
SETTINGS = SettingRow.__table__  # type: ignore[attr-defined]

# Bookkeeping in the state table (no schema change): a guest set aside because it
# could not be read ("unreadable:<id>", or "unreadable:#<digest>" without an id),
# and an applied change whose answer carried no server copy ("unconfirmed:<nonce>",
# value the guest id), laid over until a server copy of the guest arrives.
UNREADABLE = "unreadable:"
UNCONFIRMED = "unconfirmed:"


class SyncState:
    """Settings and sync state; with ``conn``, inside the caller's transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str, conn: Connection | None = None) -> str | None:
        return _get(self._db, STATE, key, conn)

    def set(self, values: dict[str, str | None], conn: Connection | None = None) -> None:
        _set(self._db, STATE, values, conn)

    def get_setting(self, key: str) -> str | None:
        return _get(self._db, SETTINGS, key, None)

    def set_setting(self, key: str, value: str | None) -> None:
        _set(self._db, SETTINGS, {key: value}, None)

    @staticmethod
    def has_prefix(conn: Connection, prefix: str) -> bool:
        """Any state key starting with ``prefix`` (one cheap look)."""
        found = conn.execute(
            select(STATE.c.key).where(STATE.c.key.startswith(prefix, autoescape=True)).limit(1)
        ).first()
        return found is not None


def _get(db: Database, table: Any, key: str, conn: Connection | None) -> str | None:
    if conn is None:
        with db.read() as own:
            return _get(db, table, key, own)
    value = conn.execute(select(table.c.value).where(table.c.key == key)).scalar()
    return value if isinstance(value, str) else None


def _set(db: Database, table: Any, values: dict[str, str | None], conn: Connection | None) -> None:
    if conn is None:
        with db.write() as own:
            _set(db, table, values, own)
        return
    for key, value in values.items():
        conn.execute(table.delete().where(table.c.key == key))
        if value is not None:
            conn.execute(insert(table).values(key=key, value=value))
