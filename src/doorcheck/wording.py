"""The one place the door's codes become words.

The domain decides and returns codes with data: a verdict's kind (with its guest,
time, station, the action a station refused), why a code is not a ticket, what a
change collided with; the store keeps those codes and data, and the server's reason
code of a rejection. Here each becomes a ``Phrase`` (template + values): the window
translates it (``ui.i18n.say``), the command line prints it in English (``str``).
Guest names, notes and codes are data, never translated: a verdict's lines under
the title are plain ``str`` for them and ``Phrase`` for the door's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from doorcheck.domain.changes import Action, ChangeNote
from doorcheck.domain.codes import InvalidCode
from doorcheck.domain.guest import Guest
from doorcheck.domain.verdict import Verdict, VerdictKind
from doorcheck.protocol.wire import REJECT_MESSAGES, RejectReason
from doorcheck.views import ChangeView, ScanOutcome
from doorcheck.words import Phrase, mark, phrase

# -- a verdict: its title, its headline (one line), its lines under the title -------

TITLES: dict[VerdictKind, str] = {
    VerdictKind.ADMIT: mark("Welcome"),
    VerdictKind.EXIT: mark("Goodbye"),
    VerdictKind.ALREADY_IN: mark("Already in"),
    VerdictKind.NOT_INSIDE: mark("Not checked in"),
    VerdictKind.NOT_ON_LIST: mark("Not on the list"),
    VerdictKind.DEREGISTERED: mark("Deregistered"),
    VerdictKind.DELETED: mark("Not valid"),
    VerdictKind.INVALID_CODE: mark("Not a ticket"),
    VerdictKind.WRONG_MODE: mark("Not at this station"),
    VerdictKind.NOT_RECORDED: mark("Not recorded"),
}

# Why a code is not a ticket (domain.codes).
INVALID_CODES: dict[InvalidCode, str] = {
    InvalidCode.NOT_TEXT: mark("The code is not readable text."),
    InvalidCode.TOO_LONG: mark("The code is far too long to be a ticket."),
    InvalidCode.EMPTY: mark("The code is empty."),
    InvalidCode.WRONG_EVENT: mark("This is not a ticket of this event."),
}

DISK_FULL = mark("The laptop's disk is full: nothing was recorded. Free some space.")


def verdict_title(kind: VerdictKind) -> str:
    """The big word over a verdict (marked: the window translates it)."""
    return TITLES[kind]


def invalid_code_words(reason: InvalidCode | None) -> Phrase:
    """Why a scanned or typed code is not a ticket code."""
    if reason is None:
        return phrase("Not a valid ticket code")
    return phrase(INVALID_CODES[reason])


def _time(when: datetime | None) -> str:
    return when.astimezone().strftime("%H:%M") if when else "?"


def _name(verdict: Verdict, hide_names: bool = False) -> str:
    return shown_name(verdict.guest, hide_names) if verdict.guest else ""


def initials(guest: Guest) -> str:
    """A guest's initials ("J. S."), for a screen that must not show names (the
    privacy mode "hide names", and self check-in): enough for the guest to see the
    answer is theirs, not enough for the queue to read who they are."""
    letters = [
        text.strip()[0].upper() + "."
        for text in (guest.field_text("firstName"), guest.field_text("lastName"))
        if text.strip()
    ]
    return " ".join(letters) or "\u2022\u2022\u2022"


def shown_name(guest: Guest, hide_names: bool = False) -> str:
    return initials(guest) if hide_names else guest.display_name


def headline(outcome: ScanOutcome) -> Phrase:
    """A scan's answer in one line: what the command line prints."""
    said = verdict_words(outcome.verdict)
    if outcome.main_guest is None:
        return said
    return phrase(
        "{verdict} (companion of {name})", verdict=said, name=outcome.main_guest.display_name
    )


def verdict_words(verdict: Verdict) -> Phrase:
    """A verdict in one sentence, with the guest's name in it."""
    name = _name(verdict)
    match verdict.kind:
        case VerdictKind.ADMIT:
            companions = len(verdict.guest.companion_ids) if verdict.guest else 0
            if companions:
                return phrase("Welcome, {name} (+{companions})", name=name, companions=companions)
            return phrase("Welcome, {name}", name=name)
        case VerdictKind.EXIT:
            return phrase("Goodbye, {name}", name=name)
        case VerdictKind.ALREADY_IN:
            when = _time(verdict.since)
            if verdict.station:
                return phrase("{name}: already checked in at {time} at {station}",
                              name=name, time=when, station=verdict.station)  # fmt: skip
            return phrase("{name}: already checked in at {time}", name=name, time=when)
        case VerdictKind.NOT_INSIDE:
            return phrase("{name} is not checked in", name=name)
        case VerdictKind.NOT_ON_LIST:
            return phrase("Not on the list")
        case VerdictKind.DEREGISTERED:
            return phrase("{name} is deregistered", name=name)
        case VerdictKind.DELETED:
            return phrase("Ticket no longer valid (guest removed)")
        case VerdictKind.INVALID_CODE:
            return invalid_code_words(verdict.invalid)
        case VerdictKind.WRONG_MODE:
            if verdict.action_refused == Action.CHECK_OUT:
                return phrase("This station only checks guests in: nobody is checked out here")
            return phrase("This station only checks guests out: nobody is checked in here")
        case VerdictKind.NOT_RECORDED:
            return phrase(DISK_FULL)
    raise AssertionError(verdict.kind)  # pragma: no cover - every kind is matched above


def verdict_lines(
    outcome: ScanOutcome, guest_facing: bool = False, hide_names: bool = False
) -> list[str | Phrase]:
    """The words under a verdict's title: who, and what the steward (or, at a self
    check-in, the guest) needs to know. ``str`` lines are data (a name, a note) shown
    as they are; ``Phrase`` lines are the door's words, translated where shown.

    With ``hide_names`` no name appears (initials instead) and no free text that
    could hold one (the notes); the attention texts are shown apart
    (``outcome.attention``), never to a guest."""
    verdict = outcome.verdict
    guest = verdict.guest
    name = _name(verdict, hide_names)
    if guest is not None and guest.companion_ids and verdict.kind == VerdictKind.ADMIT:
        name += f"  +{len(guest.companion_ids)}"
    lines: list[str | Phrase] = []
    match verdict.kind:
        case VerdictKind.ADMIT | VerdictKind.EXIT:
            lines.append(name)
            if guest is not None:
                extra = ("company",) if guest_facing or hide_names else ("company", "notes")
                lines += [t for t in (guest.field_text(key) for key in extra) if t]
            if outcome.tags and not guest_facing:
                lines.append(" \u00b7 ".join(outcome.tags))
            if outcome.companions and verdict.kind == VerdictKind.ADMIT:
                names = ", ".join(shown_name(c, hide_names) for c in outcome.companions[:6])
                more = len(outcome.companions) - 6
                if more > 0:
                    names += f" +{more}"
                lines.append(phrase("with {names}", names=names))
        case VerdictKind.ALREADY_IN:
            when = _time(verdict.since)
            if verdict.station:
                lines += [name, phrase("checked in at {time} at {station}",
                                       time=when, station=verdict.station)]  # fmt: skip
            else:
                lines += [name, phrase("checked in at {time}", time=when)]
        case VerdictKind.NOT_INSIDE:
            lines += [name, phrase("is not checked in")]
        case VerdictKind.DEREGISTERED:
            lines += [name, phrase("has deregistered")]
        case VerdictKind.DELETED:
            lines.append(phrase("This ticket was removed from the guest list"))
        case VerdictKind.NOT_ON_LIST:
            lines.append(phrase("Code {code} is not on the guest list", code=outcome.code))
        case VerdictKind.INVALID_CODE:
            lines.append(invalid_code_words(verdict.invalid))
        case VerdictKind.WRONG_MODE:
            if verdict.action_refused == Action.CHECK_OUT:
                lines += [name, phrase("This station only checks guests in.")]
            else:
                lines += [name, phrase("This station only checks guests out.")]
        case VerdictKind.NOT_RECORDED:
            lines.append(phrase(DISK_FULL))
    if outcome.main_guest is not None:
        main = shown_name(outcome.main_guest, hide_names)
        lines.append(phrase("companion of {name}", name=main))
    if guest_facing and (verdict.kind not in (VerdictKind.ADMIT, VerdictKind.EXIT)
                         or outcome.attention):  # fmt: skip
        lines.append(phrase("Please ask a member of staff."))
    return lines


# -- a change made at this door: what the server or the door found about it ---------


def rejection_words(code: int | None, message: str | None) -> str | Phrase:
    """A rejected change explained: the door's words for a known code, with the
    server's own message after them when it says something else; the server's message
    alone for a code this door does not know."""
    try:
        ours = REJECT_MESSAGES[RejectReason(code)] if code is not None else None
    except ValueError:
        ours = None
    if ours is None:
        return message or ""
    if not message or message == ours:
        return phrase(ours)
    return phrase("{reason} (the server says: {message})", reason=phrase(ours), message=message)


def superseded_words(data: Mapping[str, str | None]) -> Phrase:
    """Our check-in overtaken by an earlier one from another door: ``time`` (the
    server's, ISO 8601) and ``station`` (where, if the server said)."""
    time, station = data.get("time") or "?", data.get("station")
    if station:
        return phrase("Already checked in earlier ({time} at {station}); this check-in "
                      "was not needed.", time=time, station=station)  # fmt: skip
    return phrase("Already checked in earlier ({time}); this check-in was not needed.", time=time)


def change_note(change: ChangeView) -> str | Phrase:
    """What the list of changes says about one: the door's own finding, else the
    server's answer (worded by its code), else the last error met uploading it."""
    if change.note == ChangeNote.SUPERSEDED:
        return superseded_words(change.note_data)
    if change.note == ChangeNote.CLOCK_AHEAD:
        return phrase("Made at a door whose clock was more than a day ahead; not counted")
    return rejection_words(change.code, change.message) or change.last_error or ""
