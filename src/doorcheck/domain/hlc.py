"""A hybrid logical clock: door times that order changes across laptops whose clocks
disagree (DESIGN.md §7, issue 14).

Kulkarni et al., "Logical Physical Clocks" (2014): a stamp is the largest wall time
seen so far (this laptop's, or one in a change received from another door) and a
counter that orders stamps within one millisecond; the door that made it breaks the
last tie. Every stamp a clock hands out is greater than every stamp it handed out or
received before, so a change made after another was seen is ordered after it, and
the stamps stay as close to real time as the clocks allow.

A peer whose clock is far ahead would drag every door's stamps with it; a stamp more
than ``max_ahead`` (12 h) ahead of this laptop's clock does not move this clock
(``ClockDriftError``): the change it came with is still kept (a check-in is never
dropped for a wrong clock), and the door that sent it is flagged. No I/O here: the wall clock is
passed in.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# A stamp is also a door time with microseconds (``door_time``): the counter is the
# microseconds within the millisecond, so at most 999; after that the clock moves on
# to the next millisecond (a thousand changes within one are not a door's pace).
MAX_COUNTER = 999
MAX_NODE_LENGTH = 64
# A door whose clock is a few hours off must still be ordered correctly (issue 14:
# two hours wrong); a stamp half a day ahead is a wrong date, not a slow clock.
MAX_AHEAD_MS = 12 * 3600 * 1000
_TEXT = re.compile(r"(\d{13})-([0-9a-f]{4})-(.{1,64})", re.DOTALL)


class ClockDriftError(ValueError):
    """A stamp from too far in this laptop's future (or one not a stamp at all)."""


@dataclass(frozen=True, order=True, slots=True)
class Stamp:
    wall_ms: int  # milliseconds since 1970, UTC
    counter: int
    node: str  # the door that made it: breaks ties, never reorders real time

    def text(self) -> str:
        """Sorts as the stamp does, as text (for a store's index)."""
        return f"{self.wall_ms:013d}-{self.counter:04x}-{self.node}"

    @classmethod
    def parse(cls, text: str) -> Stamp:
        found = _TEXT.fullmatch(text)
        if found is None:
            raise ClockDriftError("not a clock stamp")
        return cls(int(found[1]), int(found[2], 16), found[3])


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def door_time(stamp: Stamp) -> datetime:
    """The door time a change made at ``stamp`` carries: its wall time, with the
    counter as microseconds, so door-time order is stamp order (then the station
    breaks a tie, as the node does)."""
    return _EPOCH + timedelta(milliseconds=stamp.wall_ms, microseconds=stamp.counter)


def stamp_of(when: datetime, node: str) -> Stamp:
    """The stamp a door time stands for (the inverse of ``door_time``)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    micros = (when - _EPOCH) // timedelta(microseconds=1)
    return Stamp(micros // 1000, micros % 1000, node)


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class HybridClock:
    """One door's clock; ``now`` and ``observe`` may be called from any thread."""

    def __init__(
        self,
        node: str,
        *,
        wall: Callable[[], int] = wall_clock_ms,
        max_ahead_ms: int = MAX_AHEAD_MS,
        last: Stamp | None = None,
    ) -> None:
        if not 0 < len(node) <= MAX_NODE_LENGTH:
            raise ValueError("a door's clock needs a name of 1 to 64 characters")
        self.node = node
        self._wall = wall
        self.max_ahead_ms = max_ahead_ms
        # ``last``: the newest stamp kept on disk, so a restarted door never hands
        # out a stamp it handed out before, even if its wall clock went back.
        self._wall_ms, self._counter = (last.wall_ms, last.counter) if last else (0, 0)
        self._lock = threading.Lock()

    def now(self) -> Stamp:
        """A stamp for a change made at this door now."""
        with self._lock:
            physical = self._wall()
            if physical > self._wall_ms:
                self._wall_ms, self._counter = physical, 0
            else:
                self._tick(self._counter + 1)
            return Stamp(self._wall_ms, self._counter, self.node)

    def observe(self, seen: Stamp) -> None:
        """A stamp in a change received from another door: later stamps from this
        clock are ordered after it. Refused if it is too far ahead of this laptop."""
        with self._lock:
            physical = self._wall()
            if seen.wall_ms - physical > self.max_ahead_ms:
                raise ClockDriftError(
                    f"a stamp {(seen.wall_ms - physical) / 60_000:.0f} min ahead of this "
                    "laptop's clock"
                )
            latest = max(self._wall_ms, seen.wall_ms, physical)
            if latest == self._wall_ms == seen.wall_ms:
                self._tick(max(self._counter, seen.counter) + 1)
            elif latest == self._wall_ms:
                self._tick(self._counter + 1)
            elif latest == seen.wall_ms:
                self._wall_ms = latest
                self._tick(seen.counter + 1)
            else:
                self._wall_ms, self._counter = latest, 0

    def _tick(self, counter: int) -> None:
        if counter > MAX_COUNTER:
            # The counter's room is used up within one millisecond of wall time:
            # move on to the next millisecond rather than overflow the text form.
            self._wall_ms += 1
            counter = 0
        self._counter = counter
