"""The store's tests run against both kinds of store a door keeps: plain SQLite, and
encrypted with SQLCipher (store/cipher.py) under a fresh random key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from doorcheck.store.cipher import StoreKey
from doorcheck.store.local import LocalStore

OpenStore = Callable[[Path], LocalStore]


@pytest.fixture(params=["plain", "encrypted"])
def store_key(request: pytest.FixtureRequest) -> StoreKey | None:
    """None for a plain store; a new key for an encrypted one."""
    return StoreKey.new() if request.param == "encrypted" else None


@pytest.fixture
def open_store(store_key: StoreKey | None) -> OpenStore:
    """Opens a store of this test's kind (plain or encrypted, one key for all)."""

    def opened(path: Path) -> LocalStore:
        return LocalStore.open(path, store_key)

    return opened
