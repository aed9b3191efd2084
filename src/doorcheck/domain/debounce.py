"""One presentation of a code is one scan, however many frames it is seen in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass
class _Seen:
    first: float
    last: float
    emitted: float


class Debouncer:
    """Turns "codes seen in this frame" into "codes newly presented".

    A code counts again once it has been out of view for ``gone_after`` seconds, or
    after ``repeat_after`` seconds of being held in view (a guest who keeps holding
    the phone up gets an answer again). Several codes in one frame each count once.
    """

    def __init__(self, gone_after: float = 0.8, repeat_after: float = 4.0) -> None:
        self.gone_after = gone_after
        self.repeat_after = repeat_after
        self._seen: dict[str, _Seen] = {}

    def feed(self, now: float, codes: Iterable[str]) -> list[str]:
        new: list[str] = []
        for code in dict.fromkeys(codes):  # once per frame, in order
            seen = self._seen.get(code)
            if seen is None or now - seen.last > self.gone_after:
                self._seen[code] = _Seen(now, now, now)
                new.append(code)
            else:
                seen.last = now
                if now - seen.emitted >= self.repeat_after:
                    seen.emitted = now
                    new.append(code)
        for code in [c for c, s in self._seen.items() if now - s.last > self.gone_after]:
            del self._seen[code]
        return new
