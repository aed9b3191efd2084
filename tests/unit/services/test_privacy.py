"""An event's guest data leaves the laptop on command, or N days after the event."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from doorcheck.domain.changes import Action
from doorcheck.paths import event_dir, store_path
from doorcheck.protocol.wire import OutgoingChange
from doorcheck.services.privacy import WipeRefusedError, wipe_event, wipe_expired
from doorcheck.store.credentials import (
    SECRET_FILE,
    encrypt_stores,
    load_store_key,
    store_encryption,
)
from doorcheck.store.local import LocalStore
from tests.support import full_sync, wire

END = datetime(2026, 11, 21, 23, 0, tzinfo=UTC)


@pytest.fixture(autouse=True, params=["plain", "encrypted"])
def folder_kind(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test on a plain door's folder and on an encrypted one's: the wipe reads
    what waits through the folder's key."""
    if request.param == "encrypted":
        encrypt_stores(tmp_path)
    return str(request.param)


def make_store(data: Path, event: str = "4711", *, waiting: bool = False) -> LocalStore:
    store = LocalStore.open(store_path(data, event, "Main Entrance"), load_store_key(data))
    full_sync(store, [wire("g1", "C1", "Jane", "Doe")])
    store.set_state("event", json.dumps({"id": event, "endDateTime": END.isoformat()}))
    if waiting:
        with store.write() as conn:
            store.add_changes(conn, [OutgoingChange("n1", Action.CHECK_IN, "g1", END)], "Main")
    return store


def test_wipe_removes_every_file_of_the_event(tmp_path: Path) -> None:
    make_store(tmp_path).close()
    make_store(tmp_path, "other").close()
    assert wipe_event(tmp_path, "4711") >= 1
    assert not event_dir(tmp_path, "4711").exists()
    assert event_dir(tmp_path, "other").exists()  # other events stay


def test_wipe_refuses_while_changes_wait_unless_forced(tmp_path: Path) -> None:
    make_store(tmp_path, waiting=True).close()
    with pytest.raises(WipeRefusedError, match="1 changes"):
        wipe_event(tmp_path, "4711")
    assert event_dir(tmp_path, "4711").exists()
    wipe_event(tmp_path, "4711", force=True)
    assert not event_dir(tmp_path, "4711").exists()


def test_automatic_wipe_n_days_after_the_event_ends(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.set_setting("wipe_after_days", "3")
    store.close()
    assert wipe_expired(tmp_path, END + timedelta(days=2)) == []
    assert event_dir(tmp_path, "4711").exists()
    assert wipe_expired(tmp_path, END + timedelta(days=3, minutes=1)) == ["4711"]
    assert not event_dir(tmp_path, "4711").exists()


def test_no_automatic_wipe_without_a_setting_or_with_waiting_changes(tmp_path: Path) -> None:
    make_store(tmp_path).close()
    waiting = make_store(tmp_path, "busy", waiting=True)
    waiting.set_setting("wipe_after_days", "1")
    waiting.close()
    assert wipe_expired(tmp_path, END + timedelta(days=30)) == []


def test_without_an_encrypted_folders_key_nothing_is_wiped_unseen(
    tmp_path: Path, folder_kind: str
) -> None:
    store = make_store(tmp_path)
    store.set_setting("wipe_after_days", "1")
    store.close()
    (tmp_path / SECRET_FILE).unlink(missing_ok=True)  # the key gone (a locked keyring, in life)
    if folder_kind == "plain":  # no key to lose: the automatic wipe goes on
        assert wipe_expired(tmp_path, END + timedelta(days=30)) == ["4711"]
        return
    encryption = store_encryption(tmp_path)
    assert encryption is not None and encryption.vault == "file"  # the tests' vault
    # What waits cannot be told: not wiped on its own, and on command only if forced.
    assert wipe_expired(tmp_path, END + timedelta(days=30)) == []
    with pytest.raises(WipeRefusedError, match="encrypted"):
        wipe_event(tmp_path, "4711")
    assert event_dir(tmp_path, "4711").exists()
    wipe_event(tmp_path, "4711", force=True)
    assert not event_dir(tmp_path, "4711").exists()
