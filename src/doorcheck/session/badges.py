"""A door's badges (issue 15): its badge settings, the guest a badge is for, and
the print log that keeps auto-print "once" to one badge per guest.

Printing itself is Qt's (ui/badge.py): the window and ``doorcheck print`` hand it
the badge text from here and log its result here. No Qt in this module.
"""

from __future__ import annotations

from doorcheck.domain.badge import (
    DEFAULT_SIZE,
    LABEL_SIZES,
    AutoPrint,
    BadgeOptions,
    BadgeText,
)
from doorcheck.domain.codes import clean_code
from doorcheck.session.errors import DoorError, Problem
from doorcheck.store.badges import BadgePrint
from doorcheck.store.local import LocalStore

# The door's settings table (this door of this event, like its zone).
AUTO_PRINT = "badge_auto_print"
PRINTER = "badge_printer"
SIZE = "badge_size"


def badge_options(store: LocalStore) -> BadgeOptions:
    size = store.get_setting(SIZE) or DEFAULT_SIZE
    return BadgeOptions(
        auto_print=AutoPrint.parse(store.get_setting(AUTO_PRINT)),
        printer=store.get_setting(PRINTER) or "",
        size=size if size in LABEL_SIZES else DEFAULT_SIZE,
    )


def set_badge_options(store: LocalStore, options: BadgeOptions) -> None:
    store.set_setting(AUTO_PRINT, options.auto_print.value)
    store.set_setting(PRINTER, options.printer or None)
    store.set_setting(SIZE, options.size)


def badge_for_code(store: LocalStore, code: str) -> tuple[str, BadgeText]:
    """The guest id and badge text of a ticket code; DoorError if no guest has it."""
    cleaned = clean_code(code).code
    if cleaned is None:
        raise DoorError(Problem.UNKNOWN_CODE, code=code[:64])
    view = store.guest_by_code(cleaned)
    if view is None or view.guest.is_deleted:
        raise DoorError(Problem.UNKNOWN_CODE, code=cleaned)
    return view.guest.id, BadgeText.of(view.guest)


def badge_for_guest(store: LocalStore, guest_id: str) -> BadgeText | None:
    view = store.guest_by_id(guest_id)
    return BadgeText.of(view.guest) if view is not None else None


def claim_print(store: LocalStore, guest_id: str, printer: str, once: bool) -> int | None:
    """Log a print about to start (its id); with ``once``, None if the guest's badge
    was printed (or is on its way) already: then nothing is printed."""
    return store.badge_prints.claim(guest_id, printer, unless_printed=once)


def finish_print(store: LocalStore, print_id: int, printer: str, error: str | None) -> None:
    store.badge_prints.finish(print_id, printer=printer, error=error)


def print_log(store: LocalStore, guest_id: str | None = None) -> list[BadgePrint]:
    return store.badge_prints.history(guest_id)
