"""The ``doorcheck`` command: its parser, and the subcommands it dispatches to.

The commands parse, call the door session's use cases (session/) and print; a
use case's refusal (session.errors.DoorError) ends the command in one line.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from doorcheck import __version__
from doorcheck.commands.badges import cmd_print
from doorcheck.commands.camera import (
    cmd_cameras,
    cmd_decode,
    cmd_scan,
)
from doorcheck.commands.common import (
    CommandError,
    kiosk_options,
    refusal_of_disk,
    server_db_options,
)
from doorcheck.commands.door import (
    cmd_checkin,
    cmd_checkout,
    cmd_checkout_all,
    cmd_eventbrite_events,
    cmd_login,
    cmd_pair,
    cmd_search,
    cmd_status,
    cmd_sync,
    cmd_wipe,
    cmd_zone,
)
from doorcheck.commands.lists import (
    cmd_export,
    cmd_forward,
    cmd_import,
)
from doorcheck.commands.server import (
    cmd_admin_attention,
    cmd_admin_calibration,
    cmd_admin_create_event,
    cmd_admin_create_station,
    cmd_admin_delete,
    cmd_admin_deregister,
    cmd_admin_import,
    cmd_admin_reel,
    cmd_admin_station_qr,
    cmd_admin_tickets,
    cmd_admin_zone,
    cmd_serve,
)
from doorcheck.commands.window import (
    _has_display,
    cmd_demo,
    cmd_kiosk,
    cmd_screenshots,
)
from doorcheck.domain.badge import LABEL_SIZES
from doorcheck.domain.verdict import Mode


def cmd_self_test(args: argparse.Namespace) -> int:
    """Is this installation whole? One line per check; exit status 0 or 1."""
    from doorcheck.selftest import run

    return run(verbose=args.verbose)


def encrypt_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--encrypt",
        action="store_true",
        help=f"{what}: its data kept encrypted (SQLCipher), the key in the OS keyring "
        "(docs/security.md); a folder once encrypted stays so",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="doorcheck", description="Offline-first check-in kiosk for event entrances."
    )
    parser.add_argument("--version", action="version", version=f"doorcheck {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("demo", help="start a demo station server and a headless door")
    p.add_argument("--guests", type=int, default=300)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--exit", action="store_true", help="stop after the walk-through")
    p.add_argument(
        "--headless", action="store_true", help="no window: walk through the doors in the terminal"
    )
    p.add_argument("--seconds", type=float, help="close the window after this long")
    encrypt_option(p, "the demo's doors")
    p.add_argument(
        "--camera",
        metavar="INDEX|FILE|DIR",
        help="a real camera (e.g. 0) instead of the reel of demo tickets",
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("decode", help="decode barcodes in images and videos, as the kiosk would")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--json",
        action="store_true",
        help='one JSON object per file: {"file": ..., "codes": [...]}',
    )
    p.add_argument(
        "--formats",
        metavar="LIST",
        help="comma-separated, e.g. QRCode,Code128 (default: QR, Code 128, "
        "PDF417, Aztec, Data Matrix)",
    )
    p.set_defaults(func=cmd_decode)

    p = sub.add_parser("kiosk", help="open the kiosk window for the saved login")
    p.add_argument(
        "--camera",
        metavar="INDEX|FILE|DIR",
        help="camera index, a video file, or a folder of images (default: the settings' camera)",
    )
    p.add_argument("--lock", action="store_true", help="start locked: full screen, PIN to leave")
    p.add_argument(
        "--self-check-in",
        action="store_true",
        help="the guest-facing variant: locked, door screen only, no guest list",
    )
    p.add_argument(
        "--exit-when-ready",
        action="store_true",
        help='print "ready" once the first window is up, then exit (the start-up benchmark)',
    )
    p.add_argument("--data", metavar="DIR", type=Path, help="local data folder")
    p.set_defaults(func=cmd_kiosk)

    p = sub.add_parser(
        "import", help="load a guest list (CSV, XLSX, or Eventbrite XML) into this door (no server)"
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--map",
        action="append",
        metavar="FIELD=COLUMN",
        help="which column holds a field (accessCode, firstName, lastName, email, company, "
        "notes), by header or number; repeatable",
    )
    p.add_argument(
        "--preview", action="store_true", help="show what would be loaded, change nothing"
    )
    p.add_argument("--station", default="Main Entrance", help="this door's name")
    p.add_argument(
        "--mode", choices=[m.value for m in Mode], default=Mode.CHECK_IN.value,
        help="check-in only, toggle, or check-out only",
    )  # fmt: skip
    encrypt_option(p, "a new door")
    p.add_argument("--data", metavar="DIR", type=Path, help="local data folder")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="write this door's check-ins to a CSV or XLSX file")
    p.add_argument("--out", required=True, metavar="FILE", help="a .csv or .xlsx file")
    kiosk_options(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "forward",
        help="push profiles of check-ins and walk-ins to Event Cadence (set up with --url)",
    )
    p.add_argument("--url", help="the event's API gateway address (sets Event Cadence up)")
    p.add_argument("--key", dest="cadence_key", help="the event's API key (kept like an App Code)")
    p.add_argument("--key-in", choices=("header", "body"), default="header",
                   help="send the key as the Api-Key header or the key field")  # fmt: skip
    p.add_argument("--form", choices=("nested", "flat"), default="nested",
                   help="the payload: a nested JSON object or flat key-value pairs")  # fmt: skip
    p.add_argument("--group", action="append", help="a group name to send (repeatable)")
    p.add_argument("--data", metavar="DIR", type=Path, help="local data folder")
    p.set_defaults(func=cmd_forward, server=None, event=None, key=None, station=None)

    p = sub.add_parser(
        "eventbrite-events", help="list an Eventbrite organization's events (to pick one)"
    )
    p.add_argument("--key", required=True, metavar="TOKEN", help="Eventbrite private token")
    p.add_argument("--organization", required=True, metavar="ID")
    p.add_argument("--server", metavar="URL", help="the API's address (default: Eventbrite's)")
    p.set_defaults(func=cmd_eventbrite_events)

    p = sub.add_parser(
        "self-test", help="check this installation: store, decoder, a check-in, the window"
    )
    p.set_defaults(func=cmd_self_test)

    p = sub.add_parser("screenshots", help="render the kiosk's screens to PNG files")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument(
        "--language", choices=("en", "de"), default="en", help="the language of the screens"
    )
    p.set_defaults(func=cmd_screenshots)

    p = sub.add_parser("cameras", help="list the cameras this laptop has")
    p.set_defaults(func=cmd_cameras)

    p = sub.add_parser("scan", help="check guests in with a camera (no window)")
    p.add_argument(
        "--camera",
        metavar="INDEX|FILE|DIR",
        help="camera index, a video file, or a folder of images "
        "(default: the one used last, else 0)",
    )
    p.add_argument("--once", action="store_true", help="stop at the end of a file")
    kiosk_options(p)
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser("serve", help="run the reference station server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8470, help="0 picks a free port")
    server_db_options(p)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--demo", action="store_true", help="create a demo event first")
    p.add_argument("--guests", type=int, default=300, help="demo guests")
    p.add_argument("--json", action="store_true", help="print one JSON line once listening")
    p.add_argument(
        "--token-lifetime",
        type=float,
        metavar="SECONDS",
        help="session token lifetime after last use (default 24 h)",
    )
    p.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="a reverse proxy whose X-Forwarded-For is believed (repeatable; default none)",
    )
    p.set_defaults(func=cmd_serve)

    for name, func, text in (
        ("login", cmd_login, "log in to a station and remember the login"),
        ("sync", cmd_sync, "upload waiting changes and pull the guest list"),
        ("status", cmd_status, "what this door knows: guests, check-ins, waiting changes"),
    ):
        p = sub.add_parser(name, help=text)
        kiosk_options(p)
        if name == "login":
            encrypt_option(p, "a new door")
        if name in ("login", "sync"):
            p.add_argument(
                "--source",
                choices=("station", "xing", "eventbrite", "eventbrite-legacy"),
                default="station" if name == "login" else None,
                help="where the guests come from (default: an Invitario-style station; "
                "a spreadsheet is loaded with `doorcheck import`)",
            )
            p.add_argument("--v2", action="store_true", help="XING Events: the v2 sync feed")
            p.add_argument(
                "--app-key", help="Eventbrite's legacy API: the application key (--key: user key)"
            )
        if name == "sync":
            p.add_argument(
                "--watch",
                action="store_true",
                help="keep syncing until Ctrl+C, showing online and offline",
            )
            p.add_argument(
                "--interval",
                type=float,
                default=3.0,
                metavar="SECONDS",
                help="with --watch: seconds between pulls (default 3)",
            )
            p.add_argument(
                "--listen",
                default=None,
                metavar="[HOST:]PORT",
                help="with --watch: where this door listens for the event's other doors "
                "(default: every address, port 47474)",
            )
            p.add_argument(
                "--peer",
                action="append",
                default=[],
                metavar="HOST:PORT",
                help="with --watch: another door of the event to reach (repeatable; for "
                "networks where doors cannot find each other)",
            )
            p.add_argument(
                "--no-discovery",
                action="store_true",
                help="with --watch: do not announce this door or look for others with "
                "mDNS (only the doors given with --peer, and those they know)",
            )
            p.add_argument(
                "--no-peers",
                action="store_true",
                help="with --watch: do not join the event's other doors on the LAN",
            )
        if name == "status":
            p.add_argument("--json", action="store_true")
            p.add_argument(
                "--changes",
                action="store_true",
                help="list changes waiting, conflicting or rejected",
            )
            p.add_argument(
                "--local", action="store_true", help="do not ask the server whether it answers"
            )
        p.set_defaults(func=func)
    for name, func, text in (
        ("checkin", cmd_checkin, "check a guest in by access code"),
        ("checkout", cmd_checkout, "check a guest out by access code"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("code", help="the ticket's access code")
        if name == "checkin":
            p.add_argument(
                "--party", action="store_true", help="with every companion not yet checked in"
            )
        kiosk_options(p)
        p.set_defaults(func=func)

    p = sub.add_parser("print", help="print a guest's badge to a PDF file or a printer")
    p.add_argument("code", help="the guest's access code")
    p.add_argument("--out", metavar="FILE", help="write the badge to this PDF file")
    p.add_argument(
        "--printer", metavar="NAME", help="this printer (default: the door's badge printer)"
    )
    p.add_argument(
        "--size",
        choices=list(LABEL_SIZES),
        help="the label (default: the door's): " + ", ".join(
            f"{key} = {size.name}" for key, size in LABEL_SIZES.items()),
    )  # fmt: skip
    kiosk_options(p)
    p.set_defaults(func=cmd_print)

    p = sub.add_parser("search", help="find guests by name, company, email or code")
    p.add_argument("text", help="part of a name, a company, an email or a code")
    p.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    p.add_argument("--json", action="store_true", help="one JSON array")
    kiosk_options(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser(
        "pair",
        help="show this door's pairing code, or join the event's doors with another's code",
    )
    p.add_argument(
        "code",
        nargs="?",
        help="the pairing code another door shows (without it: print this door's)",
    )
    p.add_argument(
        "--at",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="where this door listens, put into the code it prints (repeatable)",
    )
    encrypt_option(p, "with CODE, a new door")
    kiosk_options(p)
    p.set_defaults(func=cmd_pair)

    p = sub.add_parser("zone", help="who is inside per zone; or put this door's station in a zone")
    p.add_argument("name", nargs="?", help="the zone this door's station is in")
    p.add_argument("--capacity", type=int, help="with NAME: how many may be inside the zone")
    p.add_argument("--clear", action="store_true", help="no zone set here: the server's plan holds")
    kiosk_options(p)
    p.set_defaults(func=cmd_zone)

    p = sub.add_parser(
        "checkout-all", help="check out everyone inside, now or every day at a set time"
    )
    when = p.add_mutually_exclusive_group()
    when.add_argument("--now", action="store_true", help="everyone inside, now")
    when.add_argument("--at", metavar="HH:MM", help="every day at this time (a nightly reset)")
    when.add_argument("--off", action="store_true", help="no daily check-out any more")
    kiosk_options(p)
    p.set_defaults(func=cmd_checkout_all)

    p = sub.add_parser("wipe", help="delete this laptop's data of an event (privacy)")
    p.add_argument("--event", metavar="ID", help="event ID (default: the saved login's)")
    p.add_argument(
        "--force", action="store_true", help="wipe even if changes are still waiting to upload"
    )
    p.add_argument(
        "--after-days",
        type=float,
        metavar="N",
        help="instead of now: wipe automatically N days after the event ends",
    )
    p.add_argument("--data", metavar="DIR", type=Path, help="local data folder")
    p.set_defaults(func=cmd_wipe)

    admin = sub.add_parser("admin", help="manage the reference server's events").add_subparsers(
        dest="admin_command", metavar="ACTION", required=True
    )
    p = admin.add_parser("create-event", help="create an event; prints its ID")
    p.add_argument("name")
    p.add_argument("--company")
    p.add_argument("--id", help="choose the event ID (default: a new number)")
    p.add_argument("--start", help="start date-time, ISO 8601")
    p.add_argument("--end", help="end date-time, ISO 8601")
    server_db_options(p)
    p.set_defaults(func=cmd_admin_create_event)

    p = admin.add_parser("create-station", help="add a station (check-in configuration)")
    p.add_argument("event")
    p.add_argument("name")
    p.add_argument("--mode", choices=["checkIn", "toggle", "checkOut"], default="checkIn")
    p.add_argument("--segment")
    p.add_argument("--min-search", type=int, default=1)
    p.add_argument("--max-devices", type=int)
    p.add_argument(
        "--only-searched",
        action="store_true",
        help="show only searched guests, never the whole list",
    )
    p.add_argument("--pattern", help="regular expression every access code matches")
    p.add_argument("--app-code", help="choose the App Code (default: a new random one)")
    p.add_argument("--url", default="http://127.0.0.1:8470", help="server URL to print")
    p.add_argument("--qr", metavar="PNG", help="write the station's setup QR code here")
    server_db_options(p)
    p.set_defaults(func=cmd_admin_create_station)

    p = admin.add_parser(
        "zone", help="put stations in a zone and set capacities (docs/occupancy.md)"
    )
    p.add_argument("event")
    p.add_argument("name", nargs="?", help="the zone (none: only --event-capacity)")
    p.add_argument("--station", action="append", default=[], help="a station in it (repeat)")
    p.add_argument("--capacity", type=int, help="how many may be inside the zone at once")
    p.add_argument("--event-capacity", type=int, help="how many may be inside in all")
    p.add_argument("--remove", action="store_true", help="take the zone out of the plan")
    server_db_options(p)
    p.set_defaults(func=cmd_admin_zone)

    p = admin.add_parser(
        "attention", help="what a station's answer flags and tags (docs/protocol.md)"
    )
    p.add_argument("event")
    p.add_argument("station")
    p.add_argument("--rule", nargs=3, action="append", default=[],
                   metavar=("FIELD", "VALUE", "TEXT"),
                   help="a guest whose FIELD is VALUE gets TEXT (repeatable)")  # fmt: skip
    p.add_argument("--tag-field", action="append", default=[], metavar="FIELD",
                   help="a field shown as the guest's tags (repeat; replaces them)")  # fmt: skip
    p.add_argument("--clear", action="store_true", help="no rules and no tag fields")
    server_db_options(p)
    p.set_defaults(func=cmd_admin_attention)

    p = admin.add_parser("station-qr", help="print a station's login and its setup QR code")
    p.add_argument("event")
    p.add_argument("name")
    p.add_argument("--app-code", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--out", required=True, metavar="PNG")
    p.set_defaults(func=cmd_admin_station_qr)

    p = admin.add_parser("import-guests", help="import guests from a CSV file")
    p.add_argument("event")
    p.add_argument("csv")
    server_db_options(p)
    p.set_defaults(func=cmd_admin_import)

    for name, func in (
        ("delete-guest", cmd_admin_delete),
        ("deregister-guest", cmd_admin_deregister),
    ):
        p = admin.add_parser(name, help=f"{name.split('-')[0]} a guest by ID or access code")
        p.add_argument("event")
        p.add_argument("guest")
        server_db_options(p)
        p.set_defaults(func=func)

    p = admin.add_parser("reel", help="write a video of tickets shown on a phone (a demo camera)")
    p.add_argument("event")
    p.add_argument("--out", required=True, metavar="AVI")
    p.add_argument("--limit", type=int, default=10, help="how many tickets (default 10)")
    server_db_options(p)
    p.set_defaults(func=cmd_admin_reel)

    p = admin.add_parser("tickets", help="write QR tickets: a PNG per guest and a PDF")
    p.add_argument("event")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--limit", type=int, help="at most this many guests")
    server_db_options(p)
    p.set_defaults(func=cmd_admin_tickets)
    p = admin.add_parser(
        "calibration", help="write the keyboard calibration sheet for USB scanners (PNG or PDF)"
    )
    p.add_argument("--out", required=True, metavar="FILE", help="a .png or .pdf file")
    p.set_defaults(func=cmd_admin_calibration)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from doorcheck.logs import setup_logging

    setup_logging(logging.INFO if args.verbose else logging.WARNING)
    if not getattr(args, "func", None):
        if not _has_display():
            parser.print_help()
            return 2
        args = parser.parse_args(["kiosk"])  # plain `doorcheck` opens the kiosk
    from doorcheck.protocol.errors import StationError
    from doorcheck.session.errors import DoorError

    try:
        return int(args.func(args))
    except (CommandError, DoorError) as exc:
        print(f"doorcheck: {exc}", file=sys.stderr)
        return 1
    except StationError as exc:
        print(f"doorcheck: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        refusal = refusal_of_disk(exc)  # any command, at any step: said in one line
        if refusal is None:
            raise
        print(f"doorcheck: {refusal}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

__all__ = ["build_parser", "main"]
