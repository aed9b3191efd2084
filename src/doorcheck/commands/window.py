"""The kiosk window, the demo and the screenshots; the login screen's helpers."""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from doorcheck.commands.common import CommandError, kiosk_data_dir
from doorcheck.paths import safe_name
from doorcheck.words import Phrase, phrase


def cmd_demo(args: argparse.Namespace) -> int:
    """A station server with a demo event, and the kiosk window logged into it (or, with
    no display, a walk-through of two doors in the terminal)."""
    from doorcheck.station.server.demo import create_demo_event
    from doorcheck.station.server.serve import ServeOptions, open_repository, serve

    work = Path(tempfile.mkdtemp(prefix="doorcheck-demo-"))
    db_url = f"sqlite:///{work / 'station.sqlite3'}"
    repository = open_repository(db_url)
    event_id, codes, guests = create_demo_event(repository, guests=args.guests)
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

    def door(station: str, *command: str) -> None:
        """A command as a steward would type it, at the given door."""
        data = str(work / safe_name(station))
        args = build_parser().parse_args([*command, "--data", data])
        args.func(args)

    for station in ("Main Entrance", "Side Door"):
        login = ["login", "--server", url, "--event", event_id, "--key", codes[station]]
        door(station, *login, "--station", station)
        door(station, "sync")
    if not args.headless and _has_display():
        return _demo_window(args, work, event_id, safe_name("Main Entrance"))
    registered = [g for g in guests if g.parent_id is None and g.registration_state == "registered"]
    first, second = (str(g.access_code) for g in registered[:2])
    print(f"\nMain Entrance scans {first}:")
    door("Main Entrance", "checkin", first)
    print(f"Side Door syncs and scans the same ticket {first}:")
    door("Side Door", "sync")
    door("Side Door", "checkin", first)
    print(f"Side Door scans {second}:")
    door("Side Door", "checkin", second)
    print("Side Door scans a ticket that is not on the list:")
    door("Side Door", "checkin", "NOT-A-GUEST")
    reel = work / "ticket-reel.avi"
    admin = build_parser().parse_args(
        ["admin", "reel", event_id, "--out", str(reel), "--limit", "3", "--data", str(work)]
    )
    admin.func(admin)
    print("Main Entrance's camera watches the reel (tickets shown on a phone):")
    door("Main Entrance", "scan", "--camera", str(reel), "--once")
    print()
    door("Main Entrance", "status")
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


def _demo_window(args: argparse.Namespace, work: Path, event_id: str, station: str) -> int:
    """The kiosk window at Main Entrance, its camera a reel of demo tickets."""
    reel = work / "ticket-reel.avi"
    admin = build_parser().parse_args(
        ["admin", "reel", event_id, "--out", str(reel), "--limit", "12", "--data", str(work)]
    )
    admin.func(admin)
    camera = args.camera or str(reel)
    if args.camera:
        tickets = work / "tickets"
        printed = build_parser().parse_args(
            [
                "admin",
                "tickets",
                event_id,
                "--out",
                str(tickets),
                "--limit",
                "12",
                "--data",
                str(work),
            ]
        )
        printed.func(printed)
        print(f"Opening the kiosk window with camera {args.camera}.")
        print(f"Show it a demo ticket from {tickets} (on a phone or printed).")
    else:
        print("Opening the kiosk window; its camera shows a reel of demo tickets.")
    kiosk_args = build_parser().parse_args(
        ["kiosk", "--camera", camera, "--data", str(work / station)]
    )
    kiosk_args.seconds = args.seconds
    return cmd_kiosk(kiosk_args)


def login_and_sync(
    data_dir: Path, source: str, address: str, event: str, key: str, station: str
) -> None:
    """What the login screen does: log in (or load the file), remember the login,
    fetch the guest list."""
    from doorcheck.station.errors import StationError

    base = ["--data", str(data_dir)]
    if source == "spreadsheet":
        steps = [["import", address, "--station", station, *base]]
    else:
        app_key = ""
        if source == "eventbrite-legacy":  # the application key, then the user key
            app_key, _, key = key.partition("\n")
        login = ["login", "--source", source, "--server", address, "--key", key,
                 "--station", station]  # fmt: skip
        if app_key:
            login += ["--app-key", app_key]
        if event:
            login += ["--event", event]
        steps = [[*login, *base], ["sync", *base]]
    try:
        for argv in steps:
            args = build_parser().parse_args(argv)
            args.func(args)
    except CommandError as exc:
        raise StationError(exc.words) from exc


def preview_file(path: str) -> list[str | Phrase]:
    """The login screen's preview of a guest list file, a line each: in English as
    ``str()`` of each line, in the window's language through ``ui.i18n.say``."""
    from doorcheck.connectors.eventbrite_legacy import LegacyXmlFile
    from doorcheck.connectors.spreadsheet import FIELDS, SpreadsheetError, load_file
    from doorcheck.sync.connector import SourceError

    file = Path(path)
    try:
        if file.suffix.lower() == ".xml":
            count = sum(len(batch) for batch in LegacyXmlFile(file).full_load())
            return [
                phrase(
                    "{file}: {count} tickets from an Eventbrite attendee list.",
                    file=file.name, count=count,
                )
            ]  # fmt: skip
        sheet = load_file(file)
    except SpreadsheetError as exc:
        return [exc.phrase]
    except SourceError as exc:
        return [exc.words]
    columns = ", ".join(
        f"{name} = {sheet.table.headers[column]!r}"
        for name, column in sorted(sheet.mapping.items(), key=lambda item: FIELDS.index(item[0]))
    )
    count = len(sheet.guests)
    found = (
        phrase("{file}: 1 guest ({columns}).", file=file.name, columns=columns)
        if count == 1
        else phrase("{file}: {count} guests ({columns}).", file=file.name, count=count,
                    columns=columns)
    )  # fmt: skip
    lines: list[str | Phrase] = [found, *sheet.problems()]
    for guest in sheet.guests[:3]:
        fields = guest["fields"]
        name = " ".join(fields.get(key, "") for key in ("firstName", "lastName")).strip()
        lines.append(f"  {guest['accessCode'] or '-'}  {name}")
    return lines


def _login_screen(app: Any, data_dir: Path, camera: str) -> Any:
    from doorcheck.scan.sources import open_frames
    from doorcheck.store.credentials import load_login
    from doorcheck.ui.camera_bridge import CameraBridge
    from doorcheck.ui.login_dialog import LoginDialog
    from doorcheck.ui.scanner_keys import ScannerKeyFilter

    dialog = LoginDialog(
        lambda *values: login_and_sync(data_dir, *values),
        camera=lambda: CameraBridge(lambda: open_frames(camera)),
        preview=preview_file,
    )
    keys = ScannerKeyFilter()  # a USB scanner reads the station's setup code
    keys.scanned.connect(dialog.fill_from_setup)
    app.installEventFilter(keys)
    try:
        accepted = dialog.exec()
    finally:
        app.removeEventFilter(keys)
    return load_login(data_dir) if accepted else None


def cmd_kiosk(args: argparse.Namespace) -> int:
    """The kiosk window for the saved login (the login screen first if there is none)."""
    from importlib import resources

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from doorcheck.app import build_kiosk, start
    from doorcheck.settings import KioskSettings
    from doorcheck.store.credentials import load_login
    from doorcheck.ui.i18n import install_language

    data_dir = kiosk_data_dir(args)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    settings = KioskSettings.load(data_dir)
    if settings.problem:
        print(f"warning: {settings.problem}", file=sys.stderr)
    install_language(app, settings.language)
    app.setWindowIcon(QIcon(str(resources.files("doorcheck.resources") / "icon.png")))
    if args.exit_when_ready:
        # For the start-up benchmark: the first window is up and idle, say so and go.
        def ready() -> None:
            print("ready", flush=True)
            modal = QApplication.activeModalWidget()
            if modal is not None:
                modal.close()
            app.quit()

        QTimer.singleShot(0, ready)
    saved = load_login(data_dir)
    if saved is None:
        saved = _login_screen(app, data_dir, args.camera or settings.camera)
        if saved is None:
            return 0 if args.exit_when_ready else 1  # the steward closed the login screen
    login, secret = saved
    kiosk = build_kiosk(
        app,
        data_dir,
        login,
        secret,
        args.camera,
        settings=settings,
        self_check_in=args.self_check_in,
    )
    start(kiosk)
    kiosk.window.show()
    # The guest-facing kiosk starts locked; staff choose a PIN first if none is set.
    if (args.lock or args.self_check_in) and not kiosk.window.lock():
        kiosk.stop()
        return 1
    if getattr(args, "seconds", None):
        QTimer.singleShot(int(args.seconds * 1000), app.quit)
    try:
        code = int(app.exec())
    finally:
        kiosk.stop()
    if kiosk.wiped:
        print("This event's data was wiped from the laptop; log in again to use the door.")
    return code


def cmd_screenshots(args: argparse.Namespace) -> int:
    """Render the kiosk's screens in their main states to PNG files (offscreen)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from doorcheck.ui.screenshots import render_all

    for path in render_all(Path(args.out), language=args.language):
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The whole parser (the demo and the login screen run other commands): imported
    here, when called, because the parser imports these commands."""
    from doorcheck.cli import build_parser as whole

    return whole()
