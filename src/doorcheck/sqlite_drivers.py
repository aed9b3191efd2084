"""The SQLite drivers a door may use, without SQLAlchemy: the window's status bar
words a worker's failure by its driver error (sync/health.py), and the widgets may
not reach SQL, even through another module (an import contract)."""

from __future__ import annotations

import sqlite3
import sys


def driver_errors(name: str = "Error") -> tuple[type[Exception], ...]:
    """The DB-API error class ``name`` ("Error", "OperationalError", ...) of each SQLite
    driver in use: the standard sqlite3's, and sqlcipher3's once an encrypted store
    loaded it (its classes are its own, not subclasses of sqlite3's)."""
    drivers = (sqlite3, sys.modules.get("sqlcipher3.dbapi2"))
    return tuple(getattr(driver, name) for driver in drivers if driver is not None)
