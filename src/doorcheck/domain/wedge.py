"""Telling a USB barcode scanner's keystrokes from a person typing.

A keyboard-wedge scanner types a code as keystrokes: many keys a few milliseconds
apart, usually ended by Enter or Tab. A person types keys 80 ms or more apart. The
detector holds each key for ``max_gap`` seconds: if the next one comes sooner, it
is part of a scanner burst; if not, the held keys are handed on as typing (a delay
no one notices). Widgets never see a scan as typing, and typing in a search box is
never taken for a scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

# What a scanner programmed for a US keyboard produces on other layouts, mapped back.
_QWERTZ = str.maketrans({"z": "y", "y": "z", "Z": "Y", "Y": "Z", "ß": "-", "?": "_",
                         "ü": "[", "+": "]", "ö": ";", "ä": "'", "#": "\\", "-": "/",
                         "_": "?", "Ü": "{", "*": "}", "Ö": ":", "Ä": '"', "'": "|",
                         ";": "<", ":": ">", "&": "^", "/": "&", "(": "*", ")": "(",
                         "=": ")", "`": "+"})  # fmt: skip
_AZERTY = str.maketrans({"&": "1", "é": "2", '"': "3", "'": "4", "(": "5", "-": "6",
                         "è": "7", "_": "8", "ç": "9", "à": "0", "1": "!", "2": "@",
                         "3": "#", "4": "$", "5": "%", "6": "^", "7": "&", "8": "*",
                         "9": "(", "0": ")", "a": "q", "q": "a", "z": "w", "w": "z",
                         "A": "Q", "Q": "A", "Z": "W", "W": "Z", "m": ";", "M": ":",
                         ",": "m", "?": "M", ";": ",", ".": "<", ":": ".", "/": ">",
                         "!": "/", "§": "?", ")": "-", "°": "_"})  # fmt: skip
LAYOUTS = {"us": str.maketrans({}), "qwertz": _QWERTZ, "azerty": _AZERTY}

# A calibration code: it holds characters whose keys move between US, QWERTZ and
# AZERTY, so one scan of it tells which layout the laptop has (detect_layout).
CALIBRATION_CODE = "DCCAL-yzqwam-1234567890"


def detect_layout(received: str) -> str | None:
    """The layout under which a scan of CALIBRATION_CODE arrives as ``received``."""
    for name, table in LAYOUTS.items():
        if received.translate(table) == CALIBRATION_CODE:
            return name
    return None


@dataclass(frozen=True)
class Typed:
    """Keys a person typed: hand them on to the focused widget, in order."""

    text: str
    events: tuple[object, ...] = ()  # the original key events, for a GUI to re-send


@dataclass(frozen=True)
class Scanned:
    code: str


@dataclass(frozen=True)
class Calibrated:
    """The calibration code was scanned: the scanner's keys arrive as ``layout``,
    and the detector now corrects for it."""

    layout: str


Action = Typed | Scanned | Calibrated


@dataclass
class WedgeDetector:
    max_gap: float = 0.035  # seconds between a scanner's keys, at most
    min_length: int = 4  # shorter bursts are typing (a quick two-key roll)
    end_after: float = 0.12  # a burst with no Enter or Tab ends after this quiet
    double_within: float = 0.6  # the same code again this soon is a scanner echo
    layout: str = "us"
    _keys: list[tuple[float, str, object]] = field(default_factory=list)
    _last_scan: tuple[float, str] | None = None

    def key(
        self, now: float, text: str, terminator: bool = False, event: object = None
    ) -> list[Action]:
        """A key press: ``text`` is what it types; ``terminator`` for Enter or Tab."""
        actions: list[Action] = []
        if self._keys and now - self._keys[-1][0] > self.max_gap:
            actions += self._finish(now)  # the run before this key is over
        if terminator:
            if self._is_burst():
                actions += self._scan(now)
            else:
                typed = self._take()
                actions.append(Typed(typed.text + text, (*typed.events, event)))
            return actions
        self._keys.append((now, text, event))
        return actions

    def tick(self, now: float) -> list[Action]:
        """Called by a timer every few milliseconds: releases typing, ends bursts
        from scanners that send no Enter or Tab."""
        if not self._keys:
            return []
        quiet = now - self._keys[-1][0]
        if self._is_burst():
            return self._scan(now) if quiet >= self.end_after else []
        return [self._take()] if quiet > self.max_gap else []

    @property
    def holding(self) -> bool:
        return bool(self._keys)

    def _finish(self, now: float) -> list[Action]:
        return self._scan(now) if self._is_burst() else [self._take()]

    def _is_burst(self) -> bool:
        if len(self._keys) < self.min_length:
            return False
        times = [t for t, _, _ in self._keys]
        return all(b - a <= self.max_gap for a, b in pairwise(times))

    def _take(self) -> Typed:
        typed = Typed("".join(t for _, t, _ in self._keys), tuple(e for _, _, e in self._keys))
        self._keys.clear()
        return typed

    def _scan(self, now: float) -> list[Action]:
        raw = self._take().text
        layout = detect_layout(raw)
        if layout is not None:
            self.layout = layout
            return [Calibrated(layout)]
        code = raw.translate(LAYOUTS.get(self.layout, LAYOUTS["us"]))
        last = self._last_scan
        self._last_scan = (now, code)
        if last is not None and last[1] == code and now - last[0] <= self.double_within:
            return []  # the scanner's second copy of the same code
        return [Scanned(code)]
