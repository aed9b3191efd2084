"""Where the App Code and session token are kept: the OS keyring, else a private file."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from doorcheck.store.cipher import Locked, StoreLockedError
from doorcheck.store.credentials import (
    ENCRYPTION_FILE,
    encrypt_stores,
    forget_login,
    load_login,
    load_session_token,
    load_store_key,
    save_login,
    save_session_token,
)


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


class ForgetfulKeyring(MemoryKeyring):
    """Accepts every write and keeps nothing, as some misconfigured backends do."""

    def set_password(self, service: str, username: str, password: str) -> None:
        pass


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.delenv("DOORCHECK_SECRETS", raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_secrets_go_to_the_keyring_when_it_works(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    login = save_login(tmp_path, "https://s.example", "4711", "Main Entrance", "aBcDeFgH")
    save_session_token(tmp_path, login, "ab" * 20)
    assert login.vault == "keyring"
    assert "aBcDeFgH" in memory_keyring.items.values()
    assert not (tmp_path / "secret.json").exists()
    assert "aBcDeFgH" not in (tmp_path / "login.json").read_text()
    loaded = load_login(tmp_path)
    assert loaded is not None and loaded[1] == "aBcDeFgH"
    assert load_session_token(tmp_path, loaded[0]) == "ab" * 20


def test_a_keyring_that_keeps_nothing_falls_back_to_a_private_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DOORCHECK_SECRETS", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(ForgetfulKeyring())
    try:
        login = save_login(tmp_path, "https://s.example", "4711", "Main Entrance", "aBcDeFgH")
        save_session_token(tmp_path, login, "cd" * 20)
        loaded = load_login(tmp_path)
    finally:
        keyring.set_keyring(previous)
    assert login.vault == "file"
    secret_file = tmp_path / "secret.json"
    assert secret_file.stat().st_mode & 0o777 == 0o600
    assert loaded is not None and loaded[1] == "aBcDeFgH"
    assert load_session_token(tmp_path, loaded[0]) == "cd" * 20


def test_an_unreadable_saved_login_asks_for_a_new_login(tmp_path: Path) -> None:
    (tmp_path / "login.json").write_text("{broken")
    assert load_login(tmp_path) is None
    (tmp_path / "login.json").write_text('{"server": "x"}')
    assert load_login(tmp_path) is None


def test_logging_in_again_with_the_file_vault_keeps_the_other_secrets(tmp_path: Path) -> None:
    from doorcheck.store.credentials import load_named_secret, save_named_secret

    server, event, station = "http://127.0.0.1:9", "ev1", "Main Entrance"
    first = save_login(tmp_path, server, event, station, "app-code-1", "device-1")
    assert first.vault == "file"
    assert save_named_secret(tmp_path, "eventcadence|ev1", "cadence-key") == "file"
    save_session_token(tmp_path, first, "session-1")

    again = save_login(tmp_path, server, event, station, "app-code-2", "device-1")
    assert load_login(tmp_path) == (again, "app-code-2")
    assert load_named_secret(tmp_path, "eventcadence|ev1") == "cadence-key"
    assert load_session_token(tmp_path, again) == "session-1"
    assert (tmp_path / "secret.json").stat().st_mode & 0o077 == 0

    # Another station's login: its session is not ours, the destination key stays.
    other = save_login(tmp_path, server, event, "Exit", "app-code-3", "device-1")
    assert load_session_token(tmp_path, other) is None
    assert load_named_secret(tmp_path, "eventcadence|ev1") == "cadence-key"


def test_an_encrypted_folders_key_goes_to_the_keyring_and_nowhere_on_disk(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    assert load_store_key(tmp_path) is None  # a plain folder
    encryption = encrypt_stores(tmp_path)
    assert encryption.vault == "keyring"
    key = load_store_key(tmp_path)
    assert key is not None and key.text() in memory_keyring.items.values()
    assert encrypt_stores(tmp_path) == encryption  # set up once; the key stays
    on_disk = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert key.text().encode() not in on_disk
    assert stat.S_IMODE((tmp_path / ENCRYPTION_FILE).stat().st_mode) == 0o600
    # The keyring locked or emptied: the folder's stores stay shut, in words.
    memory_keyring.items.clear()
    with pytest.raises(StoreLockedError) as missing:
        load_store_key(tmp_path)
    assert (missing.value.reason, missing.value.why) == (Locked.NO_KEY, "keyring")


def test_an_encrypted_folders_key_outlives_the_login_in_the_secret_file(tmp_path: Path) -> None:
    # DOORCHECK_SECRETS=file (the tests' default): the user-only secret file.
    save_login(tmp_path, "https://s.example", "4711", "Main Entrance", "aBcDeFgH")
    assert encrypt_stores(tmp_path).vault == "file"
    key = load_store_key(tmp_path)
    forget_login(tmp_path)  # after wiping one event: the folder's other stores need it
    assert load_login(tmp_path) is None
    assert load_store_key(tmp_path) == key
    # An unreadable settings file keeps the stores shut rather than opening them plain.
    (tmp_path / ENCRYPTION_FILE).write_text("{", "utf-8")
    with pytest.raises(StoreLockedError):
        load_store_key(tmp_path)
