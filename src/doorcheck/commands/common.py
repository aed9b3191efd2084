"""What the commands share: the one-line error, the data folder, opening the door."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from doorcheck.words import Phrase

if TYPE_CHECKING:
    from doorcheck.session.door import DoorSession
    from doorcheck.session.results import GivenLogin
    from doorcheck.views import ScanOutcome


class CommandError(Exception):
    """Options that do not go together, or a command's own refusal: one line, exit
    status 1. (What a use case refuses is a session.errors.DoorError.)"""

    def __init__(self, message: str | Phrase) -> None:
        super().__init__(str(message))
        self.words = message


DISK_FULL = (
    "the laptop's disk is full: nothing was recorded. Free some space, then run the "
    "command again (changes already waiting are kept)."
)


def refusal_of_disk(exc: BaseException) -> str | None:
    """The one line any command ends with when the disk (or the store) is full."""
    from doorcheck.sync.health import is_disk_full

    return DISK_FULL if is_disk_full(exc) else None


def verdict_line(outcome: ScanOutcome, suffix: str = "") -> str:
    """A scan's answer as the command line prints it: the kind's name, then the
    verdict in English words (doorcheck.wording), and a line for each attention
    text a steward must not miss."""
    from doorcheck.wording import headline

    label = outcome.verdict.kind.name.replace("_", " ")
    lines = [f"{label}: {headline(outcome)}{suffix}"]
    lines += [f"  ATTENTION: {text}" for text in outcome.attention]
    return "\n".join(lines)


# -- shared option groups ------------------------------------------------------------


def kiosk_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("station login (default: the saved login)")
    group.add_argument("--server", metavar="URL", help="station server URL")
    group.add_argument("--event", metavar="ID", help="event ID")
    group.add_argument("--key", metavar="CODE", help="the station's App Code")
    group.add_argument("--station", metavar="NAME", help="station name")
    parser.add_argument("--data", metavar="DIR", type=Path, help="local data folder")


# The staff PIN for a supervisor's command where no one can type it (a script).
PIN_VARIABLE = "DOORCHECK_STAFF_PIN"


def require_supervisor(args: argparse.Namespace, what: str) -> None:
    """A supervisor's command (the window's roles, README "Roles"): where this
    laptop has a staff PIN, it is asked for: typed, hidden, at a terminal, or from
    DOORCHECK_STAFF_PIN. Without a PIN set, anyone at the laptop is a supervisor, as
    in the window."""
    from doorcheck.settings import KioskSettings

    settings = KioskSettings.load(kiosk_data_dir(args))
    if not settings.pin_hash:
        return
    pin = os.environ.get(PIN_VARIABLE)
    if pin is None and sys.stdin.isatty():
        pin = getpass.getpass("Staff PIN: ")
    if pin is None:
        raise CommandError(
            f"{what} is a supervisor's: this laptop has a staff PIN. Type it at a "
            f"terminal, or give it in {PIN_VARIABLE}."
        )
    if not settings.pin_matches(pin):
        raise CommandError("Wrong staff PIN.")


def server_db_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", metavar="DIR", type=Path, help="folder of the server's SQLite database"
    )
    parser.add_argument(
        "--db", metavar="URL", help="database URL instead (sqlite:///… or postgresql://…)"
    )


def kiosk_data_dir(args: argparse.Namespace) -> Path:
    if args.data is not None:
        return Path(args.data)
    from platformdirs import user_data_path

    return user_data_path("doorcheck", appauthor=False)


def server_db_url(args: argparse.Namespace, *, temporary: bool = False) -> str:
    from doorcheck.server.db import sqlite_url
    from doorcheck.server.serve import default_data_dir

    if args.db:
        return str(args.db)
    if args.data is not None:
        data = Path(args.data)
    elif temporary:
        data = Path(tempfile.mkdtemp(prefix="doorcheck-demo-"))
    else:
        data = default_data_dir()
    data.mkdir(parents=True, exist_ok=True)
    return sqlite_url(data)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def local_time(iso: str | None) -> str:
    """A stored UTC time as the steward's clock shows it."""
    from doorcheck.domain.timeutil import parse_datetime

    when = parse_datetime(iso)
    if when is None:
        return "never"
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


# -- the door ----------------------------------------------------------------------


def given_login(args: argparse.Namespace) -> GivenLogin | None:
    """A station login typed on the command line (all four options), or None for the
    saved one."""
    from doorcheck.session.results import GivenLogin

    given = [args.server, args.event, args.key, args.station]
    if all(given):
        return GivenLogin(args.server, args.event, args.key, args.station)
    if any(given):
        raise CommandError("give all of --server, --event, --key and --station, or none")
    return None


def open_door(args: argparse.Namespace) -> DoorSession:
    """The door session of the command's login (session.door.open_door); events whose
    wipe time has come are wiped first, and said so."""
    from doorcheck.session.door import open_door as open_session

    data_dir = kiosk_data_dir(args)
    report_wiped(data_dir)
    return open_session(data_dir, given_login(args))


def report_wiped(data_dir: Path) -> None:
    """Events whose wipe time has come are wiped before a command works, and said so."""
    from doorcheck.session.door import wipe_expired

    for wiped in wipe_expired(data_dir):
        print(
            f"doorcheck: wiped the local data of event {wiped} (its wipe time had come)",
            file=sys.stderr,
        )
