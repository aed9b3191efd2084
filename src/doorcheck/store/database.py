"""Opening a local store file: engine, then migrations to the current revision."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect, text

from doorcheck.sqlite import sqlite_engine
from doorcheck.store import cipher
from doorcheck.store.cipher import StoreKey

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def open_engine(path: Path, key: StoreKey | None = None) -> Engine:
    """The store's engine; its folder and file are the user's alone (the file holds
    guests' names and emails), also when they existed with laxer modes. SQLite gives
    its -wal and -shm files the database file's mode.

    With a ``key``, the file is SQLCipher's (store/cipher.py): every connection gives
    the key first, then takes the same pragmas as a plain store's.
    """
    if key is not None:
        dbapi = cipher.sqlcipher()  # before any file is made: no empty store without it
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    # Made private (not 0644) when new. Never opened outside SQLite when it exists:
    # closing any descriptor of the file drops every POSIX lock this process holds
    # on it, so a store already open here would lose its locks, and another process
    # closing the file would then take itself for the last, remove the write-ahead
    # log under the first store and leave it reading a malformed database.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    path.chmod(0o600)
    if key is None:
        return sqlite_engine(f"sqlite:///{path}", hide_parameters=True)

    def connect_encrypted() -> Any:
        return cipher.connect(path, key, timeout=30, check_same_thread=False)

    return sqlite_engine(f"sqlite:///{path}", hide_parameters=True,
                         creator=connect_encrypted, module=dbapi)  # fmt: skip


def driver_connection(path: Path | str, key: StoreKey | None, **options: Any) -> Any:
    """A connection of the store's own driver, outside its engine's pool (a watcher's
    ``PRAGMA data_version``, a read-only look by the wipe): the key given first for an
    encrypted store. ``path`` may be a ``file:`` URI with ``uri=True``."""
    if key is None:
        return sqlite3.connect(path, **options)
    return cipher.connect(path, key, **options)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if "alembic_version" not in inspect(conn).get_table_names():
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Bring the store to the newest schema, in place, keeping its data.

    A store written before Alembic came in (doorcheck 0.1) has tables but no
    revision; migration 0001 adopts it as it is. A store already at the newest
    revision is left alone without loading Alembic, which would cost every start a
    tenth of a second.
    """
    from doorcheck.store.schema import SCHEMA_REVISION

    if current_revision(engine) == SCHEMA_REVISION:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Alembic would otherwise configure logging from an ini file; we have none.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
