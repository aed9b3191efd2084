"""How a worker's failure is worded (sync/health.py), whichever SQLite driver failed."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from doorcheck.store.cipher import sqlcipher
from doorcheck.sync.health import DISK_FULL, describe, is_disk_full


@pytest.mark.parametrize("driver", ["sqlite3", "sqlcipher3"])
def test_a_full_disk_and_a_lock_are_named_from_either_driver(driver: str) -> None:
    # An encrypted store's errors are sqlcipher3's own classes, not sqlite3's.
    module = sqlite3 if driver == "sqlite3" else sqlcipher()
    full = module.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL
    wrapped = OperationalError("INSERT ...", None, full)
    assert is_disk_full(wrapped) and describe(wrapped) == DISK_FULL
    locked = module.OperationalError("database is locked")
    locked.sqlite_errorcode = sqlite3.SQLITE_BUSY
    assert "locked by another program" in str(describe(OperationalError("", None, locked)))
