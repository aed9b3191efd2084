"""Distinct sounds for admit, careful and deny, played without blocking the window.

Qt's sound module is not in the Qt packages doorcheck ships (it would add a large
media stack for three short beeps), so the sound is handed to the platform's own
player: winsound on Windows, afplay on macOS, PipeWire, PulseAudio or ALSA on Linux.
A laptop with none of them stays silent and the settings screen says so.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from doorcheck.domain.verdict import VerdictKind
from doorcheck.resources import resource

SOUND_OF = {
    VerdictKind.ADMIT: "admit",
    VerdictKind.EXIT: "admit",
    VerdictKind.ALREADY_IN: "careful",
    VerdictKind.NOT_INSIDE: "careful",
    VerdictKind.NOT_ON_LIST: "deny",
    VerdictKind.DEREGISTERED: "deny",
    VerdictKind.DELETED: "deny",
    VerdictKind.INVALID_CODE: "deny",
    VerdictKind.WRONG_MODE: "deny",
    VerdictKind.NOT_RECORDED: "deny",
}
LINUX_PLAYERS = ("pw-play", "paplay", "aplay")


def sound_file(name: str) -> Path:
    return resource("sounds", f"{name}.wav")


def find_player(platform: str = sys.platform) -> list[str] | None:
    """The command that plays a WAV file here, or None (winsound needs none)."""
    if platform == "win32":
        return []
    if platform == "darwin":
        return ["afplay"] if shutil.which("afplay") else None
    for player in LINUX_PLAYERS:
        if shutil.which(player):
            return [player, "-q"] if player == "aplay" else [player]
    return None


class SoundPlayer:
    def __init__(
        self,
        enabled: bool = True,
        command: Sequence[str] | None = None,
        spawn: Callable[[list[str]], object] | None = None,
    ) -> None:
        self.enabled = enabled
        self.command = list(command) if command is not None else find_player()
        self._spawn = spawn or _spawn
        self._running: subprocess.Popen[bytes] | None = None

    @property
    def available(self) -> bool:
        return self.command is not None

    def wait(self, timeout: float) -> None:
        """Until the sound playing now has ended (or ``timeout`` seconds)."""
        if self._running is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._running.wait(timeout)

    def play_verdict(self, kind: VerdictKind, attention: bool = False) -> bool:
        """The verdict's sound; an admit a steward must not miss sounds "careful"."""
        return self.play("careful" if attention else SOUND_OF[kind])

    def play(self, name: str) -> bool:
        """Starts the sound and returns at once; a sound still playing is cut short,
        so a fast queue never hears an old answer."""
        if not self.enabled or self.command is None:
            return False
        path = sound_file(name)
        if not self.command:  # Windows
            import winsound  # type: ignore[import-not-found,unused-ignore]

            flags = winsound.SND_FILENAME | winsound.SND_ASYNC  # type: ignore[attr-defined,unused-ignore]
            winsound.PlaySound(str(path), flags)  # type: ignore[attr-defined,unused-ignore]
            return True
        if self._running is not None and self._running.poll() is None:
            self._running.terminate()
        try:
            started = self._spawn([*self.command, str(path)])
        except OSError:
            self.command = None  # the player went away: stay silent rather than fail
            return False
        self._running = started if isinstance(started, subprocess.Popen) else None
        return True


def _spawn(argv: list[str]) -> subprocess.Popen[bytes]:
    # The player is found by name on PATH; the only argument is our own sound file.
    return subprocess.Popen(  # noqa: S603
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
