"""An encrypted store (store/cipher.py): shut without its key, unreadable on disk."""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from pathlib import Path

import pytest

from doorcheck.store.cipher import Locked, StoreKey, StoreLockedError
from doorcheck.store.local import LocalStore
from tests.support import full_sync, wire

# A name no page of SQLite's own would hold by chance.
NAME = ("Zebulon", "Quarterfield-Oyelaran")


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def encrypted(tmp_path: Path) -> tuple[Path, StoreKey]:
    """An encrypted store with one guest, closed: its path and key."""
    key = StoreKey.new()
    store = LocalStore.open(tmp_path / "door.sqlite3", key)
    full_sync(store, [wire("g1", "C1", *NAME)])
    store.close()
    return tmp_path / "door.sqlite3", key


def test_an_encrypted_store_opens_only_with_its_key(encrypted: tuple[Path, StoreKey]) -> None:
    path, key = encrypted
    before = file_digest(path)
    with pytest.raises(StoreLockedError) as wrong:
        LocalStore.open(path, StoreKey.new())
    assert wrong.value.reason == Locked.WRONG_KEY
    with pytest.raises(StoreLockedError) as keyless:  # as a plain store: none at all
        LocalStore.open(path)
    assert keyless.value.reason == Locked.NOT_A_DATABASE
    # SQLite's own tools see no database either.
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        sqlite3.connect(path).execute("SELECT count(*) FROM guests")
    # Refused as it was: nothing written over it, no fresh empty store in its place.
    assert file_digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["door.sqlite3"]
    reopened = LocalStore.open(path, key)
    try:
        assert [h.guest.id for h in reopened.search(NAME[1][:9])] == ["g1"]
    finally:
        reopened.close()


def test_no_guest_name_is_on_disk_in_plain_text(tmp_path: Path) -> None:
    """Grep the database file and its write-ahead log while the store is open (the
    log then holds the latest pages); a plain store shows the test would see it."""
    for key in (None, StoreKey.new()):
        path = tmp_path / ("encrypted" if key else "plain") / "door.sqlite3"
        store = LocalStore.open(path, key)
        try:
            full_sync(store, [wire("g1", "C1", *NAME)])
            store.set_setting("note", NAME[1])
            wal = path.with_name(path.name + "-wal")
            assert wal.exists() and wal.stat().st_size > 0
            on_disk = path.read_bytes() + wal.read_bytes()
        finally:
            store.close()
        seen = [text for text in (*NAME, "g1@example.org") if text.encode() in on_disk]
        if key is None:
            assert seen  # the plain store's pages hold the name as it is
        else:
            assert seen == []
            assert not on_disk.startswith(b"SQLite format 3")


def test_a_key_never_shows_in_its_repr() -> None:
    key = StoreKey.new()
    assert key.text() not in repr(key) and key.text() not in str(key)
    assert StoreKey.from_text(key.text()) == key
    with pytest.raises(ValueError):
        StoreKey.from_text("not a key")


def test_without_sqlcipher_an_encrypted_store_is_refused_and_a_plain_one_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on a laptop where the package failed to install or load: its import fails.
    for name in [m for m in sys.modules if m.startswith("sqlcipher3")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sqlcipher3", None)
    new = tmp_path / "new.sqlite3"
    with pytest.raises(StoreLockedError) as refused:
        LocalStore.open(new, StoreKey.new())
    assert refused.value.reason == Locked.NO_SQLCIPHER
    assert not new.exists()  # no empty store left behind
    plain = LocalStore.open(tmp_path / "plain.sqlite3")
    try:
        full_sync(plain, [wire("g1", "C1", *NAME)])
        assert plain.status().guests == 1
    finally:
        plain.close()
