"""The ``doorcheck`` command and its subcommands."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import logging
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from doorcheck import __version__
from doorcheck.domain.verdict import Mode
from doorcheck.paths import safe_name, store_path

if TYPE_CHECKING:
    from doorcheck.services.checkin import CheckInService
    from doorcheck.store.credentials import SavedLogin

log = logging.getLogger("doorcheck")


class CommandError(Exception):
    """A failure to report in one line, with exit status 1."""


# -- shared option groups ------------------------------------------------------------


def _kiosk_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("station login (default: the saved login)")
    group.add_argument("--server", metavar="URL", help="station server URL")
    group.add_argument("--event", metavar="ID", help="event ID")
    group.add_argument("--key", metavar="CODE", help="the station's App Code")
    group.add_argument("--station", metavar="NAME", help="station name")
    parser.add_argument("--data", metavar="DIR", type=Path, help="local data folder")


def _server_db_options(parser: argparse.ArgumentParser) -> None:
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
    from doorcheck.station.server.db import sqlite_url
    from doorcheck.station.server.serve import default_data_dir

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


# -- the headless kiosk --------------------------------------------------------------


class Door:
    """A headless kiosk: the saved login, a client and the local store, wired."""

    def __init__(
        self,
        data_dir: Path,
        *,
        server: str,
        event_id: str,
        station: str,
        app_code: str,
        device_id: str | None,
    ) -> None:
        from doorcheck.station.client import Credentials, StationClient
        from doorcheck.station.writer import ChangeWriter, StationChangeWriter
        from doorcheck.store.credentials import is_file_source, private_dir
        from doorcheck.store.local import LocalStore
        from doorcheck.sync.source_sync import LocalListWriter
        from doorcheck.sync.sources import source_of

        self.data_dir = private_dir(data_dir)
        self.station = station
        self.saved: SavedLogin | None = None
        self.client = StationClient(
            server, Credentials(event_id, app_code, station), device_id=device_id
        )
        self.event_id = event_id
        self.store = LocalStore.open(store_path(self.data_dir, event_id, station))
        self.file_source = is_file_source(server)  # a spreadsheet: no server to upload to
        self.source = source_of(server)
        # Only a station takes check-ins; elsewhere they are applied here and exported.
        self.writer: ChangeWriter = (
            StationChangeWriter(self.client)
            if self.source == "station"
            else LocalListWriter(self.store)
        )

    def service(self) -> CheckInService:
        from doorcheck.services.checkin import CheckInService

        event = json.loads(self.store.get_state("event") or "{}")
        config = event.get("configuration") or {}
        return CheckInService(
            self.store,
            self.station,
            Mode(self.store.get_state("mode") or Mode.CHECK_IN.value),
            access_code_pattern=config.get("accessCodePattern"),
        )

    def remember_session(self) -> None:
        """Keep a renewed session token for the next command (saved logins only)."""
        from doorcheck.store.credentials import save_session_token

        if self.saved is not None and self.client.session_token:
            save_session_token(self.data_dir, self.saved, self.client.session_token)

    def close(self) -> None:
        self.store.close()
        self.client.close()


def open_door(args: argparse.Namespace) -> Door:
    from doorcheck.services.privacy import wipe_expired
    from doorcheck.store.credentials import load_login, load_session_token

    data_dir = kiosk_data_dir(args)
    for wiped in wipe_expired(data_dir):
        print(
            f"doorcheck: wiped the local data of event {wiped} (its wipe time had come)",
            file=sys.stderr,
        )
    given = [args.server, args.event, args.key, args.station]
    if all(given):
        return Door(
            data_dir,
            server=args.server,
            event_id=args.event,
            station=args.station,
            app_code=args.key,
            device_id=None,
        )
    if any(given):
        raise CommandError("give all of --server, --event, --key and --station, or none")
    saved = load_login(data_dir)
    if saved is None:
        raise CommandError(f"not logged in: run 'doorcheck login' first (data folder {data_dir})")
    login, secret = saved
    door = Door(
        data_dir,
        server=login.server,
        event_id=login.event_id,
        station=login.station_name,
        app_code=secret,
        device_id=login.device_id,
    )
    door.saved = login
    token = load_session_token(data_dir, login)
    if token:
        door.client.adopt_session(token)
    return door


def cmd_login(args: argparse.Namespace) -> int:
    from doorcheck.store.credentials import load_login, save_login, save_session_token
    from doorcheck.sync.engine import measure_skew

    if args.source == "xing":
        return _login_xing(args)
    if args.source == "eventbrite":
        return _login_eventbrite(args)
    if args.source == "eventbrite-legacy":
        return _login_eventbrite_legacy(args)
    if not all([args.server, args.event, args.key, args.station]):
        raise CommandError("login needs --server, --event, --key and --station")
    door = open_door(args)
    try:
        # The same laptop keeps its device ID, so logging in again replaces its own
        # session instead of taking another place under the station's device limit.
        earlier = load_login(door.data_dir)
        device_id = earlier[0].device_id if earlier else str(uuid.uuid4())
        door.client.device_id = device_id
        result = door.client.login()
        saved = save_login(
            door.data_dir, args.server, args.event, result.station_name, args.key, device_id
        )
        save_session_token(door.data_dir, saved, result.session_token)
        door.store.set_state("event", json.dumps(result.event.raw))
        door.store.set_state("mode", result.event.configuration.mode.value)
        measure_skew(door.store, door.client)
    finally:
        door.close()
    config = result.event.configuration
    print(
        f"Logged in to {result.event.name!r} (event {result.event.id}) "
        f"as station {result.station_name!r}, mode {config.mode.value}."
    )
    return 0


def _login_xing(args: argparse.Namespace) -> int:
    """XING Events: the feed's URL and the API key (kept like an App Code); --event
    limits the door to one event's tickets."""
    from doorcheck.store.credentials import save_login
    from doorcheck.sync.sources import XING, XING2

    if not (args.server and args.key):
        raise CommandError("a XING Events login needs --server (the API's URL) and --key")
    station = args.station or "Main Entrance"
    prefix = XING2 if args.v2 else XING
    save_login(kiosk_data_dir(args), prefix + args.server, args.event or "", station, args.key)
    print(f"Saved the XING Events login for station {station!r}; "
          "`doorcheck sync` loads the guests.")  # fmt: skip
    return 0


def _login_eventbrite(args: argparse.Namespace) -> int:
    """Eventbrite: the private token and the event (see `doorcheck eventbrite-events`)."""
    from doorcheck.connectors.eventbrite import DEFAULT_URL
    from doorcheck.store.credentials import save_login
    from doorcheck.sync.sources import EVENTBRITE

    if not (args.key and args.event):
        raise CommandError("an Eventbrite login needs --key (the private token) and --event")
    station = args.station or "Main Entrance"
    server = EVENTBRITE + (args.server or DEFAULT_URL)
    save_login(kiosk_data_dir(args), server, args.event, station, args.key)
    print(f"Saved the Eventbrite login for event {args.event}, station {station!r}; "
          "`doorcheck sync` loads the attendees.")  # fmt: skip
    return 0


def _login_eventbrite_legacy(args: argparse.Namespace) -> int:
    """Eventbrite's legacy XML API: the application key, the user key, the event."""
    from doorcheck.connectors.eventbrite_legacy import DEFAULT_URL
    from doorcheck.store.credentials import save_login
    from doorcheck.sync.sources import EVENTBRITE_LEGACY

    if not (args.app_key and args.key and args.event):
        raise CommandError("the legacy Eventbrite API needs --app-key, --key (user key), --event")
    station = args.station or "Main Entrance"
    server = EVENTBRITE_LEGACY + (args.server or DEFAULT_URL)
    save_login(kiosk_data_dir(args), server, args.event, station, f"{args.app_key}\n{args.key}")
    print(f"Saved the legacy Eventbrite login for event {args.event}, station {station!r}.")
    return 0


def cmd_eventbrite_events(args: argparse.Namespace) -> int:
    """The organization's live and upcoming events, to pick the one for the door."""
    from doorcheck.connectors.eventbrite import (
        DEFAULT_URL,
        EventbriteConnector,
        EventbriteSettings,
    )
    from doorcheck.sync.connector import SourceError

    connector = EventbriteConnector(EventbriteSettings(args.key, "", args.server or DEFAULT_URL))
    try:
        events = connector.events(args.organization)
    except SourceError as exc:
        raise CommandError(exc.message) from exc
    finally:
        connector.close()
    for event in events:
        print(f"{event.id}  {event.start:<20}  {event.status:<8}  {event.name}")
    if not events:
        print("No live or upcoming events in this organization.")
    return 0


def _sync_source(door: Door) -> int:
    """One round with a source other than a station: news from the source in,
    this door's changes applied to its own copy."""
    from doorcheck.sync.source_sync import SourceSync
    from doorcheck.sync.sources import connector_for, is_remote

    assert door.saved is not None
    connector = connector_for(door.saved, door.client.credentials.app_code)
    assert connector is not None
    engine = SourceSync(door.store, connector, remote=is_remote(door.saved.server))
    report = engine.run_once()
    if report is None:
        raise CommandError(engine.status.last_error or "the guest source failed")
    status = door.store.status()
    print(f"Synced from {connector.name}: {plural(report.guests_received, 'guest')} received; "
          f"{status.checked_in} of {status.guests} guests checked in.")  # fmt: skip
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from doorcheck.sync.engine import sync_once

    if args.watch:
        return _watch(args)
    if args.source:  # log into that source first, then sync from it
        cmd_login(args)
        args.server = args.event = args.key = args.station = None  # the saved login now
    door = open_door(args)
    if door.source != "station":
        try:
            return _sync_source(door)
        finally:
            door.close()
    try:
        report = sync_once(door.store, door.client, door.writer)
        door.remember_session()
        status = door.store.status()
    finally:
        door.close()
    kind = "full list" if report.full else "changes"
    print(
        f"Synced ({kind}): {plural(report.guests_received, 'guest')} received, "
        f"{plural(report.uploaded, 'change')} uploaded ({plural(report.conflicts, 'conflict')}, "
        f"{report.rejected} rejected); {status.checked_in} of {status.guests} guests checked in."
    )
    return 0


def _watch(args: argparse.Namespace) -> int:
    """Keep the door in step until Ctrl+C: the sync engine's thread, its states shown."""
    from doorcheck.sync.engine import SyncEngine, SyncReport, SyncStatus

    door = open_door(args)
    shown: list[bool | None] = [None]

    def on_status(status: SyncStatus) -> None:
        if status.online != shown[0]:
            shown[0] = status.online
            when = datetime.now().strftime("%H:%M:%S")
            if status.online:
                print(f"{when} online", flush=True)
            else:
                print(f"{when} OFFLINE: {status.last_error} (the door works on)", flush=True)

    def on_report(report: SyncReport) -> None:
        if report.guests_received or report.uploaded:
            when = datetime.now().strftime("%H:%M:%S")
            print(
                f"{when} {plural(report.guests_received, 'guest')} received, "
                f"{plural(report.uploaded, 'change')} uploaded",
                flush=True,
            )

    engine = SyncEngine(
        door.store,
        door.client,
        door.writer,
        interval=args.interval,
        on_status=on_status,
        on_report=on_report,
    )
    engine.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        engine.stop()
        door.remember_session()
        door.close()
    return 0


def _check(args: argparse.Namespace, requested_action: str) -> int:
    from doorcheck.domain.changes import Action
    from doorcheck.station.errors import StationError
    from doorcheck.sync.engine import push_pending

    door = open_door(args)
    try:
        if door.store.get_state("cursor") is None:
            raise CommandError("no guest list yet: run 'doorcheck sync' first")
        outcome = door.service().scan(args.code, "manual", Action(requested_action))
        if outcome.code is None:
            raise CommandError(f"not a valid ticket code: {outcome.problem}")
        label = outcome.verdict.kind.name.replace("_", " ")
        if not outcome.nonces:
            print(f"{label}: {outcome.headline}")
            return 1
        try:
            push_pending(door.store, door.writer)
            upload = "uploaded" if door.source == "station" else "recorded"
        except StationError as exc:
            upload = f"queued, will upload later ({exc.message})"
        door.remember_session()
    finally:
        door.close()
    print(f"{label}: {outcome.headline} [{upload}]")
    return 0


def cmd_checkin(args: argparse.Namespace) -> int:
    return _check(args, "checkIn")


def cmd_checkout(args: argparse.Namespace) -> int:
    return _check(args, "checkOut")


def cmd_status(args: argparse.Namespace) -> int:
    door = open_door(args)
    try:
        status = door.store.status()
        event = json.loads(door.store.get_state("event") or "{}")
        changes = (
            door.store.changes(("pending", "sent", "conflict", "rejected")) if args.changes else []
        )
        online = None if args.local or door.source != "station" else _probe_online(door)
        source = door.client.base_url.removeprefix("file:") if door.file_source else None
    finally:
        door.close()
    if args.json:
        payload = status.__dict__ | {
            "event": event.get("name"),
            "station": door.station,
            "online": online,
        }
        if args.changes:
            payload["changes"] = [c.__dict__ for c in changes]
        print(json.dumps(payload))
        return 0
    print(f"Event:           {event.get('name', '?')} ({event.get('id', '?')})")
    print(f"Station:         {door.station}")
    if source is not None:
        print(f"Guest list:      {source} (no server: check-ins stay here; export them)")
    if online is not None:
        reach = "online" if online else "OFFLINE (the door works on; changes wait)"
        print(f"Server:          {reach}")
    print(f"Guests:          {status.guests}")
    print(f"Checked in:      {status.checked_in} of {status.guests}")
    print(f"Waiting uploads: {status.pending}")
    print(f"Conflicts:       {status.conflicts}")
    print(f"Rejected:        {status.rejected}")
    print(f"Last sync:       {local_time(status.last_sync)}")
    if status.last_error:
        print(f"Last error:      {status.last_error}")
    skew = status.clock_skew_seconds
    if skew is not None and abs(skew) > 60:
        ahead = "ahead of" if skew > 0 else "behind"
        print(f"Clock:           this laptop is {abs(skew) / 60:.0f} min {ahead} the server")
    for change in changes:
        note = change.message or change.last_error or ""
        print(
            f"  {change.state:<9} {change.action:<9} {change.guest_name:<30} "
            f"{local_time(change.door_time)}  {note}"
        )
    return 0


def _probe_online(door: Door) -> bool:
    """Online means the server answers now; one login, with short timeouts, tells."""
    import httpx

    from doorcheck.station.errors import StationError, TransportError

    door.client.timeout = httpx.Timeout(3.0)
    try:
        door.client.login()
    except TransportError:
        return False
    except StationError:
        return True  # it answered, if only to refuse
    door.remember_session()
    return True


def cmd_wipe(args: argparse.Namespace) -> int:
    """Delete this laptop's copy of an event's guests, changes and scans."""
    from doorcheck.services.privacy import WIPE_AFTER_DAYS, WipeRefusedError, wipe_event
    from doorcheck.store.credentials import load_login
    from doorcheck.store.local import LocalStore

    data_dir = kiosk_data_dir(args)
    saved = load_login(data_dir)
    event_id = args.event or (saved[0].event_id if saved else None)
    if event_id is None:
        raise CommandError("which event? give --event ID (no saved login)")
    if args.after_days is not None:
        if saved is None or saved[0].event_id != event_id:
            raise CommandError("--after-days applies to the saved login's event")
        store = LocalStore.open(store_path(data_dir, event_id, saved[0].station_name))
        try:
            store.set_setting(WIPE_AFTER_DAYS, str(args.after_days))
        finally:
            store.close()
        print(f"Event {event_id} will be wiped {args.after_days:g} days after it ends.")
        return 0
    try:
        removed = wipe_event(data_dir, event_id, force=args.force)
    except WipeRefusedError as exc:
        raise CommandError(str(exc)) from exc
    print(f"Wiped event {event_id}: {removed} files removed.")
    return 0


# -- the server ----------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    from doorcheck.station.server.serve import ServeOptions, open_repository, serve

    db_url = server_db_url(args, temporary=args.demo)
    extra: dict[str, str] = {}
    details: list[str] = []
    if args.demo:
        from doorcheck.station.server.demo import create_demo_event

        repository = open_repository(db_url)
        event_id, codes, _ = create_demo_event(repository, guests=args.guests)
        repository.engine.dispose()
        extra = {
            "eventId": event_id,
            "apiKey": codes["Main Entrance"],
            "stationName": "Main Entrance",
        }
        details = [f"  {name:<14} App Code {code}" for name, code in codes.items()]

    def on_listening(url: str) -> None:
        if args.json:
            sys.stdout.write(json.dumps({"url": url, **extra}) + "\n")
        else:
            print(f"doorcheck station server on {url}  (Ctrl+C stops it)")
            if args.demo:
                print(f"Demo event ID {extra['eventId']}; stations:")
                print("\n".join(details))
                print(
                    f"Log in:  doorcheck login --server {url} --event {extra['eventId']} "
                    f"--key {extra['apiKey']} --station 'Main Entrance'"
                )
        sys.stdout.flush()

    options = ServeOptions(
        db_url=db_url,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info" if args.verbose else "warning",
    )
    if args.token_lifetime:
        options.token_lifetime = timedelta(seconds=args.token_lifetime)
    serve(options, on_listening)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Until the kiosk window exists: a server with a demo event and a headless door."""
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


def cmd_cameras(args: argparse.Namespace) -> int:
    from doorcheck.scan.sources import list_cameras

    cameras = list_cameras()
    if not cameras:
        raise CommandError("no camera found (is one plugged in, and allowed for this program?)")
    for camera in cameras:
        print(f"{camera.index}: {camera.name}")
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    """A headless door with a camera: verdicts printed, syncing in the background."""
    from doorcheck.scan.scanner import CameraScanner, ScanEvent
    from doorcheck.scan.sources import SourceError, open_frames
    from doorcheck.settings import KioskSettings
    from doorcheck.sync.engine import SyncEngine

    door = open_door(args)
    settings = KioskSettings.load(door.data_dir)
    if args.camera is None:
        args.camera = settings.camera
    elif args.camera != settings.camera:
        settings.camera = args.camera  # remembered for next time, as the settings screen does
        settings.save(door.data_dir)
    engine = SyncEngine(door.store, door.client, door.writer)
    service = door.service()
    service.on_change = engine.nudge
    finished = threading.Event()

    def on_scan(event: ScanEvent) -> None:
        outcome = service.scan(event.payload, event.source)
        label = outcome.verdict.kind.name.replace("_", " ")
        print(f"{datetime.now():%H:%M:%S} {label}: {outcome.headline}", flush=True)

    shown: list[str | None] = [None]

    def on_problem(message: str | None) -> None:
        # Said once, not every second while the scanner keeps trying the camera.
        if message != shown[0]:
            shown[0] = message
            note = message or "pictures are coming again"
            print(f"{datetime.now():%H:%M:%S} CAMERA: {note}", file=sys.stderr, flush=True)

    def frames() -> Iterator[Any]:
        yield from open_frames(args.camera, loop=not args.once)
        finished.set()

    try:
        open_frames(args.camera, loop=False)  # fail now, in words, on a wrong path
    except SourceError as exc:
        door.close()
        raise CommandError(str(exc)) from exc
    scanner = CameraScanner(frames, on_scan, on_problem=on_problem)
    engine.start()
    scanner.start()
    try:
        while not finished.wait(0.5):
            pass
        time.sleep(1.0)  # let the last frames be decoded
    except KeyboardInterrupt:
        pass
    finally:
        scanner.stop()
        engine.run_once()  # upload what the camera admitted
        engine.stop()
        door.remember_session()
        door.close()
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
        raise StationError(str(exc)) from exc


def preview_file(path: str) -> str:
    """The login screen's preview of a guest list file, in a few lines."""
    from doorcheck.connectors.eventbrite_legacy import LegacyXmlFile
    from doorcheck.connectors.spreadsheet import FIELDS, SpreadsheetError, load_file
    from doorcheck.sync.connector import SourceError

    file = Path(path)
    try:
        if file.suffix.lower() == ".xml":
            count = sum(len(batch) for batch in LegacyXmlFile(file).full_load())
            return f"{file.name}: {count} tickets from an Eventbrite attendee list."
        sheet = load_file(file)
    except SpreadsheetError as exc:
        return str(exc)
    except SourceError as exc:
        return exc.message
    columns = ", ".join(
        f"{name} = {sheet.table.headers[column]!r}"
        for name, column in sorted(sheet.mapping.items(), key=lambda item: FIELDS.index(item[0]))
    )
    lines = [f"{file.name}: {plural(len(sheet.guests), 'guest')} ({columns})."]
    lines += sheet.problems()
    for guest in sheet.guests[:3]:
        fields = guest["fields"]
        name = " ".join(fields.get(key, "") for key in ("firstName", "lastName")).strip()
        lines.append(f"  {guest['accessCode'] or '-'}  {name}")
    return "\n".join(lines)


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


# -- decoding ------------------------------------------------------------------------


def cmd_decode(args: argparse.Namespace) -> int:
    """Why won't this ticket scan? Decode images and videos as the kiosk would."""
    from doorcheck.scan.decoder import DEFAULT_FORMATS, DecodedCode, Decoder
    from doorcheck.scan.sources import SourceError, is_video, read_image, video_frames

    formats = args.formats.split(",") if args.formats else list(DEFAULT_FORMATS)
    try:
        decoder = Decoder(formats)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    any_code = False
    for name in args.files:
        path = Path(name)
        codes: list[DecodedCode] = []
        error = None
        try:
            if is_video(path):
                seen: set[tuple[str, str]] = set()
                for index, frame in enumerate(video_frames(path)):
                    for code in decoder.decode(frame, retry=index):
                        if (code.format, code.text) not in seen:
                            seen.add((code.format, code.text))
                            codes.append(code)
            else:
                codes = decoder.decode(read_image(path))
        except SourceError as exc:
            error = str(exc)
        any_code = any_code or bool(codes)
        if args.json:
            line: dict[str, object] = {"file": name, "codes": [c.as_json() for c in codes]}
            if error:
                line["error"] = error
            print(json.dumps(line, ensure_ascii=False))
        elif error:
            print(error, file=sys.stderr)
        elif not codes:
            print(f"{name}: no code found", file=sys.stderr)
        else:
            for code in codes:
                print(f"{name}: {code.format}: {code.text!r}"[:10_000])
    return 0 if any_code else 1


# -- administration ------------------------------------------------------------------


def _admin_repository(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from doorcheck.station.server.serve import open_repository

    return open_repository(server_db_url(args))


def cmd_admin_create_event(args: argparse.Namespace) -> int:
    from doorcheck.domain.timeutil import parse_datetime

    repo = _admin_repository(args)
    event_id = repo.create_event(
        args.name,
        company=args.company,
        event_id=args.id,
        start=parse_datetime(args.start),
        end=parse_datetime(args.end),
    )
    print(event_id)
    return 0


def cmd_admin_create_station(args: argparse.Namespace) -> int:
    from doorcheck.station.server.tickets import qr_image, setup_payload
    from doorcheck.station.wire import StationMode

    repo = _admin_repository(args)
    try:
        station = repo.create_station(
            args.event,
            args.name,
            app_code=args.app_code,
            mode=StationMode(args.mode),
            segment=args.segment,
            min_search_length=args.min_search,
            max_devices=args.max_devices,
            show_all_guests=not args.only_searched,
            access_code_pattern=args.pattern,
        )
    except KeyError as exc:
        raise CommandError(f"event {args.event} does not exist") from exc
    _print_station(station.event_id, station.name, station.app_code, args.url)
    if args.qr:
        qr_image(setup_payload(args.url, station.event_id, station.app_code, station.name)).save(
            args.qr
        )
        print(f"Setup QR code:   {args.qr}")
    return 0


def _print_station(event_id: str, name: str, app_code: str, url: str) -> None:
    print(f"Server URL:      {url}")
    print(f"Event ID:        {event_id}")
    print(f"Station name:    {name}")
    print(f"App Code:        {app_code}   (shown once; stored hashed)")


def cmd_admin_station_qr(args: argparse.Namespace) -> int:
    from doorcheck.station.server.tickets import qr_image, setup_payload

    _print_station(args.event, args.name, args.app_code, args.url)
    qr_image(setup_payload(args.url, args.event, args.app_code, args.name)).save(args.out)
    print(f"Setup QR code:   {args.out}")
    return 0


CSV_COLUMNS = {
    "accesscode": "accessCode",
    "code": "accessCode",
    "firstname": "firstName",
    "lastname": "lastName",
    "company": "company",
    "email": "email",
    "salutation": "salutation",
    "notes": "notes",
    "segment": "segment",
    "registrationstate": "registrationState",
    "highlightcolor": "highlightColor",
    "id": "id",
    "parentid": "parentId",
}


def cmd_admin_import(args: argparse.Namespace) -> int:
    from doorcheck.domain.guest import RegistrationState
    from doorcheck.station.server.repository import GuestInput

    repo = _admin_repository(args)
    if repo.event_summary(args.event) is None:
        raise CommandError(f"event {args.event} does not exist")
    try:
        handle = Path(args.csv).open(encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as exc:
        raise CommandError(f"cannot read {args.csv}: {exc.strerror}") from exc
    with handle:
        sample = handle.read(4096)
        handle.seek(0)
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t")
        except csv.Error:
            dialect = csv.excel
        new: list[GuestInput] = []
        seen: set[str] = set()
        for line, raw in enumerate(csv.DictReader(handle, dialect=dialect), start=2):
            fields: dict[str, object] = {}
            known: dict[str, str] = {}
            for column, value in raw.items():
                if column is None:
                    continue
                key = CSV_COLUMNS.get(column.strip().replace("_", "").replace(" ", "").lower())
                text = (value or "").strip()
                if key in (
                    "accessCode",
                    "segment",
                    "registrationState",
                    "highlightColor",
                    "id",
                    "parentId",
                ):
                    known[key] = text
                elif text:
                    fields[key or column.strip()] = text
            code = known.get("accessCode") or None
            if code and code in seen:
                raise CommandError(f"line {line}: access code {code!r} appears twice")
            if code:
                seen.add(code)
            guest = GuestInput(
                fields=fields,
                access_code=code,
                registration_state=RegistrationState.parse(
                    known.get("registrationState") or "registered"
                ),
                highlight_color=known.get("highlightColor") or None,
                segments=[known["segment"]] if known.get("segment") else [],
                parent_id=known.get("parentId") or None,
            )
            if known.get("id"):
                guest.id = known["id"]
            new.append(guest)
    count = repo.add_guests(args.event, new)
    print(f"Imported {count} guests into event {args.event}.")
    return 0


def _admin_guest_op(args: argparse.Namespace, op: Callable[..., bool], label: str) -> int:
    repo = _admin_repository(args)
    guest_id = repo.find_guest_id(args.event, args.guest)
    if guest_id is None:
        raise CommandError(f"no guest {args.guest!r} in event {args.event}")
    if not op(repo, args.event, guest_id):
        raise CommandError(f"guest {args.guest!r} was already {label}")
    print(f"Guest {args.guest} {label}.")
    return 0


def cmd_admin_delete(args: argparse.Namespace) -> int:
    return _admin_guest_op(args, lambda r, e, g: r.delete_guest(e, g), "deleted")


def cmd_admin_deregister(args: argparse.Namespace) -> int:
    from doorcheck.domain.guest import RegistrationState

    return _admin_guest_op(
        args,
        lambda r, e, g: r.set_registration(e, g, RegistrationState.DEREGISTERED),
        "deregistered",
    )


def cmd_admin_reel(args: argparse.Namespace) -> int:
    from doorcheck.scan.synthetic import ticket_reel

    repo = _admin_repository(args)
    if repo.event_summary(args.event) is None:
        raise CommandError(f"event {args.event} does not exist")
    codes = [g.access_code for g in repo.guests_for_tickets(args.event) if g.access_code]
    ticket_reel(codes[: args.limit], str(args.out))
    print(f"Wrote a reel of {min(len(codes), args.limit)} tickets to {args.out}.")
    return 0


def cmd_admin_tickets(args: argparse.Namespace) -> int:
    from doorcheck.station.server.tickets import write_tickets

    repo = _admin_repository(args)
    summary = repo.event_summary(args.event)
    if summary is None:
        raise CommandError(f"event {args.event} does not exist")
    guests = repo.guests_for_tickets(args.event)
    if args.limit:
        guests = guests[: args.limit]
    written = write_tickets(guests, summary["name"], Path(args.out))
    print(f"Wrote {len(written)} files to {args.out}.")
    return 0


def cmd_admin_calibration(args: argparse.Namespace) -> int:
    """The sheet a USB scanner reads once so the kiosk learns the keyboard layout."""
    from doorcheck.scan.calibration import write_calibration_sheet

    path = write_calibration_sheet(Path(args.out))
    print(f"Wrote {path}. Print it (or show it on a screen) and scan it with the USB scanner")
    print("while the kiosk is open: the kiosk then corrects for the keyboard layout.")
    return 0


def cmd_forward(args: argparse.Namespace) -> int:
    """Event Cadence: set the destination up (with --url and --key), then push the
    profiles of this door's check-ins and walk-ins that are still waiting."""
    from doorcheck.connectors.eventcadence import CadencePusher, CadenceSettings
    from doorcheck.store.credentials import load_named_secret, save_named_secret
    from doorcheck.sync.forwarder import SETTINGS_KEY, Forwarder, load_settings

    door = open_door(args)
    secret_name = f"eventcadence|{door.event_id}"
    try:
        if args.url:
            if not args.cadence_key:
                raise CommandError("set Event Cadence up with both --url and --key")
            chosen = CadenceSettings(args.url, args.key_in, args.form, args.group or [])
            door.store.set_setting(SETTINGS_KEY, chosen.to_json())
            save_named_secret(door.data_dir, secret_name, args.cadence_key)
        settings = load_settings(door.store)
        key = load_named_secret(door.data_dir, secret_name)
        if settings is None or not key:
            raise CommandError("Event Cadence is not set up: give --url and --key once")
        pusher = CadencePusher(settings, key)
        try:
            status = Forwarder(door.store, pusher).run_once()
        finally:
            pusher.close()
        problems = door.store.forward_problems("eventcadence")
    finally:
        door.close()
    print(f"Event Cadence: {status.sent} sent, {status.waiting} waiting, {status.held} held back.")
    for name, why in problems:
        print(f"  held back: {name}: {why}")
    if status.problem:
        print(f"  {status.problem}")
    return 1 if status.blocked else 0


def cmd_self_test(args: argparse.Namespace) -> int:
    """Is this installation whole? One line per check; exit status 0 or 1."""
    from doorcheck.selftest import run

    return run(verbose=args.verbose)


def cmd_import(args: argparse.Namespace) -> int:
    """A guest list from a CSV or XLSX file, straight into this door (no server)."""
    from doorcheck.connectors.spreadsheet import SpreadsheetConnector, SpreadsheetError
    from doorcheck.store.credentials import FILE_SOURCE, save_login
    from doorcheck.store.local import LocalStore
    from doorcheck.sync.source_sync import load_list

    path = Path(args.file).resolve()
    if path.suffix.lower() == ".xml":
        return _import_xml(args, path)
    connector = SpreadsheetConnector(path, args.map or ())
    try:
        batches = list(connector.full_load())
    except SpreadsheetError as exc:
        raise CommandError(str(exc)) from exc
    sheet = connector.sheet
    assert sheet is not None
    table = sheet.table
    print(f"{path.name}: {len(table.rows)} rows"
          + (f", {table.encoding}" if table.encoding else "")
          + (f", separated by {table.delimiter!r}" if table.delimiter else ""))  # fmt: skip
    for name, column in sheet.mapping.items():
        print(f"  {name:<11} <- column {column + 1} {table.headers[column]!r}")
    for problem in sheet.problems():
        print(f"  note: {problem}")
    if args.preview:
        for guest in sheet.guests[:5]:
            fields = guest["fields"]
            name = " ".join(fields.get(key, "") for key in ("firstName", "lastName"))
            line = f"  {guest['accessCode'] or '-':<16} {name}  {fields.get('company', '')}"
            print(line.rstrip())
        print(f"{len(sheet.guests)} guests would be loaded (preview: nothing was changed).")
        return 0
    del batches  # read once to report; load_full reads the file again, as the kiosk will
    data_dir = kiosk_data_dir(args)
    event_id = "file-" + safe_name(path.stem)
    save_login(data_dir, FILE_SOURCE + str(path), event_id, args.station, "")
    store = LocalStore.open(store_path(data_dir, event_id, args.station))
    try:
        written = load_list(store, connector)  # again: this door's check-ins are kept
        store.set_state("event", json.dumps({"id": event_id, "name": path.stem}))
        store.set_state("mode", args.mode)
        store.set_state("last_sync", datetime.now().astimezone().isoformat())
    finally:
        store.close()
    print(f"Loaded {written} guests into station {args.station!r}; open the kiosk with "
          "`doorcheck kiosk`.")  # fmt: skip
    return 0


def _import_xml(args: argparse.Namespace, path: Path) -> int:
    """An attendee list saved from Eventbrite's legacy XML API."""
    from doorcheck.connectors.eventbrite_legacy import LegacyXmlFile
    from doorcheck.store.credentials import FILE_SOURCE, save_login
    from doorcheck.store.local import LocalStore
    from doorcheck.sync.connector import SourceError
    from doorcheck.sync.source_sync import load_list

    connector = LegacyXmlFile(path)
    try:
        guests = [g for batch in connector.full_load() for g in batch]
    except SourceError as exc:
        raise CommandError(f"{path.name}: {exc.message}") from exc
    print(f"{path.name}: {len(guests)} tickets from Eventbrite's XML attendee list")
    if args.preview:
        for obj, _ in guests[:5]:
            fields = obj["fields"]
            name = " ".join(fields.get(key, "") for key in ("firstName", "lastName"))
            print(f"  {obj['accessCode'] or '-':<24} {name}".rstrip())
        print(f"{len(guests)} guests would be loaded (preview: nothing was changed).")
        return 0
    data_dir = kiosk_data_dir(args)
    event_id = "file-" + safe_name(path.stem)
    save_login(data_dir, FILE_SOURCE + str(path), event_id, args.station, "")
    store = LocalStore.open(store_path(data_dir, event_id, args.station))
    try:
        written = load_list(store, connector)
        store.set_state("event", json.dumps({"id": event_id, "name": path.stem}))
        store.set_state("mode", args.mode)
        store.set_state("last_sync", datetime.now().astimezone().isoformat())
    finally:
        store.close()
    print(f"Loaded {written} guests into station {args.station!r}.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Who came (and left) at this door, as CSV or XLSX."""
    from doorcheck.connectors.spreadsheet import export_rows, write_export

    door = open_door(args)
    try:
        rows = export_rows(door.store.guests_with_presence())
    finally:
        door.close()
    try:
        path = write_export(rows, Path(args.out))
    except OSError as exc:
        raise CommandError(f"cannot write {args.out}: {exc.strerror}") from exc
    print(f"Wrote {len(rows)} check-ins to {path}.")
    return 0


# -- the parser ----------------------------------------------------------------------


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
    p.add_argument("--data", metavar="DIR", type=Path, help="local data folder")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="write this door's check-ins to a CSV or XLSX file")
    p.add_argument("--out", required=True, metavar="FILE", help="a .csv or .xlsx file")
    _kiosk_options(p)
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
    _kiosk_options(p)
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser("serve", help="run the reference station server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8470, help="0 picks a free port")
    _server_db_options(p)
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
    p.set_defaults(func=cmd_serve)

    for name, func, text in (
        ("login", cmd_login, "log in to a station and remember the login"),
        ("sync", cmd_sync, "upload waiting changes and pull the guest list"),
        ("status", cmd_status, "what this door knows: guests, check-ins, waiting changes"),
    ):
        p = sub.add_parser(name, help=text)
        _kiosk_options(p)
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
        _kiosk_options(p)
        p.set_defaults(func=func)

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
    _server_db_options(p)
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
    _server_db_options(p)
    p.set_defaults(func=cmd_admin_create_station)

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
    _server_db_options(p)
    p.set_defaults(func=cmd_admin_import)

    for name, func in (
        ("delete-guest", cmd_admin_delete),
        ("deregister-guest", cmd_admin_deregister),
    ):
        p = admin.add_parser(name, help=f"{name.split('-')[0]} a guest by ID or access code")
        p.add_argument("event")
        p.add_argument("guest")
        _server_db_options(p)
        p.set_defaults(func=func)

    p = admin.add_parser("reel", help="write a video of tickets shown on a phone (a demo camera)")
    p.add_argument("event")
    p.add_argument("--out", required=True, metavar="AVI")
    p.add_argument("--limit", type=int, default=10, help="how many tickets (default 10)")
    _server_db_options(p)
    p.set_defaults(func=cmd_admin_reel)

    p = admin.add_parser("tickets", help="write QR tickets: a PNG per guest and a PDF")
    p.add_argument("event")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--limit", type=int, help="at most this many guests")
    _server_db_options(p)
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
    from doorcheck.station.errors import StationError

    try:
        return int(args.func(args))
    except CommandError as exc:
        print(f"doorcheck: {exc}", file=sys.stderr)
        return 1
    except StationError as exc:
        print(f"doorcheck: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
