"""The store's one database: its engine and the transactions every part runs in.

Each part of the store (guests, outbox, journal, ...) takes this object rather than
an engine of its own, so a caller can hold one ``write()`` and have several parts
write in it: a scan's check-in and its journal line commit together or not at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from doorcheck.domain.timeutil import format_datetime
from doorcheck.sqlite import IMMEDIATE


class Database:
    def __init__(self, engine: Engine, path: Path) -> None:
        self.engine = engine
        self.path = path

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


def cannot_write(exc: BaseException) -> bool:
    """The database as a whole refuses writes (as opposed to one bad row)."""
    return isinstance(exc, (sqlite3.OperationalError, OperationalError)) or isinstance(
        getattr(exc, "orig", None), sqlite3.OperationalError
    )


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def now_text() -> str:
    return format_datetime(datetime.now(UTC))
