"""The store's one database: its engine and the transactions every part runs in.

Each part of the store (guests, outbox, journal, ...) takes this object rather than
an engine of its own, so a caller can hold one ``write()`` and have several parts
write in it: a scan's check-in and its journal line commit together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError, StatementError

from doorcheck.domain.timeutil import format_datetime
from doorcheck.sqlite import IMMEDIATE, driver_errors
from doorcheck.store.cipher import StoreKey


class Database:
    def __init__(self, engine: Engine, path: Path, key: StoreKey | None = None) -> None:
        self.engine = engine
        self.path = path
        self.key = key  # None: a plain SQLite file

    def driver_connection(self, **options: Any) -> Any:
        """A connection to the same file outside the pool, through the same driver and
        key (``options`` go to the driver's ``connect``)."""
        from doorcheck.store.database import driver_connection

        return driver_connection(self.path, self.key, **options)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[Connection]:
        """One short write transaction, holding the write lock from its start.

        ``durable=False`` commits without waiting for the disk (server copies of
        guests during a sync, which can be fetched again). In WAL mode a later
        durable commit, such as the cursor's, makes every earlier one durable too.
        """
        with self.engine.connect().execution_options(**IMMEDIATE) as conn:
            # Straight to sqlite3: SQLAlchemy would open a transaction first, and the
            # level cannot change inside one.
            raw = conn.connection.dbapi_connection
            assert raw is not None
            if not durable:
                raw.execute("PRAGMA synchronous=NORMAL")
            try:
                with conn.begin():
                    yield conn
            finally:
                if not durable:
                    raw.execute("PRAGMA synchronous=FULL")

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn


def bad_row_errors() -> tuple[type[Exception], ...]:
    """What storing a row may raise: SQLAlchemy's wrapped errors, either driver's own
    (sqlite3's, or sqlcipher3's for an encrypted store), text that is no text."""
    return (StatementError, UnicodeError, *driver_errors())


def cannot_write(exc: BaseException) -> bool:
    """The database as a whole refuses writes (as opposed to one bad row)."""
    # Either driver's (sqlite3's, or sqlcipher3's for an encrypted store).
    operational = driver_errors("OperationalError")
    return isinstance(exc, (*operational, OperationalError)) or isinstance(
        getattr(exc, "orig", None), operational
    )


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def now_text() -> str:
    return format_datetime(datetime.now(UTC))
