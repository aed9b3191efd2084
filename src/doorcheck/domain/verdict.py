"""From a scanned code and the door's local state to a verdict: a kind and its data.

The domain says what happened, not how to say it: ``doorcheck.wording`` makes the
words for every kind, the window translates them, the command line prints English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from doorcheck.domain.changes import Action
from doorcheck.domain.codes import InvalidCode
from doorcheck.domain.guest import Guest, RegistrationState


class Mode(StrEnum):
    CHECK_IN = "checkIn"
    TOGGLE = "toggle"
    CHECK_OUT = "checkOut"


class VerdictKind(StrEnum):
    ADMIT = "admit"  # green: checked in now
    EXIT = "exit"  # green: checked out now
    ALREADY_IN = "alreadyIn"  # amber: checked in earlier (when, where)
    NOT_INSIDE = "notInside"  # amber: check-out asked, but not checked in
    NOT_ON_LIST = "notOnList"  # red
    DEREGISTERED = "deregistered"  # red
    DELETED = "deleted"  # red
    INVALID_CODE = "invalidCode"  # red: not a ticket at all
    WRONG_MODE = "wrongMode"  # red: this station does not do what was asked
    NOT_RECORDED = "notRecorded"  # red: the laptop could not write it down (disk full)


GOOD = frozenset({VerdictKind.ADMIT, VerdictKind.EXIT})


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: VerdictKind
    guest: Guest | None = None
    action: Action | None = None  # the change to record, if any
    since: datetime | None = None  # for already-in: the earlier check-in
    station: str | None = None  # for already-in: where
    action_refused: Action | None = None  # for wrong-mode: what this station does not do
    invalid: InvalidCode | None = None  # for invalid-code: why the code is not a ticket

    @property
    def ok(self) -> bool:
        return self.kind in GOOD


def decide(guest: Guest | None, mode: Mode, requested: Action | None = None) -> Verdict:
    """The verdict for a guest found (or not) by a scanned code.

    ``requested`` forces check-in or check-out (manual buttons, CLI); a plain scan
    leaves it None and the station mode decides.
    """
    if guest is None:
        return Verdict(VerdictKind.NOT_ON_LIST)
    if guest.is_deleted:
        return Verdict(VerdictKind.DELETED, guest)
    refused = _refused_here(mode, requested)
    if refused is not None:
        return Verdict(VerdictKind.WRONG_MODE, guest, action_refused=refused)
    action = requested
    if action is None:
        if mode == Mode.CHECK_OUT or (mode == Mode.TOGGLE and guest.is_checked_in):
            action = Action.CHECK_OUT
        else:
            action = Action.CHECK_IN
    if action == Action.CHECK_OUT:
        if not guest.is_checked_in:
            return Verdict(VerdictKind.NOT_INSIDE, guest)
        return Verdict(VerdictKind.EXIT, guest, Action.CHECK_OUT)
    if guest.registration_state == RegistrationState.DEREGISTERED:
        return Verdict(VerdictKind.DEREGISTERED, guest)
    if guest.is_checked_in:
        return Verdict(
            VerdictKind.ALREADY_IN, guest, since=guest.check_in, station=guest.check_in_station
        )
    return Verdict(VerdictKind.ADMIT, guest, Action.CHECK_IN)


def _refused_here(mode: Mode, requested: Action | None) -> Action | None:
    """The station refuses (error 2030) a check-out at a check-in-only station and a
    check-in at a check-out-only one: refused here first, so the answer never
    promises what the station will refuse."""
    if mode == Mode.CHECK_IN and requested == Action.CHECK_OUT:
        return Action.CHECK_OUT
    if mode == Mode.CHECK_OUT and requested == Action.CHECK_IN:
        return Action.CHECK_IN
    return None
