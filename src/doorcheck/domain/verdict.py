"""From a scanned code and the door's local state to what the screen says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from doorcheck.domain.changes import Action
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


GOOD = frozenset({VerdictKind.ADMIT, VerdictKind.EXIT})


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: VerdictKind
    guest: Guest | None = None
    action: Action | None = None  # the change to record, if any
    since: datetime | None = None  # for already-in: the earlier check-in
    station: str | None = None  # for already-in: where
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.kind in GOOD

    def headline(self) -> str:
        name = self.guest.display_name if self.guest else ""
        match self.kind:
            case VerdictKind.ADMIT:
                companions = len(self.guest.companion_ids) if self.guest else 0
                return f"Welcome, {name}" + (f" (+{companions})" if companions else "")
            case VerdictKind.EXIT:
                return f"Goodbye, {name}"
            case VerdictKind.ALREADY_IN:
                when = self.since.astimezone().strftime("%H:%M") if self.since else "?"
                where = f" at {self.station}" if self.station else ""
                return f"{name}: already checked in at {when}{where}"
            case VerdictKind.NOT_INSIDE:
                return f"{name} is not checked in"
            case VerdictKind.NOT_ON_LIST:
                return "Not on the list"
            case VerdictKind.DEREGISTERED:
                return f"{name} is deregistered"
            case VerdictKind.DELETED:
                return "Ticket no longer valid (guest removed)"
            case VerdictKind.INVALID_CODE:
                return "Not a valid ticket code"
        return self.kind.value  # pragma: no cover - every kind is matched above


def decide(guest: Guest | None, mode: Mode, requested: Action | None = None) -> Verdict:
    """The verdict for a guest found (or not) by a scanned code.

    ``requested`` forces check-in or check-out (manual buttons, CLI); a plain scan
    leaves it None and the station mode decides.
    """
    if guest is None:
        return Verdict(VerdictKind.NOT_ON_LIST)
    if guest.is_deleted:
        return Verdict(VerdictKind.DELETED, guest)
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
