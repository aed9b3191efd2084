"""The change log of check-ins and check-outs, and the fold that turns it into state.

Guest presence is never stored as the truth; it is folded from the changes known
for a guest, ordered by door time, then station, then nonce (DESIGN.md §2.6). Any
node that holds the same set of changes computes the same state, whatever order
they arrived in. Two doors that admit the same guest while offline therefore
converge on the earliest check-in, and the later one is reported as a conflict.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from doorcheck.domain.timeutil import to_utc


class Action(StrEnum):
    CHECK_IN = "checkIn"
    CHECK_OUT = "checkOut"
    UNDO = "undo"
    ADD_COMPANION = "addCompanion"


class ChangeNote(StrEnum):
    """What the door itself found about a change it made (kept with the change;
    doorcheck.wording words it)."""

    # The server holds an earlier check-in from another door (both were offline):
    # ours was not needed. Data: the server's ``time`` and ``station``.
    SUPERSEDED = "superseded"
    # Learned from a door whose date was more than a day ahead of this laptop's: kept
    # in the log, not counted (the server refuses such door times as well).
    CLOCK_AHEAD = "clock-ahead"


PRESENCE_ACTIONS = frozenset({Action.CHECK_IN, Action.CHECK_OUT})


class Effect(StrEnum):
    """What a change does to the guest in the fold."""

    APPLIED = "applied"
    CONFLICT = "conflict"
    UNDONE = "undone"


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    nonce: str
    guest_id: str
    action: Action
    door_time: datetime
    station: str
    target_nonce: str | None = None

    def order_key(self) -> tuple[datetime, str, str]:
        return (to_utc(self.door_time), self.station, self.nonce)


@dataclass(frozen=True, slots=True)
class Presence:
    """A guest's check-in state as the fold leaves it."""

    check_in: datetime | None = None
    check_in_station: str | None = None
    check_in_nonce: str | None = None
    check_out: datetime | None = None
    check_out_station: str | None = None

    @property
    def inside(self) -> bool:
        if self.check_in is None:
            return False
        return self.check_out is None or to_utc(self.check_out) < to_utc(self.check_in)


@dataclass(slots=True)
class FoldResult:
    presence: Presence
    effects: dict[str, Effect] = field(default_factory=dict)
    # For a conflicting change: the nonce of the check-in/out it collided with.
    conflicts_with: dict[str, str | None] = field(default_factory=dict)


def fold_presence(changes: Iterable[ChangeRecord], base: Presence | None = None) -> FoldResult:
    """Fold check-in, check-out and undo changes of one guest into its presence.

    ``base`` is the state before any of these changes (a guest imported as already
    checked in, or the server's copy that a kiosk lays its pending changes over).
    A check-in while inside, or a check-out while outside, does not change state and
    is reported as a conflict. An undo removes its target from the fold entirely, so
    the state is as if the target had never happened.
    """
    records = list(changes)
    undone = {
        r.target_nonce for r in records if r.action == Action.UNDO and r.target_nonce is not None
    }
    result = FoldResult(presence=base or Presence())
    state = result.presence
    last_nonce: str | None = state.check_in_nonce
    for record in sorted(
        (r for r in records if r.action in PRESENCE_ACTIONS), key=ChangeRecord.order_key
    ):
        if record.nonce in undone:
            result.effects[record.nonce] = Effect.UNDONE
            continue
        if record.action == Action.CHECK_IN:
            if state.inside:
                result.effects[record.nonce] = Effect.CONFLICT
                result.conflicts_with[record.nonce] = state.check_in_nonce
                continue
            state = replace(
                state,
                check_in=record.door_time,
                check_in_station=record.station,
                check_in_nonce=record.nonce,
            )
        else:
            if not state.inside:
                result.effects[record.nonce] = Effect.CONFLICT
                result.conflicts_with[record.nonce] = last_nonce
                continue
            state = replace(state, check_out=record.door_time, check_out_station=record.station)
        last_nonce = record.nonce
        result.effects[record.nonce] = Effect.APPLIED
    for record in records:
        if record.action == Action.UNDO:
            result.effects[record.nonce] = Effect.APPLIED
    result.presence = state
    return result


# The nonce of a change the server's copy stands for: sorts before every real nonce
# at the same time and station.
SUMMARY_NONCE = ""


def summary_records(guest_id: str, summary: Presence) -> list[ChangeRecord]:
    """A copy's presence (the server's latest check-in and check-out) as the changes
    it stands for, to be folded with changes not in it, in door-time order.

    Laying changes *over* a copy would put them after everything the copy holds; a
    change learned from another door may be earlier than the copy's check-in (two
    doors admitted the guest apart, and the server has the later one so far), and
    then the earlier one must win, as the server will decide once it has both.
    """
    records = []
    if summary.check_out is not None:
        records.append(ChangeRecord(SUMMARY_NONCE, guest_id, Action.CHECK_OUT, summary.check_out,
                                    summary.check_out_station or ""))  # fmt: skip
    if summary.check_in is not None:
        records.append(ChangeRecord(SUMMARY_NONCE + "in", guest_id, Action.CHECK_IN,
                                    summary.check_in, summary.check_in_station or ""))  # fmt: skip
    return records
