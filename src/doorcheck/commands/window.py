"""The kiosk window, the demo and the screenshots."""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import threading
from pathlib import Path

from doorcheck.commands.camera import scan_with_camera
from doorcheck.commands.common import CommandError, kiosk_data_dir
from doorcheck.commands.door import print_check, print_logged_in, print_status, print_sync
from doorcheck.paths import safe_name


def cmd_demo(args: argparse.Namespace) -> int:
    """A station server with a demo event, and the kiosk window logged into it (or, with
    no display, a walk-through of two doors in the terminal)."""
    from doorcheck.domain.changes import Action
    from doorcheck.scan.synthetic import ticket_reel
    from doorcheck.server.demo import create_demo_event
    from doorcheck.server.serve import ServeOptions, open_repository, serve
    from doorcheck.server.tickets import write_tickets
    from doorcheck.session.door import open_door
    from doorcheck.session.login import LoginRequest, log_in

    work = Path(tempfile.mkdtemp(prefix="doorcheck-demo-"))
    db_url = f"sqlite:///{work / 'station.sqlite3'}"
    repository = open_repository(db_url)
    event_id, codes, guests = create_demo_event(repository, guests=args.guests)
    ticketed = repository.guests_for_tickets(event_id)
    repository.engine.dispose()
    ready = threading.Event()
    found: dict[str, str] = {}

    def on_listening(url: str) -> None:
        found["url"] = url
        ready.set()

    thread = threading.Thread(
        target=serve,
        args=(ServeOptions(db_url=db_url, port=args.port), on_listening),
        daemon=True,
    )
    thread.start()
    if not ready.wait(30):
        raise CommandError("the demo server did not start")
    url = found["url"]
    print(f"Station server with the demo event {event_id} on {url}")

    def folder(station: str) -> Path:
        return work / safe_name(station)

    def sync(station: str) -> None:
        with open_door(folder(station)) as door:
            print_sync(door.sync_once())

    def check_in(station: str, code: str) -> None:
        with open_door(folder(station)) as door:
            print_check(door.check(code, Action.CHECK_IN))

    for station in ("Main Entrance", "Side Door"):
        request = LoginRequest("station", url, codes[station], station, event_id,
                               encrypt=args.encrypt)  # fmt: skip
        print_logged_in(log_in(folder(station), request))
        sync(station)
    reel = work / "ticket-reel.avi"
    ticket_codes = [str(guest.access_code) for guest in ticketed if guest.access_code]
    if not args.headless and _has_display():
        ticket_reel(ticket_codes[:12], str(reel))
        camera = args.camera or str(reel)
        if args.camera:
            tickets = work / "tickets"
            write_tickets(ticketed[:12], "Winter Gala 2026", tickets)
            print(f"Opening the kiosk window with camera {args.camera}.")
            print(f"Show it a demo ticket from {tickets} (on a phone or printed).")
        else:
            print("Opening the kiosk window; its camera shows a reel of demo tickets.")
        from doorcheck.app import run_kiosk

        return run_kiosk(folder("Main Entrance"), camera=camera, seconds=args.seconds)
    registered = [g for g in guests if g.parent_id is None and g.registration_state == "registered"]
    first, second = (str(g.access_code) for g in registered[:2])
    print(f"\nMain Entrance scans {first}:")
    check_in("Main Entrance", first)
    print(f"Side Door syncs and scans the same ticket {first}:")
    sync("Side Door")
    check_in("Side Door", first)
    print(f"Side Door scans {second}:")
    check_in("Side Door", second)
    print("Side Door scans a ticket that is not on the list:")
    check_in("Side Door", "NOT-A-GUEST")
    ticket_reel(ticket_codes[:3], str(reel))
    print(f"Wrote a reel of {min(len(ticket_codes), 3)} tickets to {reel}.")
    print("Main Entrance's camera watches the reel (tickets shown on a phone):")
    with open_door(folder("Main Entrance")) as door:
        scan_with_camera(door, str(reel), once=True)
    print()
    with open_door(folder("Main Entrance")) as door:
        print_status(door.report())
    if args.exit:
        return 0
    print("\nThe server keeps running; try, in another terminal:")
    print(
        f"  doorcheck login --server {url} --event {event_id} --key {codes['Exit']} "
        f"--station Exit --data {work / 'mine'}"
    )
    print("Press Ctrl+C to stop.")
    with contextlib.suppress(KeyboardInterrupt):
        thread.join()
    return 0


def _has_display() -> bool:
    """A window can be shown: not a Linux box without X or Wayland (or offscreen Qt)."""
    import os

    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_kiosk(args: argparse.Namespace) -> int:
    """The kiosk window for the saved login (the login screen first if there is none)."""
    from doorcheck.app import run_kiosk

    return run_kiosk(
        kiosk_data_dir(args),
        camera=args.camera,
        lock=args.lock,
        self_check_in=args.self_check_in,
        exit_when_ready=args.exit_when_ready,
    )


def cmd_screenshots(args: argparse.Namespace) -> int:
    """Render the kiosk's screens in their main states to PNG files (offscreen)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from doorcheck.ui.screenshots import render_all

    for path in render_all(Path(args.out), language=args.language):
        print(path)
    return 0
