"""The change log as doors replicate it: a grow-only set with a version vector.

Every change (check-in, check-out, undo, a companion added at the door) is made at
one door, its *origin*, which numbers its own changes 1, 2, 3, ... A door holds, of
each origin, a gap-free prefix of that origin's changes; the *version vector* says
how long each prefix is ("of Main Entrance's, the first 41"). Catching up is
"send me what you hold beyond my vector"; a pushed change is taken if it is the next
of its origin, ignored if already held, and answered with a catch-up if it leaves a
gap. Changes are immutable and keyed by nonce, so taking the same one twice, in any
order, from any door, leaves the same set: every door that holds the same vector
holds the same changes, and the fold (domain.changes) gives it the same state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from doorcheck.domain.changes import Action, ChangeRecord
from doorcheck.domain.guest import FieldValue

Vector = Mapping[str, int]


@dataclass(frozen=True, slots=True)
class LoggedChange:
    """One change of the replicated log, as every door stores it."""

    origin: str  # the door that made it
    seq: int  # its number among the origin's changes, from 1
    nonce: str
    guest_id: str
    action: Action
    door_time: datetime  # a hybrid-clock stamp (domain.hlc.door_time)
    station: str
    target_nonce: str | None = None
    parent_id: str | None = None
    fields: dict[str, FieldValue] | None = None

    def record(self) -> ChangeRecord:
        return ChangeRecord(
            nonce=self.nonce,
            guest_id=self.guest_id,
            action=self.action,
            door_time=self.door_time,
            station=self.station,
            target_nonce=self.target_nonce,
        )


@dataclass(frozen=True, slots=True)
class Intake:
    """What a door does with changes offered to it, given its vector."""

    take: list[LoggedChange]  # each the next of its origin, in order
    held: int  # already held: ignored
    # Origins whose offered changes leave a gap after what is held: ask for a
    # catch-up from the vector instead (the changes after the gap are not taken).
    gaps: frozenset[str]


def intake(have: Vector, offered: Iterable[LoggedChange]) -> Intake:
    """Which offered changes extend the gap-free prefixes ``have`` describes.

    The same nonce offered twice (from two doors) is taken once. A change whose
    origin and number are held but whose nonce differs is a forged or corrupt copy;
    it is never taken (the held one stays).
    """
    upto = dict(have)
    by_origin: dict[str, dict[int, LoggedChange]] = {}
    for change in offered:
        by_origin.setdefault(change.origin, {}).setdefault(change.seq, change)
    take: list[LoggedChange] = []
    held = 0
    gaps: set[str] = set()
    seen_nonces: set[str] = set()
    for origin in sorted(by_origin):
        changes = by_origin[origin]
        for seq in sorted(changes):
            change = changes[seq]
            last = upto.get(origin, 0)
            if seq <= last or change.nonce in seen_nonces:
                held += 1
            elif seq == last + 1:
                take.append(change)
                seen_nonces.add(change.nonce)
                upto[origin] = seq
            else:
                gaps.add(origin)
                break
    return Intake(take, held, frozenset(gaps))


def beyond(have: Vector, other: Vector) -> dict[str, int]:
    """Of each origin, how many changes ``have`` holds that ``other`` lacks."""
    return {
        origin: count - other.get(origin, 0)
        for origin, count in have.items()
        if count > other.get(origin, 0)
    }


def merged(first: Vector, second: Vector) -> dict[str, int]:
    """The vector of a door that holds both sets."""
    out = {origin: count for origin, count in first.items() if count > 0}
    for origin, count in second.items():
        if count > 0:
            out[origin] = max(out.get(origin, 0), count)
    return out
