"""The store's one database: its engine and the transactions every part runs in.

Each part of the store (guests, outbox, journal, ...) takes this object rather than
an engine of its own, so a caller can hold one ``write()`` and have several parts
write in it: a scan's check-in and its journal line commit together or not at all.
"""

from __future__ import annotations

import json
import sqlite3
import threading
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

# As long as SQLite's busy timeout (sqlite.py): a writer of this process waits no
# longer for another than it would for another process's.
GATE_SECONDS = 30.0


class WriteGate:
    """The store's writers of one process, one at a time, a durable write first.

    SQLite lets one writer in at a time; the others wait in its busy handler, which
    polls with growing sleeps (up to 100 ms) and is not fair: a scan waiting behind
    the mesh's intake of other doors' changes (several a second with twenty doors)
    lost the lock to each next intake while it slept, for seconds. Here a writer
    waits on a condition and is woken as soon as the lock is free, and a durable write
    (a scan: a person waits for its verdict) goes before waiting writes that are not
    (changes from other doors, the doors' status, the server's copies in a sync).
    Writers of another process still meet in SQLite's lock. A thread that already
    holds the gate passes (its nested write then meets SQLite's lock, as before).
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._holder: int | None = None
        self._depth = 0
        self._durable_waiting = 0
        self._waiting = 0

    @property
    def waiting(self) -> int:
        """How many writers of this process wait at the gate now."""
        return self._waiting

    @contextmanager
    def held(self, *, durable: bool) -> Iterator[None]:
        self._enter(durable)
        try:
            yield
        finally:
            self._leave()

    def _enter(self, durable: bool) -> None:
        me = threading.get_ident()
        with self._condition:
            if self._holder == me:
                self._depth += 1
                return
            if durable:
                self._durable_waiting += 1
            self._waiting += 1
            try:
                free = self._condition.wait_for(
                    lambda: self._holder is None and (durable or not self._durable_waiting),
                    GATE_SECONDS,
                )
            finally:
                self._waiting -= 1
                if durable:
                    self._durable_waiting -= 1
            if not free:
                self._condition.notify_all()  # a write that is not durable may go now
                # As SQLite says it when its busy timeout runs out: callers treat it so.
                raise OperationalError("BEGIN IMMEDIATE", None,
                                       sqlite3.OperationalError("database is locked"))  # fmt: skip
            self._holder = me
            self._depth = 1

    def _leave(self) -> None:
        with self._condition:
            self._depth -= 1
            if self._depth == 0:
                self._holder = None
                self._condition.notify_all()


class Database:
    def __init__(self, engine: Engine, path: Path, key: StoreKey | None = None) -> None:
        self.engine = engine
        self.path = path
        self.key = key  # None: a plain SQLite file
        self.gate = WriteGate()

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
        Writers of this process take turns at a gate first (``WriteGate``), a
        durable one before the others.
        """
        with (
            self.gate.held(durable=durable),
            self.engine.connect().execution_options(**IMMEDIATE) as conn,
        ):
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
