"""SQLite engines the way both the kiosk store and the reference server need them."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from sqlalchemy import Engine, create_engine, event

from doorcheck.sqlite_drivers import driver_errors

__all__ = ["IMMEDIATE", "driver_errors", "sqlite_engine"]

IMMEDIATE = {"immediate": True}


def sqlite_engine(
    url: str,
    *,
    hide_parameters: bool = False,
    creator: Callable[[], Any] | None = None,
    module: ModuleType | None = None,
) -> Engine:
    """WAL, ``synchronous=FULL``, foreign keys, a long busy timeout, and
    ``BEGIN IMMEDIATE`` for connections with the execution option ``immediate``.

    FULL: a commit is on the disk, not in an OS buffer, when it returns; a check-in
    is durable before the screen turns green. IMMEDIATE: a transaction that reads
    first and writes later takes the write lock up front, so two such writers never
    deadlock into "database is locked".

    ``creator`` and ``module``: another DB-API driver of SQLite's kind (SQLCipher,
    store/cipher.py), whose connections ``creator`` makes; the URL still names the
    file, so the engine pools connections as it does for any file.
    """
    # hide_parameters: an SQL error's text (logs, stderr, crash reports) then never
    # carries the values, which are guests' names and emails.
    options: dict[str, Any] = {}
    if creator is not None:
        options["creator"] = creator
    if module is not None:
        options["module"] = module  # its exception classes are the ones wrapped
    engine = create_engine(
        url,
        connect_args={"timeout": 30, "check_same_thread": False},
        hide_parameters=hide_parameters,
        **options,
    )

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so BEGIN IMMEDIATE is possible.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # 64 MiB of page cache: a full sync writes 100,000 rows into indexes keyed by
        # random UUIDs, and the default 2 MiB cache makes that thrash.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine
