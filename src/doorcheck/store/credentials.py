"""The saved login: settings in a JSON file, the App Code in the OS keyring.

Where no keyring works (a headless Linux box, a locked-down laptop), the App Code
goes to a file only the user can read (mode 0600). It is never logged.

An encrypted door's store key (store/cipher.py) is kept the same way, named in the
folder's ``encryption.json``, which says that every store of the folder is encrypted.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from doorcheck.store.cipher import Locked, StoreKey, StoreLockedError

log = logging.getLogger(__name__)

KEYRING_SERVICE = "doorcheck"
LOGIN_FILE = "login.json"
SECRET_FILE = "secret.json"  # noqa: S105 - a file name
ENCRYPTION_FILE = "encryption.json"
STORE_KEY_PREFIX = "store|"  # a store key's secret name: "store|" and a random ID


FILE_SOURCE = "file:"  # a login's "server" for a guest list read from a spreadsheet


def is_file_source(server: str) -> bool:
    return server.startswith(FILE_SOURCE)


@dataclass
class SavedLogin:
    server: str
    event_id: str
    station_name: str
    device_id: str
    vault: str = "keyring"  # where the App Code is kept: "keyring", "file" or "none"

    @property
    def keyring_user(self) -> str:
        return f"{self.server}|{self.event_id}|{self.station_name}"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.chmod(0o600)
    tmp.replace(path)


def _keyring_set(user: str, secret: str) -> bool:
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(KEYRING_SERVICE, user, secret)
            # Some backends accept a write and store nothing: believe only a read-back.
            return bool(keyring.get_password(KEYRING_SERVICE, user) == secret)
        except KeyringError:
            return False
    except Exception:
        return False


def _keyring_get(user: str) -> str | None:
    try:
        import keyring

        value = keyring.get_password(KEYRING_SERVICE, user)
        return value if isinstance(value, str) else None
    except Exception:
        return None


def private_dir(path: Path) -> Path:
    """Make a folder only the user can enter: it holds guests' personal data."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def _read_secret_file(data_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((data_dir / SECRET_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def save_session_token(data_dir: Path, login: SavedLogin, token: str | None) -> None:
    """Keep the session token where the App Code is kept, never in the database."""
    if login.vault == "keyring" and token and _keyring_set(login.keyring_user + "|session", token):
        return
    data = _read_secret_file(data_dir)
    if token:
        data["sessionToken"] = token
    else:
        data.pop("sessionToken", None)
    _write_private(data_dir / SECRET_FILE, json.dumps(data))


def load_session_token(data_dir: Path, login: SavedLogin) -> str | None:
    if login.vault == "keyring":
        token = _keyring_get(login.keyring_user + "|session")
        if token:
            return token
    return _read_secret_file(data_dir).get("sessionToken")


def save_login(
    data_dir: Path,
    server: str,
    event_id: str,
    station_name: str,
    app_code: str,
    device_id: str | None = None,
) -> SavedLogin:
    login = SavedLogin(
        server=server,
        event_id=event_id,
        station_name=station_name,
        device_id=device_id or str(uuid.uuid4()),
    )
    if is_file_source(server):
        login.vault = "none"  # a spreadsheet has no App Code
    elif os.environ.get("DOORCHECK_SECRETS") != "file" and _keyring_set(
        login.keyring_user, app_code
    ):
        login.vault = "keyring"
    else:
        login.vault = "file"
        secrets = _read_secret_file(data_dir)
        # Other secrets in the file (a destination's key) outlive a new login; the
        # session token only while it is the same station's.
        if _saved_user(data_dir) != login.keyring_user:
            secrets.pop("sessionToken", None)
        secrets["appCode"] = app_code
        _write_private(private_dir(data_dir) / SECRET_FILE, json.dumps(secrets))
    _write_private(data_dir / LOGIN_FILE, json.dumps(asdict(login), indent=2))
    return login


def _saved_user(data_dir: Path) -> str | None:
    """Who the saved login is (server, event, station), whatever its vault holds."""
    try:
        return SavedLogin(**json.loads((data_dir / LOGIN_FILE).read_text("utf-8"))).keyring_user
    except (OSError, ValueError, TypeError):
        return None


def load_login(data_dir: Path) -> tuple[SavedLogin, str] | None:
    path = data_dir / LOGIN_FILE
    if not path.exists():
        return None
    try:
        login = SavedLogin(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        log.warning("saved login %s is unreadable (%s); log in again", path, exc)
        return None
    secret: str | None
    if login.vault == "none":
        secret = ""
    elif login.vault == "keyring":
        secret = _keyring_get(login.keyring_user)
    else:
        secret = _read_secret_file(data_dir).get("appCode")
    if not secret and login.vault != "none":
        return None
    return login, secret or ""


def forget_login(data_dir: Path) -> None:
    """Remove the saved login and its secrets (after a wipe, or to log out for good)."""
    saved = load_login(data_dir)
    if saved is not None and saved[0].vault == "keyring":
        try:
            import keyring
            from keyring.errors import KeyringError

            for user in (saved[0].keyring_user, saved[0].keyring_user + "|session"):
                with contextlib.suppress(KeyringError):  # never stored, or already gone
                    keyring.delete_password(KEYRING_SERVICE, user)
        except ImportError:
            pass
    # An encrypted folder's store key outlives the login: the folder's other events'
    # stores are unreadable without it.
    kept = {k: v for k, v in _read_secret_file(data_dir).items()
            if k.startswith("secret:" + STORE_KEY_PREFIX)}  # fmt: skip
    for name in (LOGIN_FILE, SECRET_FILE):
        (data_dir / name).unlink(missing_ok=True)
    if kept:
        _write_private(data_dir / SECRET_FILE, json.dumps(kept))


def save_named_secret(data_dir: Path, name: str, value: str) -> str:
    """Another secret of this door (a destination's API key): in the keyring where
    one works, else in the user-only secret file. Returns where it went."""
    if os.environ.get("DOORCHECK_SECRETS") != "file" and _keyring_set(f"secret|{name}", value):
        return "keyring"
    data = _read_secret_file(data_dir)
    data[f"secret:{name}"] = value
    _write_private(private_dir(data_dir) / SECRET_FILE, json.dumps(data))
    return "file"


def load_named_secret(data_dir: Path, name: str) -> str | None:
    if os.environ.get("DOORCHECK_SECRETS") != "file":
        value = _keyring_get(f"secret|{name}")
        if value:
            return value
    return _read_secret_file(data_dir).get(f"secret:{name}")


# -- an encrypted door's store key ------------------------------------------------


@dataclass(frozen=True)
class StoreEncryption:
    """That a data folder's stores are encrypted, and where their key is kept."""

    key_name: str  # the named secret holding the key (hex)
    vault: str  # "keyring" or "file" (the user-only secret file, in the folder itself)
    cipher: str = "sqlcipher4"


def store_encryption(data_dir: Path) -> StoreEncryption | None:
    """The folder's encryption, or None: its stores are plain SQLite. A settings file
    that cannot be read is taken as encrypted with a key that cannot be found: a
    door never opens an encrypted folder's stores as plain ones."""
    path = data_dir / ENCRYPTION_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return StoreEncryption(str(data["key_name"]), str(data["vault"]), str(data["cipher"]))
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("%s is unreadable: this door's stores stay shut", path)
        return StoreEncryption(key_name="", vault="unknown")


def encrypt_stores(data_dir: Path) -> StoreEncryption:
    """Make every store of this folder from now on an encrypted one, under a new
    random key kept in the keyring (or the user-only file); the folder's encryption
    as it was, if it already is."""
    existing = store_encryption(data_dir)
    if existing is not None:
        return existing
    name = STORE_KEY_PREFIX + uuid.uuid4().hex
    vault = save_named_secret(private_dir(data_dir), name, StoreKey.new().text())
    encryption = StoreEncryption(name, vault)
    _write_private(data_dir / ENCRYPTION_FILE, json.dumps(asdict(encryption), indent=2))
    log.info("this door's stores are encrypted; their key is in the %s", vault)
    return encryption


def load_store_key(data_dir: Path) -> StoreKey | None:
    """The key of this folder's stores; None if they are plain. StoreLockedError
    (``NO_KEY``) if they are encrypted and the key is not where it was kept: a locked
    or missing keyring, or a removed secret file."""
    encryption = store_encryption(data_dir)
    if encryption is None:
        return None
    text = load_named_secret(data_dir, encryption.key_name) if encryption.key_name else None
    try:
        return StoreKey.from_text(text or "")
    except ValueError:
        raise StoreLockedError(Locked.NO_KEY, data_dir, why=encryption.vault) from None
