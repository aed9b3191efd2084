"""The kiosk's own settings, kept per laptop in ``settings.json`` in its data folder.

Device-wide on purpose: the language is needed before anyone logs in, and the
camera, sounds and the staff PIN belong to the laptop, not to one event.
A damaged file never stops the door: the defaults are used and the reason kept for
the settings screen to show.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from doorcheck.scan.decoder import DEFAULT_FORMATS

FILE_NAME = "settings.json"
LANGUAGES = ("system", "en", "de")
SYNC_INTERVALS = (2.0, 3.0, 5.0, 10.0, 30.0, 60.0)
# Where the door screen shows initials instead of names (the privacy mode).
HIDE_NAMES = ("self-check-in", "always", "never")


@dataclass
class KioskSettings:
    camera: str = "0"
    formats: list[str] = field(default_factory=lambda: list(DEFAULT_FORMATS))
    sounds: bool = True
    sync_interval: float = 3.0
    language: str = "system"  # "system" follows the laptop's language
    keyboard_layout: str = "us"  # what a USB scanner's keys arrive as (calibration)
    pin_hash: str | None = None  # scrypt, "salt$hash" in hex; None: no PIN yet
    hide_names: str = "self-check-in"  # initials on the door screen: HIDE_NAMES
    logo: str = ""  # an image file for the self check-in screen's header
    problem: str | None = field(default=None, compare=False)  # why defaults are used

    @classmethod
    def load(cls, data_dir: Path) -> KioskSettings:
        path = data_dir / FILE_NAME
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            return cls(problem=f"{path} could not be read ({exc}); the defaults are used.")
        if not isinstance(raw, dict):
            return cls(problem=f"{path} is not a settings file; the defaults are used.")
        settings = cls()
        for item in fields(cls):
            value = raw.get(item.name)
            if item.name != "problem" and value is not None and _fits(item.name, value):
                setattr(settings, item.name, value)
        return settings

    def save(self, data_dir: Path) -> None:
        """Written to a temporary file and renamed over the old one, so a crash or a
        full disk leaves the old settings whole."""
        data_dir.mkdir(parents=True, exist_ok=True)
        values = asdict(self)
        values.pop("problem")
        target = data_dir / FILE_NAME
        temporary = target.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(values, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(0o600)  # it holds the PIN's hash
        temporary.replace(target)

    def hides_names(self, self_check_in: bool) -> bool:
        """Whether the door screen shows initials instead of names."""
        return self.hide_names == "always" or (self.hide_names == "self-check-in" and self_check_in)

    def set_pin(self, pin: str) -> None:
        salt = secrets.token_bytes(16)
        self.pin_hash = f"{salt.hex()}${_scrypt(pin, salt).hex()}"

    def pin_matches(self, pin: str) -> bool:
        if not self.pin_hash or "$" not in self.pin_hash:
            return False
        salt, expected = self.pin_hash.split("$", 1)
        try:
            actual = _scrypt(pin, bytes.fromhex(salt))
            return hmac.compare_digest(actual, bytes.fromhex(expected))
        except ValueError:
            return False


def _scrypt(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=2**14, r=8, p=1, dklen=32)


def _fits(name: str, value: Any) -> bool:
    """A value from the file is used only if it has the right shape."""
    match name:
        case "camera" | "pin_hash" | "keyboard_layout" | "logo":
            return isinstance(value, str)
        case "hide_names":
            return value in HIDE_NAMES
        case "language":
            return value in LANGUAGES
        case "formats":
            return isinstance(value, list) and all(isinstance(v, str) for v in value)
        case "sounds":
            return isinstance(value, bool)
        case "sync_interval":
            return isinstance(value, int | float) and 1 <= value <= 3600
    return False
